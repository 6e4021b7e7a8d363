/**
 * Demo step for Pattern A: starts the AWS emulator in this process (demo world), registers its accounts in
 * Keyway, creates the AWS IAM application pointing at the emulator's sign-in URL, binds demo groups to roles in
 * several accounts, runs the IAM setup against the emulator (SAML providers + roles with trust policies), and
 * prints how to reach AWS from the portal and from the command line. Every part is idempotent: existing data is
 * kept, and the emulator (in memory) is set up again on each start.
 */
import { DEMO_WORLD_FILE, silentLogger, startEmulator, type RunningEmulator } from '../aws-emulator/index.js';
import {
  AWS_IAM_APP_TYPE,
  AWS_SIGNIN_URL,
  awsIamConfigOf,
  isDomainError,
  systemActor,
  type SamlApplication,
} from '../core/index.js';
import { applyIamPlan, iamClient, planIamSetup, stsClient, type AccountConnection } from '../aws/index.js';
import { createAwsAccessService, type Store } from '../store/index.js';
import { createSamlRuntimeFrom, type ServerConfig } from '../server/index.js';
import type { DemoStep } from './types.js';

const actor = systemActor('demo-aws');

/** Demo accounts by their names in the emulator's demo world. */
export const demoBindings: readonly { group: string; account: string; role: string }[] = [
  { group: 'Admins', account: 'Management', role: 'Administrator' },
  { group: 'Admins', account: 'Production', role: 'Administrator' },
  { group: 'Operations', account: 'Production', role: 'Operator' },
  { group: 'Operations', account: 'Staging', role: 'Operator' },
  { group: 'Engineering', account: 'Development', role: 'ReadOnly' },
  { group: 'Engineering', account: 'Staging', role: 'ReadOnly' },
  { group: 'Developers', account: 'Development', role: 'Developer' },
  { group: 'Finance', account: 'Management', role: 'Billing' },
];

async function listenOnDemoPort(env: Record<string, string | undefined>): Promise<RunningEmulator> {
  const wanted = Number(env.KEYWAY_DEMO_EMULATOR_PORT ?? 4566);
  try {
    return await startEmulator({ port: wanted, worldFile: DEMO_WORLD_FILE, logger: silentLogger });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    return startEmulator({ port: 0, worldFile: DEMO_WORLD_FILE, logger: silentLogger });
  }
}

async function ensureApp(
  store: Store,
  config: ServerConfig,
  acsUrl: string,
  groupIds: string[],
): Promise<SamlApplication> {
  const rt = createSamlRuntimeFrom({ config, store });
  const existing = (await rt.apps.list({ limit: 500 })).items.find((a) => a.type === AWS_IAM_APP_TYPE);
  if (!existing)
    return rt.apps.create(actor, {
      type: AWS_IAM_APP_TYPE,
      name: 'AWS',
      description: 'Demo AWS organisation (emulator)',
      acs: [{ url: acsUrl, index: 0, isDefault: true }],
      allowedGroupIds: groupIds,
      settings: { sessionDuration: 3600, signInUrl: AWS_SIGNIN_URL },
    });
  const acsOk = existing.acs.some((a) => a.url === acsUrl) && existing.settings.signInUrl === AWS_SIGNIN_URL;
  const groupsOk = groupIds.every((g) => existing.allowedGroupIds.includes(g));
  if (acsOk && groupsOk) return existing;
  return rt.apps.update(
    actor,
    existing.id,
    {
      acs: [{ url: acsUrl, index: 0, isDefault: true }],
      settings: { ...existing.settings, signInUrl: AWS_SIGNIN_URL },
      allowedGroupIds: [...new Set([...existing.allowedGroupIds, ...groupIds])],
    },
    existing.version,
  );
}

let emulator: RunningEmulator | undefined;

/** The emulator this step started (for tests that drive the demo world). */
export const demoEmulator = (): RunningEmulator | undefined => emulator;

