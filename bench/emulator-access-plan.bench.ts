/**
 * The read calls an access plan makes against the AWS emulator, for a generated world of 1,000 accounts in 50
 * OUs: list the accounts (Organizations, 20 per page), list the permission sets, and list the assignments of
 * every account × permission set (sso-admin), through SDK v3 over loopback HTTP with SigV4. Reported as calls
 * per second of this process's CPU — client signing and parsing included, so the server alone is faster — and
 * as a multiple of the rate AWS allows: IAM Identity Center's documented collective throttle of 20 requests per
 * second for its APIs (IAM Identity Center User Guide, "IAM Identity Center quotas").
 */
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import {
  CreatePermissionSetCommand,
  ListAccountAssignmentsCommand,
  ListInstancesCommand,
  ListPermissionSetsCommand,
  SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import { generatedWorld, identityCenterFactory, silentLogger, startEmulator } from '../src/aws-emulator/index.js';
import type { BenchModule } from './run.js';

const ACCOUNTS = 1_000;
const OUS = 50;
const PERMISSION_SETS = 5;
/** IAM Identity Center's collective API throttle (requests per second). */
const AWS_IDENTITY_CENTER_TPS = 20;

const bench: BenchModule = {
  name: 'AWS emulator: the read calls of an access plan (1,000 accounts, 50 OUs)',
  async run() {
    const loadStart = process.hrtime.bigint();
    const emulator = await startEmulator({
      logger: silentLogger,
      world: generatedWorld(ACCOUNTS, OUS),
      registrations: [identityCenterFactory({ scimRateLimit: { ratePerSecond: 0, burst: 0 } })],
    });
    const loadMs = Number(process.hrtime.bigint() - loadStart) / 1e6;
    try {
      const config = {
        endpoint: emulator.url,
        region: 'us-east-1',
        maxAttempts: 1,
        credentials: emulator.rootCredentials('100000000000'),
      };
      const orgs = new OrganizationsClient(config);
      const admin = new SSOAdminClient(config);
      const instanceArn = (await admin.send(new ListInstancesCommand({}))).Instances?.[0]?.InstanceArn ?? '';
      for (let i = 0; i < PERMISSION_SETS; i++)
        await admin.send(new CreatePermissionSetCommand({ InstanceArn: instanceArn, Name: `Bench${i}` }));

      let calls = 0;
      const cpu0 = process.cpuUsage();
      const accountIds: string[] = [];
      for (let token: string | undefined, first = true; first || token; first = false) {
        const page = await orgs.send(new ListAccountsCommand({ NextToken: token }));
        calls++;
        accountIds.push(...(page.Accounts ?? []).map((a) => a.Id ?? ''));
        token = page.NextToken;
      }
      const sets: string[] = [];
      for (let token: string | undefined, first = true; first || token; first = false) {
        const page = await admin.send(new ListPermissionSetsCommand({ InstanceArn: instanceArn, NextToken: token }));
        calls++;
        sets.push(...(page.PermissionSets ?? []));
        token = page.NextToken;
      }
      for (const accountId of accountIds) {
        for (const ps of sets) {
          await admin.send(
            new ListAccountAssignmentsCommand({ InstanceArn: instanceArn, AccountId: accountId, PermissionSetArn: ps }),
          );
          calls++;
        }
      }
      const used = process.cpuUsage(cpu0);
      const perSecond = calls / ((used.user + used.system) / 1e6);
      orgs.destroy();
      admin.destroy();
      return {
        figures: [
          { label: 'world of 1,000 accounts loaded and listening', value: loadMs, unit: 'ms' },
          {
            label: `read calls made (${accountIds.length} accounts × ${sets.length} permission sets)`,
            value: calls,
            unit: '',
          },
          { label: 'read calls per CPU second (client + emulator)', value: perSecond, unit: '/s' },
          { label: 'AWS Identity Center collective throttle', value: AWS_IDENTITY_CENTER_TPS, unit: '/s' },
          { label: 'emulator rate ÷ AWS rate', value: perSecond / AWS_IDENTITY_CENTER_TPS, unit: 'x' },
        ],
        verdict: `An access plan's reads for ${ACCOUNTS} accounts take ${(calls / AWS_IDENTITY_CENTER_TPS).toFixed(0)} s at AWS's 20 requests/s; the emulator serves them ${(perSecond / AWS_IDENTITY_CENTER_TPS).toFixed(0)}× faster per core.`,
      };
    } finally {
      await emulator.close();
    }
  },
};

export default bench;
