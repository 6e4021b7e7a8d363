/**
 * Browser sessions and the helpers every page route uses.
 *
 * Extension point for other route files (SAML, AWS, portal):
 *   currentSignIn(req, ctx)              → SignedIn | null       (session + user + CSRF token, or nobody)
 *   requireSignIn(req, reply, ctx)       → SignedIn | null; when null it has already redirected to
 *                                          /signin?returnTo=<this relative URL>; the user comes back after sign-in:
 *                                            const who = await requireSignIn(req, reply, ctx); if (!who) return reply;
 *   csrfField(who)                       → Html hidden input for every POST form
 *   requireCsrf(req, reply, who)         → boolean; when false it has already answered 403
 *   safeReturnTo(value)                  → a same-origin relative path, '/' for anything else
 *   signInUrl(returnTo, { reauthenticate }) → the sign-in page; reauthenticate shows it even to a signed-in user
 *                                          (SAML ForceAuthn); the new session replaces the old one
 *   setSessionData(ctx, who, patch)      → merges into the session's free-form data (e.g. SAML SPs for logout)
 *
 * Sessions live in the database (SessionStore): the cookie carries a random 256-bit id and only its SHA-256 is
 * stored. Cookies are HttpOnly, SameSite=Lax, and Secure with the __Host- prefix when the base URL is https.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isDomainError } from '../core/index.js';
import type { Session, User } from '../core/index.js';
import { newSessionSecrets, sha256Hex, verifySynchronizerToken } from '../auth/index.js';
import type { ServerConfig, ServerContext } from './deps.js';
import { html, renderPage } from './html.js';
import type { Html } from './html.js';

export interface SignedIn {
  readonly session: Session;
  readonly user: User;
  /** The synchronizer token for this session's forms. */
  readonly csrfToken: string;
}

export const sessionCookieName = (config: Pick<ServerConfig, 'secureCookies'>): string =>
  config.secureCookies ? '__Host-keyway_session' : 'keyway_session';

export const cookieOptions = (config: Pick<ServerConfig, 'secureCookies'>) => ({
  path: '/',
  httpOnly: true,
  sameSite: 'lax' as const,
  secure: config.secureCookies,
});

/** Only paths on this origin: a leading single slash, no scheme-relative `//` or `/\`, no control characters. */
export const safeReturnTo = (value: unknown): string => {
  if (typeof value !== 'string' || value.length > 2048) return '/';
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return '/';
  // A Location header carries bytes, not text: anything outside printable ASCII goes out percent-encoded as
  // UTF-8 (RFC 3986 2.5), and a lone surrogate, which has no UTF-8 form, sends the person home instead.
  try {
    return value.replace(/[^\u0021-\u007e]+/g, (run) => encodeURIComponent(run));
  } catch {
    return '/';
  }
};

const touchEverySeconds = 60;

const expiryFor = (session: Pick<Session, 'createdAt'>, config: ServerConfig, now: Date): string => {
  const idle = now.getTime() + config.sessionIdleMinutes * 60_000;
  const absolute = new Date(session.createdAt).getTime() + config.sessionMaxHours * 3_600_000;
  return new Date(Math.min(idle, absolute)).toISOString();
};

const readSessionId = (req: FastifyRequest, ctx: ServerContext): string | undefined => {
  const value = req.cookies[sessionCookieName(ctx.config)];
  return value && /^[A-Za-z0-9_-]{43}$/.test(value) ? value : undefined;
};

export const currentSignIn = async (req: FastifyRequest, ctx: ServerContext): Promise<SignedIn | null> => {
  const id = readSessionId(req, ctx);
  if (!id) return null;
  const idHash = sha256Hex(id);
  const session = await ctx.store.sessions.get(idHash);
  if (!session) return null;
  const now = ctx.now();
  if (new Date(session.expiresAt).getTime() <= now.getTime()) {
    await ctx.store.sessions.delete(idHash);
    return null;
  }
  const user = await ctx.store.directory.getUser(session.userId).catch((e: unknown) => {
    if (isDomainError(e) && e.code === 'not_found') return null;
    throw e;
  });
  if (user?.status !== 'active') {
    // A suspended or deleted user loses every session at once.
    await ctx.store.sessions.delete(idHash);
    return null;
  }
  if (now.getTime() - new Date(session.lastSeenAt).getTime() > touchEverySeconds * 1000) {
    await ctx.store.sessions.touch(idHash, now.toISOString(), expiryFor(session, ctx.config, now));
  }
  return { session, user, csrfToken: session.csrfSecret };
};

