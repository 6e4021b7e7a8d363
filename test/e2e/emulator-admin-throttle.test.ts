/**
 * Identity Center's collective admin-API throttle as a setting: sso-admin and identitystore share one request
 * rate and answer ThrottlingException over it; the rate is off by default (as before) and set by option or by
 * `--admin-api-rate` / `--scim-rate` (0 = off), whose bad values exit 2 with the usage.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ListUsersCommand, IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { ListInstancesCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { identityCenterFactory, silentLogger, startEmulator } from '../../src/aws-emulator/index.js';
import type { RunningEmulator } from '../../src/aws-emulator/index.js';
import { sdkConfig } from './emulator-helpers.js';

let emulator: RunningEmulator;
let clock = Date.now();

before(async () => {
  emulator = await startEmulator({
    logger: silentLogger,
    now: () => clock,
    registrations: [identityCenterFactory({ adminApiRateLimit: { ratePerSecond: 1, burst: 2 } })],
  });
});

after(async () => {
  await emulator.close();
});

test('sso-admin and identitystore draw from one bucket and answer ThrottlingException when it is empty', async () => {
  const keys = emulator.rootCredentials('111111111111');
  const admin = new SSOAdminClient(sdkConfig(emulator.url, keys));
  const store = new IdentitystoreClient(sdkConfig(emulator.url, keys));
  const instance = (await admin.send(new ListInstancesCommand({}))).Instances?.[0];
  await store.send(new ListUsersCommand({ IdentityStoreId: instance?.IdentityStoreId }));
  await assert.rejects(admin.send(new ListInstancesCommand({})), (e: Error) => e.name === 'ThrottlingException');
  await assert.rejects(
    store.send(new ListUsersCommand({ IdentityStoreId: instance?.IdentityStoreId })),
    (e: Error) => e.name === 'ThrottlingException',
  );
  clock += 1000;
  assert.equal((await admin.send(new ListInstancesCommand({}))).Instances?.length, 1);
  admin.destroy();
  store.destroy();
});

test('--admin-api-rate and --scim-rate refuse values that are not rates', () => {
  const main = fileURLToPath(new URL('../../src/aws-emulator/main.ts', import.meta.url));
  for (const flag of ['--admin-api-rate', '--scim-rate']) {
    const run = spawnSync(process.execPath, ['--import', 'tsx', main, flag, 'fast'], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, new RegExp(`${flag} must be a number of requests per second`));
  }
});
