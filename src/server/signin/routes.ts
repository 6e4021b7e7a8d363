/**
 * GET/POST /signin, POST /signout. The sign-in form is protected by a signed double-submit cookie (there is no
 * session yet); sign-out by the session's synchronizer token.
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditEventInput, User } from '../../core/index.js';
import { newDoubleSubmitPair, verifyDoubleSubmit } from '../../auth/index.js';
import { deriveKey } from '../config.js';
import type { ServerContext, ServerModule } from '../deps.js';
import { renderPage } from '../html.js';
import { spSessionsOf } from '../saml/session-sps.js';
import {
  cookieOptions,
  currentSignIn,
  endSession,
  newSession,
  requireCsrf,
  safeReturnTo,
  setSessionCookie,
} from '../session.js';
import {
  checkPasswordSignIn,
  countOutcome,
  countSecondFactorFailure,
  secondFactorAllowed,
  failureKeyOf,
  newDeviceToken,
  signInStoreFor,
} from './attempt.js';
import { DEVICE_TOKEN_DAYS } from './device-trust.js';
import { createSecondFactor, pendingLifetimeSeconds } from './second-factor.js';
import type { AttemptResult } from './attempt.js';
import { otpForm, signInForm } from './pages.js';

const csrfCookieName = (ctx: ServerContext) =>
  ctx.config.secureCookies ? '__Host-keyway_signin_csrf' : 'keyway_signin_csrf';
const pendingCookieName = (ctx: ServerContext) =>
  ctx.config.secureCookies ? '__Host-keyway_signin_pending' : 'keyway_signin_pending';
/** The browser's device token (device-trust.ts): set after every successful sign-in, read by the next attempt. */
const deviceCookieName = (ctx: ServerContext) => (ctx.config.secureCookies ? '__Host-keyway_device' : 'keyway_device');

export const genericFailure = 'The user name or password is incorrect.';

const failureMessage = (r: Extract<AttemptResult, { ok: false }>, now: Date): string => {
  switch (r.reason) {
    case 'locked_out': {
      const seconds = Math.max(1, Math.ceil(((r.retryAt?.getTime() ?? now.getTime()) - now.getTime()) / 1000));
      return seconds < 120
        ? `Too many failed attempts. Wait ${seconds} second${seconds === 1 ? '' : 's'}, then try again.`
        : `Too many failed attempts. Try again in ${Math.ceil(seconds / 60)} minutes.`;
    }
    case 'suspended':
      return 'This account is suspended. Ask your administrator to reactivate it.';
    default:
      return genericFailure;
  }
};

const statusFor: Record<Extract<AttemptResult, { ok: false }>['reason'], number> = {
  bad_password: 401,
  unknown_user: 401,
  locked_out: 429,
  suspended: 403,
};

const showForm = (
  reply: FastifyReply,
  ctx: ServerContext,
  csrfKey: KeyObject,
  view: { returnTo: string; userName?: string; error?: string; notice?: string; status?: number },
) => {
  const pair = newDoubleSubmitPair(csrfKey);
  reply.setCookie(csrfCookieName(ctx), pair.cookieValue, { ...cookieOptions(ctx.config), maxAge: 3600 });
  return renderPage(reply, {
    title: 'Sign in',
    status: view.status ?? 200,
    body: signInForm({ ...view, csrf: pair.formValue }),
  });
};

interface SignInBody {
  userName?: unknown;
  password?: unknown;
  csrf?: unknown;
  returnTo?: unknown;
}

const str = (v: unknown, max: number): string | undefined => (typeof v === 'string' && v.length <= max ? v : undefined);

