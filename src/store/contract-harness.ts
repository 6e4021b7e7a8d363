import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingPostgres, POSTGRES_TEST_URL } from '../testing/index.js';
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

export async function enginesUnderTest(): Promise<EngineUnderTest[]> {
  const pgSkip = await missingPostgres();
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
        const url = `${POSTGRES_TEST_URL}?schema=${schema}`;
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
