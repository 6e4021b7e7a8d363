import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { openStore, type Store } from './index.js';

/**
 * Another process holding SQLite's write lock (an import, another worker) never freezes this process's event
 * loop: a write waits for the lock asynchronously, for a bounded time, and then fails with a typed error the
 * server answers with 503 and Retry-After.
 */
describe('SQLite write lock held by another process', () => {
  let dir: string;
  let store: Store;
  let other: SqliteDatabase.Database;
  const actor = { kind: 'cli' as const, id: 'busy-test' };
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keyway-busy-'));
    const file = join(dir, 'k.db');
    store = await openStore(`sqlite:${file}`);
    other = new SqliteDatabase(file);
  });
  after(async () => {
    if (other?.inTransaction) other.exec('rollback');
    other?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a write waits without blocking the event loop and completes once the lock is released', async () => {
    other.exec('begin immediate');
    let settled = false;
    const write = store.directory.createUser(actor, { userName: 'waited' }).finally(() => {
      settled = true;
    });
    // Timers keep firing while the write waits: the event loop is free.
    let ticks = 0;
    for (let i = 0; i < 5; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      ticks++;
    }
    assert.equal(ticks, 5);
    assert.equal(settled, false, 'the write is still waiting for the lock');
    other.exec('commit');
    const user = await write;
    assert.equal((await store.directory.findUserByUserName('waited'))?.id, user.id);
  });

  test('a write that cannot get the lock in time fails with database busy, and nothing is written', async () => {
    other.exec('begin immediate');
    try {
      await assert.rejects(store.directory.createUser(actor, { userName: 'never' }), (e: unknown) => {
        assert.equal((e as { code?: string }).code, 'KEYWAY_DATABASE_BUSY');
        return true;
      });
    } finally {
      other.exec('rollback');
    }
    assert.equal(await store.directory.findUserByUserName('never'), null);
    await store.directory.createUser(actor, { userName: 'after' });
    assert.ok(await store.directory.findUserByUserName('after'), 'the store works again once the lock is free');
  });
});
