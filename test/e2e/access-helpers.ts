/** Shared set-up for the access-as-code tests: the emulator, a Keyway store with the demo people, IdC groups. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateGroupCommand, IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { ListInstancesCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { silentLogger, startEmulator, type RunningEmulator } from '../../src/aws-emulator/index.js';
import { runCliCaptured, type CliRun } from '../../src/cli/testing.js';

export const MANAGEMENT = '111111111111';

export interface AccessWorld {
  readonly emu: RunningEmulator;
  readonly dir: string;
  readonly env: Record<string, string>;
  readonly ssoAdmin: SSOAdminClient;
  readonly identityStore: IdentitystoreClient;
  readonly instanceArn: string;
  readonly identityStoreId: string;
  run(...args: string[]): Promise<CliRun>;
  /** `keyway access <sub> --file access.yaml --endpoint-url <emulator> …` */
  access(sub: string, ...args: string[]): Promise<CliRun>;
  writeFile(name: string, text: string): string;
  close(): Promise<void>;
}

/** The demo people: bob reaches Engineering only through Developers (a nested group). */
export const PEOPLE: readonly { user: string; groups: readonly string[] }[] = [
  { user: 'alice', groups: ['Admins', 'Operations'] },
  { user: 'bob', groups: ['Developers'] },
  { user: 'carol', groups: ['Operations', 'Engineering'] },
  { user: 'dave', groups: ['Finance'] },
];
export const GROUPS = ['Engineering', 'Developers', 'Operations', 'Admins', 'Finance'];

export async function startAccessWorld(options: { idcGroups?: readonly string[] } = {}): Promise<AccessWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'keyway-access-'));
  const emu = await startEmulator({ logger: silentLogger });
  const key = emu.rootCredentials(MANAGEMENT);
  const env: Record<string, string> = {
    KEYWAY_DATABASE_URL: `sqlite:${join(dir, 'keyway.db')}`,
    KEYWAY_MASTER_KEY: '45'.repeat(32),
    KEYWAY_BASE_URL: 'https://idp.example',
    AWS_ACCESS_KEY_ID: key.accessKeyId,
    AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: join(dir, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'aws-creds'),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const credentials = { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
  const ssoAdmin = new SSOAdminClient({ endpoint: emu.url, region: 'us-east-1', credentials });
  const identityStore = new IdentitystoreClient({ endpoint: emu.url, region: 'us-east-1', credentials });
  const inst = (await ssoAdmin.send(new ListInstancesCommand({}))).Instances?.[0];
  const run = (...args: string[]) => runCliCaptured(args, env, dir);
  for (const g of GROUPS) await expectOk(run('groups', 'create', g));
  await expectOk(run('groups', 'add-member', 'Engineering', 'Developers', '--group'));
  for (const p of PEOPLE) {
    await expectOk(run('users', 'create', p.user));
    for (const g of p.groups) await expectOk(run('groups', 'add-member', g, p.user));
  }
  // Provisioning (SCIM) puts Keyway's groups into Identity Center; here they are created directly.
  for (const g of options.idcGroups ?? GROUPS)
    await identityStore.send(new CreateGroupCommand({ IdentityStoreId: inst?.IdentityStoreId, DisplayName: g }));
  return {
    emu,
    dir,
    env,
    ssoAdmin,
    identityStore,
    instanceArn: inst?.InstanceArn ?? '',
    identityStoreId: inst?.IdentityStoreId ?? '',
    run,
    access: (sub, ...args) => run('access', sub, '--file', 'access.yaml', '--endpoint-url', emu.url, ...args),
    writeFile(name, text) {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    },
    async close() {
      ssoAdmin.destroy();
      identityStore.destroy();
      await emu.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function expectOk(p: Promise<CliRun>): Promise<void> {
  const r = await p;
  if (r.code !== 0) throw new Error(`set-up command failed (${r.code}): ${r.stderr}`);
}

/** "AWS calls while planning: N reads, M writes" from stderr. */
export function planCalls(stderr: string): { reads: number; writes: number } {
  const m = /AWS calls while planning: (\d+) reads, (\d+) writes/.exec(stderr);
  if (!m) throw new Error(`no call count in: ${stderr}`);
  return { reads: Number(m[1]), writes: Number(m[2]) };
}