export const awsPatternA: DemoStep = {
  name: 'AWS Pattern A (emulator, IAM app, bindings, IAM setup)',
  async prepare(ctx) {
    // The SDK's notice about future Node versions says nothing about the demo; keep the demo's output readable.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    emulator = await listenOnDemoPort(ctx.env);
    const emu = emulator;
    ctx.onShutdown(() => emu.close());
    ctx.log(`AWS emulator listening at ${emu.url} (demo world: ${emu.world.listAccounts().length} accounts)`);
  },
  async seed(ctx) {
    const emu = emulator;
    if (!emu) return;
    const access = createAwsAccessService(ctx.store.db);
    const known = new Map((await access.listAccounts()).map((a) => [a.id, a]));
    for (const a of emu.world.listAccounts()) {
      if (known.has(a.id)) continue;
      try {
        known.set(a.id, await access.addAccount(actor, { id: a.id, name: a.name }));
      } catch (e) {
        if (!isDomainError(e) || e.code !== 'conflict') throw e;
      }
    }
    const byName = new Map(emu.world.listAccounts().map((a) => [a.name, a.id]));
    const groupIds = new Map<string, string>();
    for (const b of demoBindings) {
      const g = await ctx.store.directory.findGroupByDisplayName(b.group);
      if (g) groupIds.set(b.group, g.id);
    }
    const existing = await access.listBindings();
    for (const b of demoBindings) {
      const groupId = groupIds.get(b.group);
      const accountId = byName.get(b.account);
      if (!groupId || !accountId) continue;
      if (
        existing.some(
          (x) =>
            x.groupId === groupId && x.accountId === accountId && x.roleName.toLowerCase() === b.role.toLowerCase(),
        )
      )
        continue;
      await access.addBinding(actor, { groupId, accountId, roleName: b.role });
    }
    const app = await ensureApp(ctx.store, ctx.config, `${emu.url}/saml`, [...new Set(groupIds.values())]);
    const config = awsIamConfigOf(app);

    // The emulator's state is in memory, so the AWS side is set up on every start; the plan makes it idempotent.
    const rt = createSamlRuntimeFrom({ config: ctx.config, store: ctx.store });
    const metadataXml = await rt.metadataXml(new Date());
    const bindings = await access.listBindings();
    const accountIds = [...new Set(bindings.map((b) => b.accountId))].filter((id) => emu.world.getAccount(id));
    const connections: AccountConnection[] = accountIds.map((accountId) => {
      const credentials = emu.rootCredentials(accountId);
      return {
        accountId,
        iam: iamClient({ endpoint: emu.url, credentials }),
        sts: stsClient({ endpoint: emu.url, credentials }),
      };
    });
    const plan = await planIamSetup({ accounts: connections, config, bindings, metadataXml });
    await applyIamPlan(plan, connections);
    for (const c of connections) {
      c.iam.destroy();
      c.sts?.destroy();
    }
    ctx.log(`IAM setup in the emulator: ${plan.changes.length} change(s) in ${accountIds.length} accounts`);

    const base = ctx.config.baseUrl;
    const keyway = 'npx keyway';
    // The bindings that exist now (an administrator may have changed the demo's), named as `bindings list` names them.
    const accountName = new Map(emu.world.listAccounts().map((a) => [a.id, a.name]));
    const bindingLines: string[] = [];
    for (const b of bindings) {
      const group = await ctx.store.directory.getGroup(b.groupId).catch(() => null);
      const roleName = `${b.rolePath === '/' ? '' : b.rolePath}${b.roleName}`;
      const account = accountName.get(b.accountId) ?? b.accountId;
      bindingLines.push(`  ${(group?.displayName ?? b.groupId).padEnd(12)} → ${roleName} in ${account}`);
    }
    ctx.banner(
      '',
      `AWS (Pattern A, against the AWS emulator at ${emu.url}):`,
      `  Accounts: ${emu.world
        .listAccounts()
        .map((a) => `${a.name} (${a.id})`)
        .join(', ')}`,
      ...(bindingLines.length ? bindingLines : ['  No bindings: add one with `npx keyway aws bindings add`.']),
      `  Browser: sign in as carol (Operations + Engineering), open the "${app.name}" tile, pick a role on AWS's role picker.`,
      '  Command line (AWS CLI v2):',
      `    export KEYWAY_URL=${base} AWS_ENDPOINT_URL=${emu.url}`,
      `    ${keyway} aws login --user carol            # password carol-keyway-demo`,
      `    ${keyway} aws configure                     # one profile per role in ~/.aws/config (--diff to preview)`,
      `    /usr/bin/aws sts get-caller-identity --profile keyway-production-operator --endpoint-url ${emu.url}   # AWS CLI < 2.13 ignores AWS_ENDPOINT_URL`,
      `  Or a profile by hand: credential_process = ${keyway} aws credentials --account Production --role Operator`,
      `  Why (not)?  ${keyway} aws explain --user bob`,
      "  Each account's emulator-only root key (for `/usr/bin/aws configure set … --profile …` and `aws iam setup`):",
      ...emu.world.listAccounts().map((a) => {
        const key = emu.rootCredentials(a.id);
        return `    ${`${a.name} (${a.id})`.padEnd(28)} ${key.accessKeyId} ${key.secretAccessKey}`;
      }),
    );
  },
};
