import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryStateStore, openSqliteStateStore } from './state-store.js';
import type { StateStore } from '../world-contract.js';

const stores: [string, () => StateStore & { close?: () => void }][] = [
  ['memory', createMemoryStateStore],
  ['SQLite', () => openSqliteStateStore(join(mkdtempSync(join(tmpdir(), 'emulator-state-')), 'state.sqlite'))],
];

for (const [kind, open] of stores) {
  describe(`${kind} state store`, () => {
    test('stores JSON copies: changing a value after put or get does not change the store', () => {
      const s = open();
      const value = { a: [1, 2] };
      s.put('c', 'k', value);
      value.a.push(3);
      const got = s.get<{ a: number[] }>('c', 'k');
      assert.deepEqual(got, { a: [1, 2] });
      got?.a.push(4);
      assert.deepEqual(s.get('c', 'k'), { a: [1, 2] });
      s.close?.();
    });

    test('lists by key prefix in key order and keeps collections apart', () => {
      const s = open();
      for (const k of ['111/b', '111/a', '222/a', '1111/z']) s.put('roles', k, k);
      s.put('other', '111/c', 'x');
      assert.deepEqual(s.list('roles', '111/'), ['111/a', '111/b']);
      assert.deepEqual(s.list('roles'), ['111/a', '111/b', '1111/z', '222/a']);
      assert.equal(s.count('roles', '111/'), 2);
      assert.equal(s.count('roles'), 4);
      assert.equal(s.count('nothing'), 0);
      assert.equal(s.delete('roles', '111/a'), true);
      assert.equal(s.delete('roles', '111/a'), false);
      assert.equal(s.get('roles', 'missing'), undefined);
      s.close?.();
    });

    test('a transaction that throws writes nothing; nested transactions join the outer one', () => {
      const s = open();
      s.put('c', 'kept', 1);
      assert.throws(() =>
        s.transaction(() => {
          s.put('c', 'new', 2);
          s.delete('c', 'kept');
          s.transaction(() => s.put('c', 'inner', 3));
          throw new Error('boom');
        }),
      );
      assert.deepEqual(s.list('c'), [1]);
      s.transaction(() => {
        s.put('c', 'a', 'x');
        s.transaction(() => s.put('c', 'b', 'y'));
      });
      assert.deepEqual(s.list('c'), ['x', 'y', 1]);
      s.close?.();
    });
  });
}

test('the SQLite store keeps its documents across reopening the file', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'emulator-state-')), 'state.sqlite');
  const first = openSqliteStateStore(file);
  first.put('iam.roles', '111/admin', { name: 'Admin' });
  first.close();
  const second = openSqliteStateStore(file);
  assert.deepEqual(second.get('iam.roles', '111/admin'), { name: 'Admin' });
  second.close();
});
