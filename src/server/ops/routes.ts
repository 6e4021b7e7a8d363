/** /healthz: the process answers. /readyz: the database answers. /metrics: Prometheus text format. */
import type { FastifyInstance } from 'fastify';
import type { ServerContext, ServerModule } from '../deps.js';

const hidden = { hide: true } as const;

const register = (app: FastifyInstance, ctx: ServerContext): void => {
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

  if (ctx.config.metricsEnabled) {
    app.get('/metrics', { schema: hidden }, async (_req, reply) =>
      reply
        .header('content-type', ctx.registry.contentType)
        .header('cache-control', 'no-store')
        .send(await ctx.registry.metrics()),
    );
  }
};

export const opsModule: ServerModule = { name: 'operations', routes: register };