export const signInUrl = (returnTo: string, opts: { reauthenticate?: boolean } = {}): string =>
  `/signin?returnTo=${encodeURIComponent(safeReturnTo(returnTo))}${opts.reauthenticate ? '&reauth=1' : ''}`;

export const requireSignIn = async (
  req: FastifyRequest,
  reply: FastifyReply,
  ctx: ServerContext,
): Promise<SignedIn | null> => {
  const who = await currentSignIn(req, ctx);
  if (!who) {
    // Only GET can be replayed after sign-in; other methods come back to the portal.
    await reply
      .code(303)
      .header('cache-control', 'no-store')
      .redirect(signInUrl(req.method === 'GET' ? req.url : '/'));
  }
  return who;
};

export const csrfField = (who: Pick<SignedIn, 'csrfToken'>): Html =>
  html`<input type="hidden" name="csrf" value="${who.csrfToken}">`;

const presentedCsrf = (req: FastifyRequest): string | undefined => {
  const body = req.body as Record<string, unknown> | undefined;
  if (body && typeof body === 'object' && typeof body.csrf === 'string') return body.csrf;
  const header = req.headers['x-csrf-token'];
  return typeof header === 'string' ? header : undefined;
};

export const requireCsrf = async (
  req: FastifyRequest,
  reply: FastifyReply,
  who: SignedIn,
  ctx: ServerContext,
): Promise<boolean> => {
  if (verifySynchronizerToken(who.csrfToken, presentedCsrf(req))) return true;
  await ctx.store.audit.record({
    action: 'csrf.rejected',
    actor: { kind: 'user', id: who.user.id, label: who.user.userName, ip: req.ip, requestId: req.id },
    outcome: 'failure',
    reason: 'csrf',
    details: { method: req.method, path: req.routeOptions.url ?? req.url.split('?')[0] },
  });
  renderPage(reply, {
    status: 403,
    title: 'Form expired',
    body: html`<h1>This form has expired</h1><p>For your safety the request was not carried out. Go back, reload the page and try again.</p><p><a href="/">Back to my apps</a></p>`,
  });
  return false;
};

/** A new session for the user, not yet stored: `id` goes in the cookie (setSessionCookie), the session in the store. */
export const newSession = (
  ctx: ServerContext,
  user: User,
  authMethods: readonly string[],
  data: Readonly<Record<string, unknown>> = {},
): { id: string; session: Session } => {
  const now = ctx.now();
  const { id, idHash, csrfSecret } = newSessionSecrets();
  const createdAt = now.toISOString();
  const session: Session = {
    idHash,
    userId: user.id,
    createdAt,
    lastSeenAt: createdAt,
    expiresAt: expiryFor({ createdAt }, ctx.config, now),
    authMethods,
    csrfSecret,
    data,
  };
  return { id, session };
};

export const setSessionCookie = (reply: FastifyReply, ctx: ServerContext, id: string): void => {
  reply.setCookie(sessionCookieName(ctx.config), id, {
    ...cookieOptions(ctx.config),
    maxAge: ctx.config.sessionMaxHours * 3600,
  });
};

/**
 * Starts a session for the user and sets its cookie; the caller has fully authenticated them. `data` carries a
 * replaced session's data over when the same user signs in again (the SAML SPs single logout must still notify).
 */
export const startSession = async (
  reply: FastifyReply,
  ctx: ServerContext,
  user: User,
  authMethods: readonly string[],
  data: Readonly<Record<string, unknown>> = {},
): Promise<Session> => {
  const { id, session } = newSession(ctx, user, authMethods, data);
  await ctx.store.sessions.create(session);
  setSessionCookie(reply, ctx, id);
  return session;
};

export const endSession = async (reply: FastifyReply, ctx: ServerContext, who: SignedIn): Promise<void> => {
  await ctx.store.sessions.delete(who.session.idHash);
  reply.clearCookie(sessionCookieName(ctx.config), cookieOptions(ctx.config));
};

export const setSessionData = async (
  ctx: ServerContext,
  who: SignedIn,
  patch: Readonly<Record<string, unknown>>,
): Promise<void> => {
  await ctx.store.sessions.updateData(who.session.idHash, { ...who.session.data, ...patch });
};
