import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { systemActor, type AuditEventInput, type Session } from '../core/index.js';
import { enginesUnderTest } from './contract-harness.js';
import type { Store } from './index.js';
import { createSignInStore } from './sign-in-store.js';
import { createTotpStore } from './totp-store.js';

const audit = (reason?: string): AuditEventInput => ({
  action: 'signin.password',
  actor: { kind: 'anonymous', id: '127.0.0.9', ip: '127.0.0.9' },
  outcome: reason ? 'failure' : 'success',
  ...(reason ? { reason } : {}),
});

const session = (idHash: string, userId: string): Session => ({
  idHash,
  userId,
  createdAt: '2026-01-01T00:00:00.000Z',
  lastSeenAt: '2026-01-01T00:00:00.000Z',
  expiresAt: '2026-01-01T01:00:00.000Z',
  authMethods: ['pwd'],
  csrfSecret: 'csrf-secret',
  data: { kept: true },
});

for (const engine of await enginesUnderTest()) {
  describe(`Sign-in store on ${engine.name}`, { skip: engine.skip }, () => {
    let store: Store;
    after(async () => {
      if (store) await engine.dispose(store);
    });

    test('finds the account case-insensitively with its password hash and whether an authenticator app is confirmed', async () => {
      store = await engine.open();
      const signIn = createSignInStore(store.db);
      const user = await store.directory.createUser(systemActor('t'), { userName: 'Ada.Lovelace' });
      assert.deepEqual(await signIn.account('ada.lovelace'), { user, passwordHash: null, secondFactor: false });
      await store.credentials.setPassword(user.id, '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA');
      const totp = createTotpStore(store.db);
      await totp.begin(user.id, 'sealed', '2026-01-01T00:00:00.000Z');
      assert.equal(
        (await signIn.account('ADA.LOVELACE'))?.secondFactor,
        false,
        'an unconfirmed enrolment asks for no code',
      );
      await totp.confirm(user.id, '2026-01-01T00:00:01.000Z', 1);
      const found = await signIn.account(' ada.lovelace ');
      assert.equal(found?.passwordHash, '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA');
      assert.equal(found?.secondFactor, true);
      assert.equal(await signIn.account("ada' or '1'='1"), null);
    });

    test('reads both lockout counters at once and writes a failure with its audit record', async () => {
      const signIn = createSignInStore(store.db);
      assert.deepEqual(await signIn.counters(['user:x', 'ip:127.0.0.9']), []);
      const first = { key: 'user:x', failures: 1, windowStartedAt: '2026-01-01T00:00:00.000Z', lockedUntil: null };
      await signIn.recordFailure(
        [first, { key: 'ip:127.0.0.9', failures: 1, windowStartedAt: '2026-01-01T00:00:00.000Z', lockedUntil: null }],
        audit('bad_password'),
      );
      await signIn.recordFailure(
        [{ ...first, failures: 2, lockedUntil: '2026-01-01T00:15:00.000Z' }],
        audit('bad_password'),
      );
      const counters = [...(await signIn.counters(['user:x', 'ip:127.0.0.9', 'ip:other']))].sort((a, b) =>
        a.key.localeCompare(b.key),
      );
      assert.deepEqual(counters, [
        { key: 'ip:127.0.0.9', failures: 1, windowStartedAt: '2026-01-01T00:00:00.000Z', lockedUntil: null },
        {
          key: 'user:x',
          failures: 2,
          windowStartedAt: '2026-01-01T00:00:00.000Z',
          lockedUntil: '2026-01-01T00:15:00.000Z',
        },
      ]);
      const page = await store.audit.query({ actorId: '127.0.0.9' });
      assert.equal(page.items.filter((e) => e.reason === 'bad_password').length, 2);
    });

    test('a completed sign-in writes the audit record, the new session, removes the replaced one and forgets the counter — or none of it', async () => {
      const signIn = createSignInStore(store.db);
      const user = await store.directory.createUser(systemActor('t'), { userName: 'grace' });
      await store.sessions.create(session('a'.repeat(64), user.id));
      const before = (await store.audit.query({ action: 'signin.password' })).total ?? 0;
      await signIn.recordSuccess({
        audit: [audit()],
        session: session('b'.repeat(64), user.id),
        replaces: 'a'.repeat(64),
        forget: 'user:x',
      });
      assert.equal(await store.sessions.get('a'.repeat(64)), null);
      assert.deepEqual((await store.sessions.get('b'.repeat(64)))?.data, { kept: true });
      assert.equal((await signIn.counters(['user:x'])).length, 0);
      assert.equal((await store.audit.query({ action: 'signin.password' })).total, before + 1);

      // The same session id again violates its primary key: the audit record written before it is rolled back.
      await assert.rejects(signIn.recordSuccess({ audit: [audit()], session: session('b'.repeat(64), user.id) }));
      assert.equal(
        (await store.audit.query({ action: 'signin.password' })).total,
        before + 1,
        'no audit record without its session',
      );
    });

    test('a sign-in write is its own transaction: it neither joins nor breaks one another caller has open', async () => {
      const signIn = createSignInStore(store.db);
      const user = await store.directory.createUser(systemActor('t'), { userName: 'hopper' });
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let wrote!: () => void;
      const outerWrote = new Promise<void>((r) => (wrote = r));
      const outer = store.transaction(async (trx) => {
        await store.directoryIn(trx).createUser(systemActor('t'), { userName: 'rolled-back' });
        wrote();
        await gate;
        throw new Error('abort');
      });
      await outerWrote;
      let done = false;
      const write = signIn.recordSuccess({ audit: [audit()], session: session('c'.repeat(64), user.id) }).then(() => {
        done = true;
      });
      await new Promise((r) => setTimeout(r, 50));
      // SQLite has one connection: the write waits for it rather than running inside the open transaction.
      if (store.engine === 'sqlite') assert.equal(done, false);
      release();
      await assert.rejects(outer, /abort/);
      await write;
      assert.ok(await store.sessions.get('c'.repeat(64)), 'the sign-in committed');
      assert.equal(
        await store.directory.findUserByUserName('rolled-back'),
        null,
        'the other transaction rolled back alone',
      );
    });
  });
}
