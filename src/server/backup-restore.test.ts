import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { hashPassword } from '../auth/index.js';
import { systemActor } from '../core/index.js';
import { runCliCaptured } from '../cli/testing.js';
import { openStore, type Store } from '../store/index.js';
import { missingPostgres, POSTGRES_TEST_URL } from '../testing/index.js';
import { startTestServer, type TestEngine, type TestServer } from './testing.js';

/**
 * `keyway backup` and `keyway restore` on both engines, end to end: a backup of a live database restored into a
 * fresh one, and a person signs in to a server on the restored database. Also retention (`keyway db prune`)
 * and `keyway db stats`.
 */
const MASTER_KEY = '11'.repeat(32);
const PG_BASE = POSTGRES_TEST_URL;
const pgSkip = await missingPostgres();

const formSignIn = async (s: TestServer, userName: string, password: string) => {
  const page = await s.app.inject({ method: 'GET', url: '/signin', headers: { accept: 'text/html' } });
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  const cookie = [page.headers['set-cookie']].flat().map((c) => String(c).split(';')[0]);
  const res = await s.app.inject({
    method: 'POST',
    url: '/signin',
    payload: new URLSearchParams({ userName, password, csrf, returnTo: '/' }).toString(),
    headers: { cookie: cookie.join('; '), accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
  });
  const session = [res.headers['set-cookie']]
    .flat()
    .map((c) => String(c))
    .find((c) => c.startsWith('keyway_session='));
  return { status: res.statusCode, session: session?.split(';')[0] };
};

for (const engine of ['sqlite', 'postgres'] as TestEngine[]) {
  describe(`backup and restore on ${engine}`, { skip: engine === 'postgres' ? pgSkip : false }, () => {
    let source: TestServer;
    let dir: string;
    const schemas: string[] = [];
    const freshUrl = () => {
      if (engine === 'sqlite') return `sqlite:${join(dir, `restored-${randomUUID()}.db`)}`;
      const schema = `kw_restore_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
      schemas.push(schema);
      return `${PG_BASE}?schema=${schema}`;
    };
    const cli = (url: string, ...args: string[]) =>
      runCliCaptured(
        args,
        { KEYWAY_DATABASE_URL: url, KEYWAY_MASTER_KEY: MASTER_KEY, KEYWAY_LOG_LEVEL: 'silent' },
        dir,
      );

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'keyway-backup-'));
      source = await startTestServer({}, { engine });
      const actor = systemActor('backup-test');
      const ada = await source.store.directory.createUser(actor, { userName: 'ada', displayName: 'Ada Lovelace' });
      await source.store.credentials.setPassword(ada.id, await hashPassword('ada-password-123'));
      const group = await source.store.directory.createGroup(actor, { displayName: 'engineers' });
      await source.store.directory.addMember(actor, group.id, { kind: 'user', id: ada.id });
      assert.equal((await formSignIn(source, 'ada', 'ada-password-123')).status, 303);
    });
    after(async () => {
      if (engine === 'postgres') {
        const admin = await openStore(PG_BASE, { migrate: false });
        for (const schema of schemas) await admin.db.schema.dropSchema(schema).ifExists().cascade().execute();
        await admin.close();
      }
      await source?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    test('backs up a live database, restores it into a fresh one, and the person signs in there', async () => {
      const file = join(dir, `backup-${engine}`);
      const backup = await cli(source.config.databaseUrl, 'backup', file);
      assert.equal(backup.code, 0, backup.stderr);
      assert.match(backup.stdout, engine === 'sqlite' ? /a SQLite database/ : /JSON lines/);

      const target = freshUrl();
      const restore = await cli(target, 'restore', file);
      assert.equal(restore.code, 0, restore.stderr);
      assert.match(restore.stdout, /restored \d+ rows/);

      const restored = await startTestServer({ KEYWAY_DATABASE_URL: target });
      try {
        const signIn = await formSignIn(restored, 'ada', 'ada-password-123');
        assert.equal(signIn.status, 303, 'the restored password works');
        assert.ok(signIn.session, 'a session is issued');
        const home = await restored.app.inject({
          method: 'GET',
          url: '/',
          headers: { cookie: signIn.session!, accept: 'text/html' },
        });
        assert.equal(home.statusCode, 200);
        assert.match(home.body, /Ada Lovelace/);
        const ada = await restored.store.directory.findUserByUserName('ada');
        assert.deepEqual(
          (await restored.store.directory.directGroupsOfUser(ada!.id)).map((g) => g.displayName),
          ['engineers'],
          'memberships restored',
        );
        assert.equal(
          (await formSignIn(restored, 'ada', 'wrong-password-1')).status,
          401,
          'a wrong password still fails',
        );
        // New rows after a restore get fresh keys (PostgreSQL sequences moved past the restored ones).
        await restored.store.directory.createUser(systemActor('backup-test'), { userName: 'grace' });
        const seqs = (await restored.store.audit.query({ limit: 500 })).items.map((e) => e.id);
        assert.equal(new Set(seqs).size, seqs.length);
      } finally {
        await restored.app.close();
        await restored.store.close();
      }

      const again = await cli(target, 'restore', file);
      assert.notEqual(again.code, 0, 'a database with users is not overwritten by default');
      assert.match(again.stderr, /already holds users or groups/);
    });

    test('refuses a file that is not a Keyway backup, and writes nothing', async () => {
      const bad = join(dir, 'not-a-backup.jsonl');
      writeFileSync(bad, '{"hello":"world"}\n');
      const target = freshUrl();
      const r = await cli(target, 'restore', bad);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /not a Keyway backup/);
      const exists = await cli(target, 'backup', join(dir, 'not-a-backup.jsonl'));
      assert.match(exists.stderr, /already exists/, 'a backup never overwrites a file');
    });

    test('db stats lists every table with its rows; db prune removes old audit events after exporting them', async () => {
      const store: Store = source.store;
      const stats = await cli(source.config.databaseUrl, 'db', 'stats', '--json');
      assert.equal(stats.code, 0, stats.stderr);
      const sizes = JSON.parse(stats.stdout) as { table: string; rows: number; bytes: number }[];
      assert.equal(sizes.find((t) => t.table === 'users')?.rows, 1);
      assert.ok(sizes.every((t) => t.bytes >= 0));
      assert.ok(!sizes.some((t) => t.table.startsWith('keyway_migrations')), 'bookkeeping tables are not listed');

      const before = (await store.audit.query({ count: true })).total ?? 0;
      const all = await cli(source.config.databaseUrl, 'db', 'prune', '--audit-days', '400');
      assert.match(all.stdout, /removed 0 audit events/, 'nothing is older than 400 days');
      const file = join(dir, `pruned-${engine}.jsonl`);
      const pruned = await cli(source.config.databaseUrl, 'db', 'prune', '--audit-days', '0', '--export', file);
      assert.equal(pruned.code, 0, pruned.stderr);
      assert.ok(existsSync(file));
      const lines = readFileSync(file, 'utf8').trim().split('\n');
      assert.ok(lines.length >= before && before > 0, `${lines.length} exported of ${before}`);
      const first = JSON.parse(lines[0]!) as { action: string; actor: { kind: string } };
      assert.equal(typeof first.action, 'string');
      assert.equal(typeof first.actor.kind, 'string', 'JSON columns exported as JSON');
      assert.ok(((await store.audit.query({ count: true })).total ?? 0) < before, 'events removed');

      const latest = await store.outbox.latestSeq();
      const claimed = await store.outbox.claim({ worker: 'w', limit: 100, leaseMs: 60_000 });
      await store.outbox.markDone(
        'w',
        claimed.map((e) => e.seq),
      );
      assert.ok(claimed.length > 0);
      assert.equal(await store.pruneOutbox({ before: new Date(Date.now() + 60_000) }), claimed.length - 1);
      assert.equal(await store.outbox.latestSeq(), latest, 'the newest event stays, so the sequence never goes back');
    });
  });
}
