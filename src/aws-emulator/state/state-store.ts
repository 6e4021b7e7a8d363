/**
 * The emulator's state: JSON documents per (collection, key), kept in memory or in a SQLite file so that a
 * restarted emulator still knows its roles, SAML providers and issued credentials.
 */
import Database from 'better-sqlite3';
import type { StateStore } from '../world-contract.js';

export function createMemoryStateStore(): StateStore {
  const collections = new Map<string, Map<string, string>>();
  // While a transaction runs, each first change to a key records the key's previous text (undefined: absent),
  // so a throw is undone in O(changes) rather than by copying the whole store.
  type Journal = Map<string, [collection: string, key: string, previous: string | undefined]>;
  let undo: Journal | undefined;
  const remember = (name: string, key: string): void => {
    const id = JSON.stringify([name, key]);
    if (undo && !undo.has(id)) undo.set(id, [name, key, collections.get(name)?.get(key)]);
  };
  const collection = (name: string): Map<string, string> => {
    let c = collections.get(name);
    if (!c) {
      c = new Map();
      collections.set(name, c);
    }
    return c;
  };
  return {
    get<T>(name: string, key: string): T | undefined {
      const text = collections.get(name)?.get(key);
      return text === undefined ? undefined : (JSON.parse(text) as T);
    },
    put(name, key, value) {
      const text = JSON.stringify(value);
      remember(name, key);
      collection(name).set(key, text);
    },
    delete(name, key) {
      remember(name, key);
      return collections.get(name)?.delete(key) ?? false;
    },
    list<T>(name: string, keyPrefix = ''): T[] {
      const c = collections.get(name);
      if (!c) return [];
      return [...c.entries()]
        .filter(([k]) => k.startsWith(keyPrefix))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([, v]) => JSON.parse(v) as T);
    },
    count(name: string, keyPrefix = ''): number {
      let n = 0;
      for (const k of collections.get(name)?.keys() ?? []) if (k.startsWith(keyPrefix)) n++;
      return n;
    },
    transaction<T>(fn: () => T): T {
      if (undo) return fn();
      const journal: Journal = new Map();
      undo = journal;
      try {
        const result = fn();
        undo = undefined;
        return result;
      } catch (e) {
        for (const [name, key, previous] of [...journal.values()].reverse()) {
          if (previous === undefined) collections.get(name)?.delete(key);
          else collection(name).set(key, previous);
        }
        undo = undefined;
        throw e;
      }
    },
  };
}

export interface SqliteStateStore extends StateStore {
  close(): void;
}

export function openSqliteStateStore(file: string): SqliteStateStore {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE IF NOT EXISTS emulator_documents (
    collection TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (collection, key)
  ) WITHOUT ROWID`);
  const getStmt = db.prepare<[string, string], { value: string }>(
    'SELECT value FROM emulator_documents WHERE collection = ? AND key = ?',
  );
  const putStmt = db.prepare<[string, string, string]>(
    'INSERT INTO emulator_documents (collection, key, value) VALUES (?, ?, ?) ON CONFLICT (collection, key) DO UPDATE SET value = excluded.value',
  );
  const deleteStmt = db.prepare<[string, string]>('DELETE FROM emulator_documents WHERE collection = ? AND key = ?');
  const listStmt = db.prepare<[string, string, string], { value: string }>(
    'SELECT value FROM emulator_documents WHERE collection = ? AND key >= ? AND key < ? ORDER BY key',
  );
  const countStmt = db.prepare<[string, string, string], { n: number }>(
    'SELECT count(*) AS n FROM emulator_documents WHERE collection = ? AND key >= ? AND key < ?',
  );
  return {
    get<T>(collection: string, key: string): T | undefined {
      const row = getStmt.get(collection, key);
      return row ? (JSON.parse(row.value) as T) : undefined;
    },
    put(collection, key, value) {
      putStmt.run(collection, key, JSON.stringify(value));
    },
    delete(collection, key) {
      return deleteStmt.run(collection, key).changes > 0;
    },
    list<T>(collection: string, keyPrefix = ''): T[] {
      // Keys are compared bytewise; every key with the prefix sorts below prefix + U+FFFF.
      return listStmt.all(collection, keyPrefix, `${keyPrefix}\uffff`).map((r) => JSON.parse(r.value) as T);
    },
    count(collection, keyPrefix = '') {
      return countStmt.get(collection, keyPrefix, `${keyPrefix}\uffff`)?.n ?? 0;
    },
    transaction<T>(fn: () => T): T {
      // Nested calls join the outer transaction, as in the memory store.
      return db.inTransaction ? fn() : db.transaction(fn)();
    },
    close() {
      db.close();
    },
  };
}
