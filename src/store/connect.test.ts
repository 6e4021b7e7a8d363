import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultDatabaseUrl, openStore } from './index.js';

/** Choosing and opening the database from KEYWAY_DATABASE_URL (issue 2, docs/storage.md). */
test('the default database is a SQLite file under ./.keyway, whose directory is created', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyway-default-'));
  try {
    assert.equal(defaultDatabaseUrl(dir), `sqlite:${join(dir, '.keyway', 'keyway.db')}`);
    assert.ok(existsSync(join(dir, '.keyway')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a sqlite: URL creates missing parent directories and the file, and reopens with data kept', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyway-open-'));
  const url = `sqlite:${join(dir, 'nested', 'deeper', 'k.db')}`;
  try {
    const s = await openStore(url);
    assert.equal(s.engine, 'sqlite');
    await s.directory.createUser({ kind: 'cli', id: 't' }, { userName: 'kept' });
    await s.close();
    await s.close();
    const again = await openStore(url);
    assert.ok(await again.directory.findUserByUserName('KEPT'));
    assert.deepEqual((await again.migrate()).ran, []);
    await again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('with migrations skipped, ping reports the pending ones and migrate --dry-run lists them without applying', async () => {
  const s = await openStore('sqlite::memory:', { migrate: false });
  try {
    const ready = await s.ping();
    assert.equal(ready.ok, false);
    assert.match(ready.detail, /^pending migrations: 0001-directory, /);
    const dry = await s.migrate({ dryRun: true });
    assert.deepEqual(dry.applied, []);
    assert.ok(dry.pending.includes('0001-directory'));
    assert.deepEqual((await s.migrate({ dryRun: true })).applied, [], 'dry run applied nothing');
    const real = await s.migrate();
    assert.deepEqual(real.ran, dry.pending);
    assert.deepEqual(await s.ping(), { ok: true, detail: 'ok' });
  } finally {
    await s.close();
  }
});

test('rejects unsupported URLs without echoing credentials', async () => {
  await assert.rejects(
    openStore('mysql://root:hunter2@db/keyway'),
    (e: Error) => /Unsupported database URL/.test(e.message) && !e.message.includes('hunter2'),
  );
  await assert.rejects(openStore('sqlite:'), /needs a path/);
});

test('rejects a PostgreSQL schema name that is not a plain identifier (no SQL through the URL)', async () => {
  await assert.rejects(
    openStore('postgres://postgres@127.0.0.1:5432/test?schema=x";drop schema public;--'),
    /must be a lower-case identifier/,
  );
});

test('fails fast with a connection error when PostgreSQL is not reachable', async () => {
  const started = Date.now();
  await assert.rejects(openStore('postgres://postgres@127.0.0.1:1/test'), /ECONNREFUSED|connect/);
  assert.ok(Date.now() - started < 6000);
});

test('on a shared PostgreSQL database the migrator looks only at its own schema: readiness and a re-run of migrations stay correct while other runs create and drop schemas', async (t) => {
  const { enginesUnderTest } = await import('./contract-harness.js');
  const pgEngine = (await enginesUnderTest()).find((e) => e.name === 'PostgreSQL');
  if (!pgEngine || pgEngine.skip) return t.skip(pgEngine?.skip || 'no PostgreSQL engine');
  const store = await pgEngine.open();
  const churn = async (round: number) => {
    const name = `kw_churn_${globalThis.crypto.randomUUID().replace(/-/g, '').slice(0, 12)}_${round}`;
    await store.db.schema.createSchema(name).execute();
    await store.db.schema
      .createTable(`${name}.t`)
      .addColumn('id', 'serial', (c) => c.primaryKey())
      .execute();
    await store.db.schema.dropSchema(name).cascade().execute();
  };
  try {
    const rounds = Array.from({ length: 12 }, (_, i) => i);
    const [pings] = await Promise.all([Promise.all(rounds.map(() => store.ping())), Promise.all(rounds.map(churn))]);
    assert.deepEqual(
      pings.map((p) => p.detail),
      rounds.map(() => 'ok'),
    );
    assert.deepEqual((await store.migrate()).ran, []);
  } finally {
    await pgEngine.dispose(store);
  }
});