const register = (app: FastifyInstance, ctx: ServerContext): void => {
  // Derived and imported once: HKDF, or importing the raw key into each HMAC, on every request would be
  // measurable in the sign-in benchmark.
  const csrfKey = createSecretKey(deriveKey(ctx.config, 'signin-csrf'));
  const secondFactor = createSecondFactor(ctx);

  const showOtp = (reply: FastifyReply, view: { status?: number; error?: string }) => {
    const pair = newDoubleSubmitPair(csrfKey);
    reply.setCookie(csrfCookieName(ctx), pair.cookieValue, { ...cookieOptions(ctx.config), maxAge: 3600 });
    return renderPage(reply, {
      title: 'Enter your code',
      status: view.status ?? 200,
      body: otpForm({ csrf: pair.formValue, ...(view.error ? { error: view.error } : {}) }),
    });
  };

  /**
   * A new session id on every sign-in (no fixation); an earlier session cookie in this browser is replaced.
   * The success's audit records, the new session, the removal of the old one and the forgotten failures are
   * one transaction.
   */
  const finishSignIn = async (
    req: FastifyRequest,
    reply: FastifyReply,
    done: { user: User; authMethods: readonly string[]; audit: readonly AuditEventInput[]; forget: string | null },
  ): Promise<void> => {
    const { user } = done;
    const previous = await currentSignIn(req, ctx);
    const { id, session } = newSession(
      ctx,
      user,
      done.authMethods,
      previous?.user.id === user.id ? previous.session.data : {},
    );
    await signInStoreFor(ctx).recordSuccess({
      audit: done.audit,
      session,
      ...(previous ? { replaces: previous.session.idHash } : {}),
      ...(done.forget !== null ? { forget: done.forget } : {}),
    });
    setSessionCookie(reply, ctx, id);
    reply.setCookie(deviceCookieName(ctx), newDeviceToken(ctx, user.userName), {
      ...cookieOptions(ctx.config),
      maxAge: DEVICE_TOKEN_DAYS * 86_400,
    });
    reply.clearCookie(csrfCookieName(ctx), cookieOptions(ctx.config));
  };
  const goTo = (reply: FastifyReply, returnTo: string) =>
    reply.code(303).header('cache-control', 'no-store').redirect(returnTo);
  app.get(
    '/signin',
    { schema: { hide: true } },
    async (req: FastifyRequest<{ Querystring: { returnTo?: string; signedOut?: string; reauth?: string } }>, reply) => {
      const returnTo = safeReturnTo(req.query.returnTo);
      const who = await currentSignIn(req, ctx);
      // reauth=1: an application asked for a fresh sign-in (SAML ForceAuthn), so a live session is not enough.
      if (who && req.query.reauth !== '1') return reply.code(303).redirect(returnTo);
      if (who)
        return showForm(reply, ctx, csrfKey, {
          returnTo,
          userName: who.user.userName,
          notice: 'The application asks you to sign in again.',
        });
      return showForm(reply, ctx, csrfKey, {
        returnTo,
        ...(req.query.signedOut ? { notice: 'You have signed out.' } : {}),
      });
    },
  );

  app.post('/signin', { schema: { hide: true } }, async (req: FastifyRequest<{ Body: SignInBody }>, reply) => {
    const body = (req.body ?? {}) as SignInBody;
    const returnTo = safeReturnTo(body.returnTo);
    const userName = str(body.userName, 256)?.trim();
    const password = str(body.password, 1024);

    if (!verifyDoubleSubmit(csrfKey, req.cookies[csrfCookieName(ctx)], str(body.csrf, 256))) {
      await ctx.store.audit.record({
        action: 'signin.password',
        actor: { kind: 'anonymous', id: req.ip, ip: req.ip, requestId: req.id },
        outcome: 'failure',
        reason: 'csrf',
      });
      ctx.metrics.signInAttempts.inc({ outcome: 'csrf' });
      return showForm(reply, ctx, csrfKey, {
        returnTo,
        ...(userName ? { userName } : {}),
        status: 403,
        error: 'The sign-in form expired. Please sign in again.',
      });
    }
    if (!userName || !password) {
      ctx.metrics.signInAttempts.inc({ outcome: 'invalid_input' });
      return showForm(reply, ctx, csrfKey, {
        returnTo,
        ...(userName ? { userName } : {}),
        status: 400,
        error: 'Enter your user name and password.',
      });
    }

    const checked = await checkPasswordSignIn(ctx, {
      userName,
      password,
      ip: req.ip,
      requestId: req.id,
      deviceToken: req.cookies[deviceCookieName(ctx)],
    });
    if (checked.successAudit === undefined) {
      const { result } = checked;
      const view = { returnTo, userName, status: statusFor[result.reason], error: failureMessage(result, ctx.now()) };
      if (result.retryAt)
        reply.header(
          'retry-after',
          String(Math.max(1, Math.ceil((result.retryAt.getTime() - ctx.now().getTime()) / 1000))),
        );
      return showForm(reply, ctx, csrfKey, view);
    }
    const { result, successAudit } = checked;
    if (result.secondFactor) {
      // The password step is audited on its own; the session waits for the code.
      await ctx.store.audit.record(successAudit);
      countOutcome(ctx, result);
      reply.setCookie(pendingCookieName(ctx), secondFactor.pendingCookie(result.user.id, returnTo, ctx.now()), {
        ...cookieOptions(ctx.config),
        maxAge: pendingLifetimeSeconds,
      });
      return showOtp(reply, {});
    }
    await finishSignIn(req, reply, {
      user: result.user,
      authMethods: ['pwd'],
      audit: [successAudit],
      forget: result.forgetKey,
    });
    countOutcome(ctx, result);
    return goTo(reply, returnTo);
  });

  app.get('/signin/otp', { schema: { hide: true } }, async (req, reply) => {
    if (!secondFactor.readPending(req.cookies[pendingCookieName(ctx)], ctx.now()))
      return reply.code(303).redirect('/signin');
    return showOtp(reply, {});
  });

  app.post(
    '/signin/otp',
    { schema: { hide: true } },
    async (req: FastifyRequest<{ Body: { code?: unknown; csrf?: unknown } }>, reply) => {
      const body = (req.body ?? {}) as { code?: unknown; csrf?: unknown };
      const pending = secondFactor.readPending(req.cookies[pendingCookieName(ctx)], ctx.now());
      if (!pending)
        return showForm(reply, ctx, csrfKey, {
          returnTo: '/',
          status: 401,
          error: 'Your sign-in took too long. Please sign in again.',
        });
      const user = await ctx.store.directory.getUser(pending.userId).catch(() => null);
      if (user?.status !== 'active')
        return showForm(reply, ctx, csrfKey, { returnTo: '/', status: 401, error: genericFailure });
      const actor = { kind: 'user' as const, id: user.id, label: user.userName, ip: req.ip, requestId: req.id };
      const otpAudit = (outcome: 'success' | 'failure', reason?: string): AuditEventInput => ({
        action: 'signin.otp',
        actor,
        outcome,
        ...(reason ? { reason } : {}),
        target: { type: 'user', id: user.id, label: user.userName },
      });
      const auditOtp = async (reason: string) => {
        ctx.metrics.secondFactorAttempts.inc({ outcome: reason });
        await ctx.store.audit.record(otpAudit('failure', reason));
      };

      if (!verifyDoubleSubmit(csrfKey, req.cookies[csrfCookieName(ctx)], str(body.csrf, 256))) {
        await auditOtp('csrf');
        return showOtp(reply, { status: 403, error: 'The form expired. Enter the code again.' });
      }
      const input = { userName: user.userName, ip: req.ip, deviceToken: req.cookies[deviceCookieName(ctx)] };
      const limits = await secondFactorAllowed(ctx, input);
      if (!limits.allowed) {
        await auditOtp('locked_out');
        return showOtp(reply, {
          status: 429,
          error: failureMessage({ ok: false, reason: 'locked_out', retryAt: limits.retryAt }, ctx.now()),
        });
      }
      const code = str(body.code, 32) ?? '';
      if (!(await secondFactor.check(user.id, code, ctx.now()))) {
        await countSecondFactorFailure(ctx, input);
        await auditOtp('bad_otp');
        return showOtp(reply, { status: 401, error: 'That code is not right. Enter the code your app shows now.' });
      }
      reply.clearCookie(pendingCookieName(ctx), cookieOptions(ctx.config));
      await finishSignIn(req, reply, {
        user,
        authMethods: ['pwd', 'otp'],
        audit: [otpAudit('success')],
        forget: failureKeyOf(ctx, input),
      });
      ctx.metrics.secondFactorAttempts.inc({ outcome: 'success' });
      return goTo(reply, safeReturnTo(pending.returnTo));
    },
  );

  app.post('/signout', { schema: { hide: true } }, async (req, reply) => {
    const who = await currentSignIn(req, ctx);
    if (!who) return reply.code(303).redirect('/signin');
    if (!(await requireCsrf(req, reply, who, ctx))) return reply;
    // A session that signed in to SAML apps ends through single logout, which tells those apps too (SAML
    // profiles 4.4); 307 re-posts the same form, CSRF token included.
    if (spSessionsOf(who.session.data).length > 0)
      return reply.code(307).header('cache-control', 'no-store').redirect('/saml/logout');
    await endSession(reply, ctx, who);
    await ctx.store.audit.record({
      action: 'signout',
      actor: { kind: 'user', id: who.user.id, label: who.user.userName, ip: req.ip, requestId: req.id },
      outcome: 'success',
      target: { type: 'user', id: who.user.id, label: who.user.userName },
    });
    return reply.code(303).redirect('/signin?signedOut=1');
  });
};

export const signInModule: ServerModule = { name: 'sign-in', routes: register };
