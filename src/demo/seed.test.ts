import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyPassword } from '../auth/index.js';
import { loadConfig } from '../server/index.js';
import { openStore } from '../store/index.js';
import { demoUsers, seedOrganisation } from './seed.js';
import type { DemoSeedContext } from './types.js';

test('seeds the demo organisation once, with nested groups and working passwords, and leaves an existing directory alone', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyway-demo-'));
  const config = loadConfig(
    { KEYWAY_MASTER_KEY: '55'.repeat(32), KEYWAY_DATABASE_URL: `sqlite:${join(dir, 'keyway.db')}` },
    { cwd: dir },
  );
  const store = await openStore(config.databaseUrl);
  try {
    const banner: string[] = [];
    const ctx: DemoSeedContext = {
      env: {},
      cwd: dir,
      config,
      store,
      log: () => undefined,
      banner: (...l) => banner.push(...l),
      onShutdown: () => undefined,
    };
    await seedOrganisation.seed?.(ctx);
    const users = await store.directory.listUsers({ limit: 50 });
    assert.deepEqual(users.items.map((u) => u.userName).sort(), demoUsers.map((u) => u.userName).sort());
    const bob = await store.directory.findUserByUserName('bob');
    assert.ok(bob);
    assert.deepEqual((await store.directory.effectiveGroupsOfUser(bob.id)).map((g) => g.displayName).sort(), [
      'Developers',
      'Engineering',
    ]);
    const credential = await store.credentials.getPassword(bob.id);
    assert.equal(await verifyPassword(credential?.hash ?? '', 'bob-keyway-demo'), true);
    assert.match(banner.join('\n'), /alice\s+password alice-keyway-demo/);

    await store.directory.deleteUser({ kind: 'cli', id: 'test' }, bob.id);
    await seedOrganisation.seed?.(ctx);
    assert.equal(await store.directory.findUserByUserName('bob'), null, 'a second start does not seed again');
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
