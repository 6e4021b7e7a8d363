/** A server on a fresh temporary SQLite database, for in-process request tests (fastify.inject). */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { systemActor } from '../core/index.js';
import { POSTGRES_TEST_URL } from '../testing/index.js';
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
  /** The Prometheus text of /metrics, read with the test server's metrics token. */
  metrics(): Promise<string>;
  close(): Promise<void>;
}

export type TestEngine = 'sqlite' | 'postgres';

/** The metrics bearer token every test server is configured with. */
export const testMetricsToken = 'test-metrics-token-0123456789abcdef';

export const startTestServer = async (
  env: Env = {},
  options: { now?: () => Date; extraModules?: readonly ServerModule[]; engine?: TestEngine } = {},
): Promise<TestServer> => {
  const dir = mkdtempSync(join(tmpdir(), 'keyway-server-'));
  // PostgreSQL runs get a schema of their own, dropped at the end, so parallel runs never collide.
  const schema = options.engine === 'postgres' ? `kw_server_${randomUUID().replace(/-/g, '').slice(0, 16)}` : undefined;
  const databaseUrl = schema ? `${POSTGRES_TEST_URL}?schema=${schema}` : `sqlite:${join(dir, 'keyway.db')}`;
  const config = loadConfig(
    {
      KEYWAY_MASTER_KEY: '11'.repeat(32),
      KEYWAY_LOG_LEVEL: 'silent',
      KEYWAY_DATABASE_URL: databaseUrl,
      KEYWAY_METRICS_TOKEN: testMetricsToken,
      ...env,
    },
    { cwd: dir },
  );
  const store = await openStore(config.databaseUrl);
  const app = await buildServer({
    config,
    store,
    ...(options.now ? { now: options.now } : {}),
    ...(options.extraModules ? { extraModules: options.extraModules } : {}),
  });
  await app.ready();
  const { token } = await issueApiToken(store, systemActor('test-setup'), 'test');
  return {
    app,
    store,
    config,
    token,
    async metrics() {
      const r = await app.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: `Bearer ${testMetricsToken}` },
      });
      if (r.statusCode !== 200) throw new Error(`/metrics answered ${r.statusCode}`);
      return r.body;
    },
    async close() {
      await app.close();
      if (schema) await store.db.schema.dropSchema(schema).ifExists().cascade().execute();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
