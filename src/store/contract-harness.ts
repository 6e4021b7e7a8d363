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
  const schemas = new Map<Store, string>();
  return [
    {
      name: 'SQLite',
      skip: false,
      open: () => openStore('sqlite::memory:'),
      dispose: (s) => s.close(),
    },
    {
      name: 'PostgreSQL',
      skip: pgSkip,
      async open() {
        const schema = `kw_test_${globalThis.crypto.randomUUID().replace(/-/g, '').slice(0, 16)}`;
        const s = await openStore(`${PG_BASE}?schema=${schema}`);
        schemas.set(s, schema);
        return s;
      },
      async dispose(s) {
        const schema = schemas.get(s);
        if (schema) await s.db.schema.dropSchema(schema).ifExists().cascade().execute();
        await s.close();
      },
    },
  ];
}

/** A short random suffix so tests sharing one store never collide on unique names. */
export const uniq = (prefix: string): string => `${prefix}-${globalThis.crypto.randomUUID().slice(0, 8)}`;
