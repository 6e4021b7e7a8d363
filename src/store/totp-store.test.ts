import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { systemActor } from '../core/index.js';
import { enginesUnderTest } from './contract-harness.js';
import type { Store } from './index.js';
import { createTotpStore } from './totp-store.js';

for (const engine of await enginesUnderTest()) {
  describe(`TOTP factors on ${engine.name}`, { skip: engine.skip }, () => {
    let store: Store;
    after(async () => {
      if (store) await engine.dispose(store);
    });

    test('keeps one factor per user, confirms it once, accepts each time step once across concurrent callers, and goes with the user', async () => {
      store = await engine.open();
      const totp = createTotpStore(store.db);
      const user = await store.directory.createUser(systemActor('t'), { userName: 'totp-owner' });
      await totp.begin(user.id, 'sealed-1', '2026-01-01T00:00:00.000Z');
      await totp.begin(user.id, 'sealed-2', '2026-01-01T00:00:01.000Z');
      assert.equal((await totp.get(user.id))?.sealedSecret, 'sealed-2');
      assert.equal(await totp.confirm(user.id, '2026-01-01T00:00:02.000Z', 100), true);
      assert.equal(await totp.confirm(user.id, '2026-01-01T00:00:03.000Z', 101), false, 'already confirmed');
      assert.equal(await totp.useStep(user.id, 100), false, 'the confirming step is used');
      const race = await Promise.all([totp.useStep(user.id, 101), totp.useStep(user.id, 101)]);
      assert.deepEqual(race.sort(), [false, true]);
      assert.equal((await totp.get(user.id))?.lastUsedStep, 101);
      await store.directory.deleteUser(systemActor('t'), user.id);
      assert.equal(await totp.get(user.id), null);
      assert.equal(await totp.remove(user.id), false);
    });
  });
}
