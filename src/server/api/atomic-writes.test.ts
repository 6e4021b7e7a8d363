/**
 * Every change commits with its audit record (and outbox event) or not at all. A failure is injected between
 * the statements with a database trigger that aborts one insert, on both engines, and the test then finds
 * either everything or nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { verifyPassword } from '../../auth/index.js';
import { runCliCaptured } from '../../cli/testing.js';
import type { Store } from '../../store/index.js';
import { startTestServer } from '../testing.js';
import { missingPostgres } from '../../testing/index.js';
import type { TestEngine, TestServer } from '../testing.js';

/**
 * Makes every insert into `table` fail (only those where `when` holds, an expression over NEW, if given), as a
 * crash between two statements of one change would.
 */
const injectFailure = async (store: Store, table: string, when = 'TRUE'): Promise<() => Promise<void>> => {
  const name = `kw_inject_${table}`;
  const run = (text: string) => sql.raw(text).execute(store.db);
  if (store.engine === 'sqlite') {
    await run(
      `CREATE TRIGGER ${name} BEFORE INSERT ON ${table} WHEN ${when} BEGIN SELECT RAISE(ABORT, 'injected failure'); END`,
    );
    return async () => void (await run(`DROP TRIGGER ${name}`));
  }
  await run(
    `CREATE FUNCTION ${name}() RETURNS trigger AS $$ BEGIN IF ${when} THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
  );
  await run(`CREATE TRIGGER ${name} BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION ${name}()`);
  return async () => {
    await run(`DROP TRIGGER ${name} ON ${table}`);
    await run(`DROP FUNCTION ${name}()`);
  };
};

const pgSkip = await missingPostgres();
for (const [engine, skip] of [
  ['sqlite', false],
  ['postgres', pgSkip],
] as [TestEngine, string | false][]) {
  describe(`every change with its audit record, or nothing (${engine})`, { skip }, () => {
    let s: TestServer;
    before(async () => {
      s = await startTestServer({}, { engine });
    });
    after(async () => s.close());

    test('PUT /api/v1/users/{id}/password: a failure before the audit record leaves the old password and the sessions', async () => {
      const auth = { authorization: `Bearer ${s.token}` };
      const created = await s.app.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: auth,
        payload: { userName: 'pat' },
      });
      const id = (JSON.parse(created.body) as { id: string }).id;
      const first = await s.app.inject({
        method: 'PUT',
        url: `/api/v1/users/${id}/password`,
        headers: auth,
        payload: { password: 'the first password' },
      });
      assert.equal(first.statusCode, 204);
      const now = new Date();
      await s.store.sessions.create({
        idHash: 'h'.repeat(64),
        userId: id,
        createdAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + 3_600_000).toISOString(),
        lastSeenAt: now.toISOString(),
        authMethods: ['pwd'],
        csrfSecret: 'c',
        data: {},
      });
      const restore = await injectFailure(s.store, 'audit_events', "NEW.action = 'user.password.set'");
      try {
        const failed = await s.app.inject({
          method: 'PUT',
          url: `/api/v1/users/${id}/password`,
          headers: auth,
          payload: { password: 'the second password' },
        });
        assert.equal(failed.statusCode, 500);
      } finally {
        await restore();
      }
      const stored = await s.store.credentials.getPassword(id);
      assert.ok(stored && (await verifyPassword(stored.hash, 'the first password')), 'the old password still works');
      assert.ok(await s.store.sessions.get('h'.repeat(64)), 'the sessions were not ended');
      const audits = await s.store.audit.query({ action: 'user.password.set' });
      assert.equal(audits.items.length, 1, 'only the first change is audited');
    });

    test('keyway users create NAME --with-password: a failure storing the password leaves no user, audit record or outbox event', async () => {
      const env = { KEYWAY_DATABASE_URL: s.config.databaseUrl, KEYWAY_MASTER_KEY: '11'.repeat(32) };
      const outboxBefore = await s.store.outbox.latestSeq();
      const restore = await injectFailure(s.store, 'password_credentials');
      try {
        const r = await runCliCaptured(
          ['users', 'create', 'quinn', '--with-password'],
          env,
          process.cwd(),
          'a long enough password\n',
        );
        assert.equal(r.code, 1, r.stderr);
      } finally {
        await restore();
      }
      assert.equal(await s.store.directory.findUserByUserName('quinn'), null, 'no user without its password');
      assert.equal(
        (await s.store.audit.query({ action: 'user.created' })).items.filter((e) => e.target?.label === 'quinn').length,
        0,
      );
      assert.equal(await s.store.outbox.latestSeq(), outboxBefore, 'no outbox event');
      const again = await runCliCaptured(
        ['users', 'create', 'quinn', '--with-password'],
        env,
        process.cwd(),
        'a long enough password\n',
      );
      assert.equal(again.code, 0, `re-creating the user works: ${again.stderr}`);
      const quinn = await s.store.directory.findUserByUserName('quinn');
      assert.ok(quinn);
      const stored = await s.store.credentials.getPassword(quinn.id);
      assert.ok(stored && (await verifyPassword(stored.hash, 'a long enough password')));
      const audits = (await s.store.audit.query({ action: 'user.password.set' })).items;
      assert.ok(
        audits.some((e) => e.target?.id === quinn.id),
        'the password is audited with the user',
      );
    });
  });
}
