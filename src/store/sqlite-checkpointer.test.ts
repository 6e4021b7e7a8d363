import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { openStore } from './index.js';
import { startCheckpointer } from './sqlite-checkpointer.js';

/** WAL checkpoints off the event loop for the server's SQLite connection (issue 2's sign-in throughput). */

const tempDir = () => mkdtempSync(join(tmpdir(), 'keyway-ckpt-'));

const openWal = (path: string): SqliteDatabase.Database => {
  const db = new SqliteDatabase(path);
  db.pragma('journal_mode = WAL');
  db.exec('create table if not exists t (id integer primary key, body text)');
  return db;
};

const writeRows = (db: SqliteDatabase.Database, n: number): void => {
  const insert = db.prepare('insert into t (body) values (?)');
  for (let i = 0; i < n; i++) insert.run('x'.repeat(2000));
};

const waitFor = async (what: string, check: () => boolean, ms = 5000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

test('commits on the main connection no longer checkpoint; the worker copies the WAL into the database file', async () => {
  const dir = tempDir();
  const path = join(dir, 'k.db');
  const db = openWal(path);
  try {
    const ckpt = await startCheckpointer(db, path, 1000, { intervalMs: 50 });
    assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 0);
    assert.equal(
      db.pragma('journal_size_limit', { simple: true }),
      64 * 1024 * 1024,
      'a WAL that grew gives its space back',
    );
    const before = statSync(path).size;
    // 3000 pages, three times SQLite's automatic threshold: the main connection checkpoints none of them.
    writeRows(db, 1500);
    await waitFor('the database file to receive the rows', () => statSync(path).size > before + 1500 * 2000);
    await ckpt.stop();
    assert.equal(
      (db.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[]).map(
        (r) => r.log - r.checkpointed,
      )[0],
      0,
      'after stop() every frame is in the database file',
    );
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a worker that cannot start leaves SQLite checkpointing on the main connection and says so', async () => {
  const dir = tempDir();
  const path = join(dir, 'k.db');
  const db = openWal(path);
  const failures: Error[] = [];
  try {
    // The worker opens with fileMustExist, so a path that names no file makes it fail at start.
    const ckpt = await startCheckpointer(db, join(dir, 'missing.db'), 1000, { onFailure: (e) => failures.push(e) });
    assert.equal(failures.length, 1);
    assert.match(failures[0]!.message, /missing\.db|unable to open/i);
    assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 1000);
    writeRows(db, 1500);
    const [r] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[];
    assert.ok(r!.log < 1500, `the main connection checkpointed by itself (${r!.log} frames in the WAL)`);
    await ckpt.stop();
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('openStore with backgroundCheckpoints: the store works, and close() folds the WAL into the file', async () => {
  const dir = tempDir();
  const path = join(dir, 'k.db');
  try {
    const store = await openStore(`sqlite:${path}`, { backgroundCheckpoints: true });
    const mode = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(store.db);
    assert.equal(mode.rows[0]?.wal_autocheckpoint, 0);
    for (let i = 0; i < 50; i++) await store.directory.createUser({ kind: 'cli', id: 't' }, { userName: `user-${i}` });
    await store.close();
    assert.ok(!existsSync(`${path}-wal`) || statSync(`${path}-wal`).size === 0, 'no WAL left behind');
    const again = await openStore(`sqlite:${path}`);
    assert.equal((await again.directory.listUsers({ limit: 100 })).items.length, 50);
    await again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without backgroundCheckpoints (CLI commands) SQLite keeps its own automatic checkpoints', async () => {
  const dir = tempDir();
  try {
    const store = await openStore(`sqlite:${join(dir, 'k.db')}`);
    const mode = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(store.db);
    assert.equal(mode.rows[0]?.wal_autocheckpoint, 1000);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
