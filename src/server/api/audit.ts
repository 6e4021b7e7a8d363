/** GET /api/v1/audit: the audit log, newest first, filtered by actor, target, action and time. */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../deps.js';
import { AuditEvent, AuditQuery, ErrorBody, pageOf } from './schemas.js';

export const registerAuditRoutes = (app: FastifyInstance, ctx: ServerContext): void => {
  app.get<{ Querystring: AuditQuery }>(
    '/audit',
    {
      schema: {
        tags: ['audit'],
        summary: 'Read the audit log',
        querystring: AuditQuery,
        response: { 200: pageOf(AuditEvent), 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (req) => {
      const q = req.query;
      return ctx.store.audit.query({
        ...(q.actor !== undefined ? { actorId: q.actor } : {}),
        ...(q.target !== undefined ? { targetId: q.target } : {}),
        ...(q.action !== undefined ? { action: q.action } : {}),
        ...(q.since !== undefined ? { since: q.since } : {}),
        ...(q.until !== undefined ? { until: q.until } : {}),
        ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
        ...(q.limit !== undefined ? { limit: q.limit } : {}),
      });
    },
  );
};
