/**
 * Access as code at scale, against the emulator: a no-change plan for a generated organisation (1,000 accounts
 * in 100 OUs, 100 permissions, 2,000 groups, 20,000 assignments after expansion) — wall time and AWS read calls
 * beside the minimum the APIs allow for that data — and an apply of 1,000 new assignments: the achieved
 * Identity Center call rate ÷ the configured limit (20 calls/s, the documented collective quota).
 * BENCH_ACCESS_SCALE=0.2 runs a fifth of the sizes (for a loaded machine).
 */
import { CreateGroupCommand, IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { ListInstancesCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { identityCenterFactory, silentLogger, startEmulator } from '../src/aws-emulator/index.js';
import { AwsConnections, applyAccessPlan, inPool, readLiveState } from '../src/aws/index.js';
import { makeAccessPlan, parseAccessFiles, type AccessModel, type LiveKeyway } from '../src/core/index.js';
import type { BenchModule } from './run.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const LIMIT_TPS = 20;
const MANAGEMENT = '100000000000';

const scale = Number(process.env.BENCH_ACCESS_SCALE ?? '1');
const OUS = Math.max(2, Math.round(100 * scale));
const ACCOUNTS_PER_OU = 10;
const PERMISSIONS = OUS;
const GROUPS = Math.round(2000 * scale);
const NEW_GROUPS = Math.round(100 * scale);

const ouId = (i: number) => `ou-bnch-${String(i).padStart(8, '0')}`;
const accountId = (ou: number, k: number) => String(200000000000 + ou * 100 + k);

function world(): unknown {
  return {
    region: 'us-east-1',
    organization: { id: 'o-benchmark01', rootId: 'r-bnch', featureSet: 'ALL', managementAccountId: MANAGEMENT },
    organizationalUnits: Array.from({ length: OUS }, (_, i) => ({ id: ouId(i), name: `OU${i}` })),
    accounts: [
      { id: MANAGEMENT, name: 'Management', email: 'm@example.com' },
      ...Array.from({ length: OUS }, (_, i) =>
        Array.from({ length: ACCOUNTS_PER_OU }, (_, k) => ({
          id: accountId(i, k),
          name: `Account-${i}-${k}`,
          email: `a${i}-${k}@example.com`,
          parent: ouId(i),
        })),
      ).flat(),
    ],
  };
}

/** Group g holds permission g mod P in every account of OU g mod P: 10 assignments per group. */
function accessFile(groups: number, extra: number): string {
  const lines = ['version: 1', 'settings:', '  installation: bench', 'accounts:'];
  for (let i = 0; i < OUS; i++) lines.push(`  ou${i}:`, `    ou: /OU${i}`);
  lines.push('permissions:');
  for (let p = 0; p < PERMISSIONS; p++) lines.push(`  P${p}:`, '    managed: [ReadOnlyAccess]');
  lines.push('  Fresh:', '    managed: [SecurityAudit]');
  lines.push('grants:');
  for (let g = 0; g < groups; g++)
    lines.push(`  - group: G${g}`, `    permission: P${g % PERMISSIONS}`, `    accounts: ou${g % OUS}`);
  for (let g = 0; g < extra; g++) lines.push(`  - group: G${g}`, '    permission: Fresh', `    accounts: ou${g % OUS}`);
  return `${lines.join('\n')}\n`;
}

const modelOf = (text: string): AccessModel => {
  const r = parseAccessFiles([{ path: 'bench.yaml', text }], () => null);
  if (!r.model) throw new Error(r.findings.map((f) => f.message).join('; '));
  return r.model;
};

const bench: BenchModule = {
  name: 'access as code: no-change plan and assignment apply at organisation scale',
  async run() {
    const emu = await startEmulator({
      logger: silentLogger,
      world: world(),
      registrations: [identityCenterFactory({ asyncDelayMs: 1 })],
    });
    try {
      const credentials = emu.rootCredentials(MANAGEMENT);
      const target = { endpoint: emu.url, region: 'us-east-1', credentials };
      const ids = new IdentitystoreClient(target);
      const sso = new SSOAdminClient(target);
      const storeId = (await sso.send(new ListInstancesCommand({}))).Instances?.[0]?.IdentityStoreId;
      const groups = Array.from({ length: GROUPS }, (_, g) => `G${g}`);
      const created = await inPool(groups, 16, async (g) => {
        const r = await ids.send(new CreateGroupCommand({ IdentityStoreId: storeId, DisplayName: g }));
        return { id: r.GroupId ?? g, displayName: g };
      });
      const keyway: LiveKeyway = { accounts: [], bindings: [], groups: created };
      const directory = { users: [], groups: created, members: [] };
      const plan = async (model: AccessModel, rate: number) => {
        const aws = new AwsConnections(target, 'OrganizationAccountAccessRole');
        const started = performance.now();
        const live = await readLiveState({
          aws,
          model,
          keyway,
          federation: null,
          now: new Date(),
          idcCallsPerSecond: rate,
        });
        const p = makeAccessPlan({ model, live, directory, federation: null, now: new Date() });
        const seconds = (performance.now() - started) / 1000;
        aws.destroy();
        return { p, seconds, reads: aws.log.reads, aws };
      };
      // Set-up: the 20,000 assignments, applied without the rate limit (it is not what is measured here).
      const base = modelOf(accessFile(GROUPS, 0));
      const first = await plan(base, 100_000);
      const setup = new AwsConnections(target, 'OrganizationAccountAccessRole');
      await applyAccessPlan(first.p, {
        aws: setup,
        keyway: noKeyway,
        installation: 'bench',
        idcCallsPerSecond: 100_000,
      });
      setup.destroy();
      const assignments = first.p.changes.filter((c) => c.kind === 'assignment').length;

      const quiet = await plan(base, LIMIT_TPS);
      if (quiet.p.changes.length !== 0) throw new Error(`expected no changes, got ${quiet.p.changes.length}`);
      // The fewest reads these APIs allow for this data: Organizations (Describe, ListRoots, each parent's OUs
      // and accounts by pages of 20), Identity Center (the instance, permission sets by pages of 100, six reads
      // of each set's contents and tags plus its provisioned accounts, one ListAccountAssignments per
      // provisioned pair, groups by pages of 100).
      const pairs = PERMISSIONS * ACCOUNTS_PER_OU;
      const minimum =
        2 +
        (Math.ceil(OUS / 20) + 1) +
        OUS * 2 +
        1 +
        Math.ceil(PERMISSIONS / 100) +
        PERMISSIONS * 7 +
        pairs +
        Math.ceil(GROUPS / 100);
      const floorSeconds = (quiet.reads - (2 + Math.ceil(OUS / 20) + 1 + OUS * 2)) / LIMIT_TPS;

      const fresh = modelOf(accessFile(GROUPS, NEW_GROUPS));
      const add = await plan(fresh, 100_000);
      const newAssignments = add.p.changes.filter((c) => c.kind === 'assignment').length;
      const applier = new AwsConnections(target, 'OrganizationAccountAccessRole');
      const t0 = performance.now();
      await applyAccessPlan(add.p, {
        aws: applier,
        keyway: noKeyway,
        installation: 'bench',
        idcCallsPerSecond: LIMIT_TPS,
      });
      const applySeconds = (performance.now() - t0) / 1000;
      const idcCalls = [...applier.log.calls.entries()]
        .filter(([k]) => k.startsWith('sso-admin:') || k.startsWith('identitystore:'))
        .reduce((n, [, v]) => n + v, 0);
      applier.destroy();
      ids.destroy();
      sso.destroy();
      return {
        figures: [
          {
            label: `accounts / permissions / groups`,
            value: OUS * ACCOUNTS_PER_OU,
            unit: `/ ${PERMISSIONS} / ${GROUPS}`,
          },
          { label: 'assignments after expansion', value: assignments, unit: '' },
          { label: 'no-change plan: wall time (IdC at 20 calls/s)', value: quiet.seconds, unit: 's' },
          { label: 'no-change plan: floor at 20 calls/s', value: floorSeconds, unit: 's' },
          { label: 'no-change plan: AWS read calls', value: quiet.reads, unit: '' },
          { label: 'no-change plan: minimum reads for this data', value: minimum, unit: '' },
          { label: 'no-change plan: reads ÷ minimum', value: quiet.reads / minimum, unit: 'x' },
          { label: 'apply: new assignments', value: newAssignments, unit: '' },
          { label: 'apply: assignments per second', value: newAssignments / applySeconds, unit: '/s' },
          { label: 'apply: IdC calls per second ÷ limit (20)', value: idcCalls / applySeconds / LIMIT_TPS, unit: 'x' },
        ],
        verdict:
          'Reads grow with permission sets, accounts and pages, not with people; each assignment costs a create and at least one status read, so at the 20 calls/s quota about 10 assignments/s is the ceiling.',
      };
    } finally {
      await emu.close();
    }
  },
};

const noKeyway = {
  addAccount: async () => {},
  addBinding: async () => {},
  removeBinding: async () => {},
};

export default bench;
