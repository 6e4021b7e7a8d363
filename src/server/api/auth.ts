/**
 * Admin API authentication: `Authorization: Bearer kw_…`. Only the token's SHA-256 is stored; the lookup is
 * by digest and the match is re-checked in constant time. Missing, malformed, unknown and revoked tokens all
 * get the same 401; the audit log keeps the exact reason. Revocation takes effect on the next request.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../core/index.js';
import { looksLikeApiToken, secretsEqual, sha256Hex } from '../../auth/index.js';
import type { ServerContext } from '../deps.js';

/** last_used_at is written at most once a minute per token, so reads do not turn into a write each. */
const markUsedEverySeconds = 60;

type AuthFailure = 'missing_token' | 'malformed_token' | 'unknown_token' | 'revoked_token';

const bearer = (req: FastifyRequest): string | undefined => {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(h);
  return m?.[1];
};

export const authenticateToken = async (req: FastifyRequest, ctx: ServerContext): Promise<Actor | AuthFailure> => {
  const presented = bearer(req);
  if (!presented) return 'missing_token';
  if (!looksLikeApiToken(presented)) return 'malformed_token';
  const digest = sha256Hex(presented);
  const token = await ctx.store.apiTokens.findByHash(digest);
  if (!token || !secretsEqual(token.hash, digest)) return 'unknown_token';
  if (token.revokedAt) return 'revoked_token';
  const now = ctx.now();
  if (!token.lastUsedAt || now.getTime() - new Date(token.lastUsedAt).getTime() > markUsedEverySeconds * 1000) {
    await ctx.store.apiTokens.markUsed(token.id, now.toISOString());
  }
  return { kind: 'api-token', id: token.id, label: token.name, ip: req.ip, requestId: req.id };
};

export const rejectUnauthenticated = async (
  req: FastifyRequest,
  reply: FastifyReply,
  ctx: ServerContext,
  reason: AuthFailure,
): Promise<FastifyReply> => {
  if (reason !== 'missing_token') {
    await ctx.store.audit.record({
      action: 'api.authenticate',
      actor: { kind: 'anonymous', id: req.ip, ip: req.ip, requestId: req.id },
      outcome: 'failure',
      reason,
      details: { method: req.method, path: req.url.split('?')[0] },
    });
  }
  return reply
    .code(401)
    .header('www-authenticate', 'Bearer realm="keyway-admin-api"')
    .send({ code: 'unauthenticated', message: 'a valid admin API token is required (Authorization: Bearer kw_…)' });
};
