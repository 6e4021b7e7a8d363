import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore, type Store } from './index.js';

/**
 * The engines the storage contract suite runs on. PostgreSQL runs in a fresh schema per suite
 * (`kw_test_<random>`), dropped at the end, so parallel runs never see each other's rows.
 */
export interface EngineUnderTest {
  readonly name: 'SQLite' | 'PostgreSQL';
  /** Set when the engine cannot run here; the suite skips with it (fails instead under CI=true). */
  readonly skip: string | false;
  open(): Promise<Store>;
  /** A second store on the same database, as a second Keyway node would open it (close it yourself). */
  openPeer(store: Store): Promise<Store>;
  dispose(store: Store): Promise<void>;
}

const PG_BASE = process.env.KEYWAY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function postgresUnavailable(): Promise<string | false> {
  const client = new pg.Client({ connectionString: PG_BASE, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return false;
  } catch (e) {
    const reason = `PostgreSQL not reachable at ${PG_BASE}: ${e instanceof Error ? e.message : String(e)}`;
    if (process.env.CI === 'true') throw new Error(`${reason} (CI=true: the storage contract must run on PostgreSQL)`);
    return reason;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function enginesUnderTest(): Promise<EngineUnderTest[]> {
  const pgSkip = await postgresUnavailable();
  const urls = new Map<Store, { url: string; cleanup: () => Promise<void> }>();
  const peer = (s: Store) => {
    const u = urls.get(s);
    if (!u) throw new Error('not a store opened by this harness');
    return openStore(u.url);
  };
  const dispose = async (s: Store) => {
    const u = urls.get(s);
    urls.delete(s);
    await u?.cleanup();
    await s.close();
  };
  return [
    {
      name: 'SQLite',
      skip: false,
      // A file rather than :memory: so a peer connection (a second process, in production) can open it too.
      async open() {
        const dir = mkdtempSync(join(tmpdir(), 'keyway-store-'));
        const url = `sqlite:${join(dir, 'keyway.db')}`;
        const s = await openStore(url);
        urls.set(s, { url, cleanup: async () => rmSync(dir, { recursive: true, force: true }) });
        return s;
      },
      openPeer: peer,
      dispose: async (s) => {
        const u = urls.get(s);
        urls.delete(s);
        await s.close();
        await u?.cleanup();
      },
    },
    {
      name: 'PostgreSQL',
      skip: pgSkip,
      async open() {
        const schema = `kw_test_${globalThis.crypto.randomUUID().replace(/-/g, '').slice(0, 16)}`;
        const url = `${PG_BASE}?schema=${schema}`;
        const s = await openStore(url);
        urls.set(s, {
          url,
          cleanup: async () => void (await s.db.schema.dropSchema(schema).ifExists().cascade().execute()),
        });
        return s;
      },
      openPeer: peer,
      dispose,
    },
  ];
}

/** A short random suffix so tests sharing one store never collide on unique names. */
export const uniq = (prefix: string): string => `${prefix}-${globalThis.crypto.randomUUID().slice(0, 8)}`;
