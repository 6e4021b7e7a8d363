/**
 * Admin API authentication: `Authorization: Bearer kw_…`. Only the token's SHA-256 is stored; the lookup is
 * by digest and the match is re-checked in constant time. Missing, malformed, unknown and revoked tokens all
 * get the same 401; the audit log keeps the exact reason. Revocation takes effect on the next request.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../core/index.js';
import { looksLikeApiToken, secretsEqual, sha256Hex, verifySynchronizerToken } from '../../auth/index.js';
import type { ServerContext } from '../deps.js';
import { currentSignIn } from '../session.js';

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

/** What a signed-in person may do in the admin API and console, from their groups (KEYWAY_ADMIN_GROUPS …). */
export type ConsoleRole = 'admin' | 'auditor';

export const consoleRoleOf = async (ctx: ServerContext, userId: string): Promise<ConsoleRole | null> => {
  const groups = await ctx.store.directory.effectiveGroupsOfUser(userId);
  const names = new Set(groups.map((g) => g.displayName.toLowerCase()));
  const holds = (wanted: readonly string[]) => wanted.some((g) => names.has(g.toLowerCase()));
  if (holds(ctx.config.adminGroups)) return 'admin';
  if (holds(ctx.config.auditorGroups)) return 'auditor';
  return null;
};

type SessionFailure = 'no_session' | 'no_role' | 'read_only' | 'csrf';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The admin API for a person signed in to Keyway: their browser session (the console, or a script running in
 * their browser) instead of a token. Admins may do everything, auditors only read. A change needs the
 * session's CSRF token in `X-CSRF-Token`: the cookie alone, which any site can make the browser send, is not
 * enough.
 */
export const authenticateSession = async (
  req: FastifyRequest,
  ctx: ServerContext,
): Promise<(Actor & { readonly role: ConsoleRole }) | SessionFailure> => {
  const who = await currentSignIn(req, ctx);
  if (!who) return 'no_session';
  const role = await consoleRoleOf(ctx, who.user.id);
  if (role === null) return 'no_role';
  if (!SAFE_METHODS.has(req.method)) {
    if (role !== 'admin') return 'read_only';
    const presented = req.headers['x-csrf-token'];
    if (typeof presented !== 'string' || !verifySynchronizerToken(who.csrfToken, presented)) return 'csrf';
  }
  return { kind: 'user', id: who.user.id, label: who.user.userName, ip: req.ip, requestId: req.id, role };
};

const sessionRefusals: Record<Exclude<SessionFailure, 'no_session'>, string> = {
  no_role: 'your account is not in a Keyway administrator or auditor group',
  read_only: 'auditors may read but not change anything',
  csrf: 'a change made with a browser session needs the X-CSRF-Token header',
};

export const rejectSession = async (
  req: FastifyRequest,
  reply: FastifyReply,
  ctx: ServerContext,
  reason: Exclude<SessionFailure, 'no_session'>,
): Promise<FastifyReply> => {
  await ctx.store.audit.record({
    action: 'api.authorize',
    actor: { kind: 'anonymous', id: req.ip, ip: req.ip, requestId: req.id },
    outcome: 'failure',
    reason,
    details: { method: req.method, path: req.url.split('?')[0] },
  });
  return reply
    .code(403)
    .header('cache-control', 'no-store')
    .send({ code: 'forbidden', message: sessionRefusals[reason] });
};
