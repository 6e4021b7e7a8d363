/**
 * Remembers what the sign-in path derives from groups, memberships and role bindings (a user's effective groups,
 * the roles bound to their groups) for as long as none of those tables changes.
 *
 * Validity comes from the database, not from this process: triggers (migration 0050) raise `access_epoch` in the
 * same transaction as every change to those tables, whichever node or tool makes it. Each use reads the epoch
 * (one primary-key lookup) and recomputes when it moved, so a user removed from a group loses the role at their
 * next sign-in on every node, as without the cache. Reading the epoch before the data means an entry is never
 * older than its epoch; at worst it is newer, which a later reader of that epoch may also see. Reads inside a
 * transaction must not come here: they can see changes that later roll back. The expiry bounds what a
 * database restored underneath a running node could serve.
 */
import { CompiledQuery, type Kysely } from 'kysely';
import type { Database } from './database.js';

export interface AccessEpochCache {
  /** The value for `key` under the current epoch: remembered, or loaded and remembered. */
  get<V>(key: string, load: () => Promise<V>): Promise<V>;
}

export interface AccessEpochCacheOptions {
  readonly maxEntries?: number;
  readonly ttlMs?: number;
  readonly clock?: () => number;
}

interface Entry {
  readonly epoch: string;
  readonly until: number;
  readonly value: unknown;
}

const READ_EPOCH = CompiledQuery.raw('select value from access_epoch where id = 1');

export function createAccessEpochCache(db: Kysely<Database>, opts: AccessEpochCacheOptions = {}): AccessEpochCache {
  // A transaction sees its own changes before they commit, and the epoch they raised may roll back and be
  // reached again by other changes: what it reads is never remembered.
  if (db.isTransaction) return { get: (_key, load) => load() };
  const maxEntries = opts.maxEntries ?? 10_000;
  const ttlMs = opts.ttlMs ?? 60_000;
  const clock = opts.clock ?? Date.now;
  // Insertion-ordered: a hit is moved to the end, so the first key is the least recently used.
  const entries = new Map<string, Entry>();
  const epochNow = async (): Promise<string> => {
    const { rows } = await db.executeQuery<{ value: number | string | bigint }>(READ_EPOCH);
    const value = rows[0]?.value;
    if (value === undefined) throw new Error('access_epoch has no row: the 0050-access-epoch migration has not run');
    return String(value);
  };
  return {
    async get<V>(key: string, load: () => Promise<V>): Promise<V> {
      const epoch = await epochNow();
      const now = clock();
      const hit = entries.get(key);
      if (hit && hit.epoch === epoch && hit.until > now) {
        entries.delete(key);
        entries.set(key, hit);
        return hit.value as V;
      }
      const value = await load();
      entries.delete(key);
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
      entries.set(key, { epoch, until: now + ttlMs, value });
      return value;
    },
  };
}

const cacheByDb = new WeakMap<Kysely<Database>, AccessEpochCache>();

/**
 * The one cache of a store's database handle, shared by every reader on it (the directory, each AWS access
 * service): one entry per answer however many services a process builds, and one place that drops them.
 */
export function accessEpochCacheFor(db: Kysely<Database>): AccessEpochCache {
  let cache = cacheByDb.get(db);
  if (!cache) {
    cache = createAccessEpochCache(db);
    cacheByDb.set(db, cache);
  }
  return cache;
}
