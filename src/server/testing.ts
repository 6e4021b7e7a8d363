/** A server on a fresh temporary SQLite database, for in-process request tests (fastify.inject). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { systemActor } from '../core/index.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/index.js';
import { buildServer } from './build.js';
import { loadConfig } from './config.js';
import type { Env, ServerConfig } from './config.js';
import type { ServerModule } from './deps.js';
import { issueApiToken } from './api/tokens.js';

export interface TestServer {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly config: ServerConfig;
  /** A valid admin API token. */
  readonly token: string;
  close(): Promise<void>;
}

export const startTestServer = async (env: Env = {}, options: { now?: () => Date; extraModules?: readonly ServerModule[] } = {}): Promise<TestServer> => {
  const dir = mkdtempSync(join(tmpdir(), 'keyway-server-'));
  const config = loadConfig({ KEYWAY_MASTER_KEY: '11'.repeat(32), KEYWAY_LOG_LEVEL: 'silent', KEYWAY_DATABASE_URL: `sqlite:${join(dir, 'keyway.db')}`, ...env }, { cwd: dir });
  const store = await openStore(config.databaseUrl);
  const app = await buildServer({ config, store, ...(options.now ? { now: options.now } : {}), ...(options.extraModules ? { extraModules: options.extraModules } : {}) });
  await app.ready();
  const { token } = await issueApiToken(store, systemActor('test-setup'), 'test');
  return {
    app,
    store,
    config,
    token,
    async close() {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
