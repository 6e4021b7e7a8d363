/**
 * /healthz: the process answers. /readyz: the database answers. /metrics: Prometheus text format.
 *
 * Metrics are for operators only: the main listener serves them just to a scraper that presents
 * KEYWAY_METRICS_TOKEN; the management listener (KEYWAY_MANAGEMENT_PORT, loopback by default) serves them
 * without one, as Keycloak's management interface does.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { ServerContext, ServerModule } from '../deps.js';

const hidden = { hide: true } as const;

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Constant time over fixed-length digests, so neither the length nor a prefix of the token leaks. */
const bearerMatches = (header: string | undefined, token: string): boolean => {
  const m = /^Bearer (\S+)$/.exec(header ?? '');
  return m !== null && timingSafeEqual(digest(m[1] as string), digest(token));
};

const registerProbes = (app: FastifyInstance, ctx: ServerContext): void => {
  app.get('/healthz', { schema: hidden }, async (_req, reply) =>
    reply.header('cache-control', 'no-store').send({ status: 'ok' }),
  );

  app.get('/readyz', { schema: hidden }, async (req, reply) => {
    const state = await ctx.store.ping();
    reply.header('cache-control', 'no-store');
    if (state.ok) return reply.send({ status: 'ready' });
    req.log.warn({ detail: state.detail }, 'readiness check failed');
    // The detail may name hosts; the public answer says only which kind of problem it is.
    return reply.code(503).send({
      status: 'unavailable',
      reason: state.detail.startsWith('pending migrations') ? state.detail : 'database unreachable',
    });
  });
};

const registerMetrics = (app: FastifyInstance, ctx: ServerContext, token: string | null): void => {
  app.get('/metrics', { schema: hidden }, async (req, reply) => {
    if (token !== null && !bearerMatches(req.headers.authorization, token))
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="keyway-metrics"')
        .header('cache-control', 'no-store')
        .send({ code: 'unauthenticated', message: 'metrics need the metrics bearer token' });
    return reply
      .header('content-type', ctx.registry.contentType)
      .header('cache-control', 'no-store')
      .send(await ctx.registry.metrics());
  });
};

const register = (app: FastifyInstance, ctx: ServerContext): void => {
  registerProbes(app, ctx);
  if (ctx.config.metricsEnabled && ctx.config.metricsToken !== null) registerMetrics(app, ctx, ctx.config.metricsToken);
};

/** The management listener's app: probes and metrics only, nothing a user or an SP ever reaches. */
export const buildManagementApp = async (
  ctx: ServerContext,
  logger: FastifyInstance['log'],
): Promise<FastifyInstance> => {
  const app = Fastify({ loggerInstance: logger }) as unknown as FastifyInstance;
  registerProbes(app, ctx);
  if (ctx.config.metricsEnabled) registerMetrics(app, ctx, null);
  await app.ready();
  return app;
};

export const opsModule: ServerModule = { name: 'operations', routes: register };
