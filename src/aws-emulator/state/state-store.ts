/**
 * The emulator's state: JSON documents per (collection, key), kept in memory or in a SQLite file so that a
 * restarted emulator still knows its roles, SAML providers and issued credentials.
 */
import Database from 'better-sqlite3';
import type { StateStore } from '../world-contract.js';

export function createMemoryStateStore(): StateStore {
  const collections = new Map<string, Map<string, string>>();
  let pending: Map<string, Map<string, string>> | undefined;
  const current = (): Map<string, Map<string, string>> => pending ?? collections;
  const collection = (name: string): Map<string, string> => {
    let c = current().get(name);
    if (!c) {
      c = new Map();
      current().set(name, c);
    }
    return c;
  };
  return {
    get<T>(name: string, key: string): T | undefined {
      const text = current().get(name)?.get(key);
      return text === undefined ? undefined : (JSON.parse(text) as T);
    },
    put(name, key, value) {
      collection(name).set(key, JSON.stringify(value));
    },
    delete(name, key) {
      return current().get(name)?.delete(key) ?? false;
    },
    list<T>(name: string, keyPrefix = ''): T[] {
      const c = current().get(name);
      if (!c) return [];
      return [...c.entries()]
        .filter(([k]) => k.startsWith(keyPrefix))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([, v]) => JSON.parse(v) as T);
    },
    transaction<T>(fn: () => T): T {
      if (pending) return fn();
      // Work on a copy and swap it in only when fn returns, so a throw leaves nothing half-written.
      pending = new Map([...collections].map(([k, v]) => [k, new Map(v)]));
      try {
        const result = fn();
        collections.clear();
        for (const [k, v] of pending) collections.set(k, v);
        return result;
      } finally {
        pending = undefined;
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
  const getStmt = db.prepare<[string, string], { value: string }>('SELECT value FROM emulator_documents WHERE collection = ? AND key = ?');
  const putStmt = db.prepare<[string, string, string]>(
    'INSERT INTO emulator_documents (collection, key, value) VALUES (?, ?, ?) ON CONFLICT (collection, key) DO UPDATE SET value = excluded.value',
  );
  const deleteStmt = db.prepare<[string, string]>('DELETE FROM emulator_documents WHERE collection = ? AND key = ?');
  const listStmt = db.prepare<[string, string, string], { value: string }>(
    'SELECT value FROM emulator_documents WHERE collection = ? AND key >= ? AND key < ? ORDER BY key',
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
    transaction<T>(fn: () => T): T {
      return db.transaction(fn)();
    },
    close() {
      db.close();
    },
  };
}
