/**
 * /account/security: the signed-in user sets up or removes a TOTP authenticator (docs/foundation.md: second factors
 * are created from account settings, not mid-sign-in). Enrolment is confirmed by one valid code before it is
 * ever asked at sign-in; removal needs a current code too.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { newTotpSecret, seal, totpUri, unseal, verifyTotp } from '../auth/index.js';
import type { ServerContext, ServerModule } from './deps.js';
import { html, renderPage, personName } from './html.js';
import type { Html } from './html.js';
import { csrfField, requireCsrf, requireSignIn } from './session.js';
import type { SignedIn } from './session.js';
import { createSecondFactor, sealingContext } from './signin/second-factor.js';

const codeField = (id: string) =>
  html`<div class="field"><label for="${id}">Code from your app</label><input id="${id}" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]*" maxlength="12" required></div>`;

const register = (app: FastifyInstance, ctx: ServerContext): void => {
  const mfa = createSecondFactor(ctx);
  const issuer = new URL(ctx.config.baseUrl).host;

  const page = (reply: FastifyReply, who: SignedIn, body: Html, status = 200) =>
    renderPage(reply, {
      title: 'Account security',
      status,
      signedIn: { userName: who.user.userName, displayName: personName(who.user), csrfToken: who.csrfToken },
      body: html`<div class="card"><h1>Account security</h1>${body}</div>`,
    });

  const errorBox = (message: string) =>
    html`<div class="error-summary" id="error-summary" role="alert" tabindex="-1" autofocus><h2>There is a problem</h2><p>${message}</p></div>`;

  const enrolView = (who: SignedIn, seed: string, error?: string) =>
    html`${error ? errorBox(error) : ''}
<h2>Set up an authenticator app</h2>
<ol>
<li>In your authenticator app, add an account by hand (or from this link on a phone: <a href="${totpUri(seed, who.user.userName, issuer)}">otpauth link</a>).</li>
<li>Key: <code id="totp-secret">${seed.replace(/(.{4})/g, '$1 ').trim()}</code> (time-based, 6 digits, 30 seconds).</li>
<li>Enter the code the app shows to finish.</li>
</ol>
<form method="post" action="/account/totp/confirm">${csrfField(who)}${codeField('confirm-code')}<button type="submit">Turn on</button></form>`;

  const overview = async (who: SignedIn, error?: string): Promise<Html> => {
    const factor = await mfa.store.get(who.user.id);
    if (factor?.confirmedAt) {
      return html`${error ? errorBox(error) : ''}<p>Authenticator app: <strong>on</strong> since ${factor.confirmedAt.slice(0, 10)}. You are asked for a code after your password.</p>
<h2>Turn off</h2><form method="post" action="/account/totp/remove">${csrfField(who)}${codeField('remove-code')}<button type="submit">Turn off</button></form>`;
    }
    return html`${error ? errorBox(error) : ''}<p>Authenticator app: <strong>off</strong>. With it on, signing in needs your password and a code from the app.</p>
<form method="post" action="/account/totp/begin">${csrfField(who)}<button type="submit">Set up an authenticator app</button></form>`;
  };

  const codeOf = (req: FastifyRequest) => {
    const v = (req.body as { code?: unknown } | undefined)?.code;
    return typeof v === 'string' && v.length <= 32 ? v : '';
  };
  const audit = (req: FastifyRequest, who: SignedIn, action: string, outcome: 'success' | 'failure', reason?: string) =>
    ctx.store.audit.record({
      action,
      actor: { kind: 'user', id: who.user.id, label: who.user.userName, ip: req.ip, requestId: req.id },
      outcome,
      ...(reason ? { reason } : {}),
      target: { type: 'user', id: who.user.id, label: who.user.userName },
    });

  app.get('/account/security', { schema: { hide: true } }, async (req, reply) => {
    const who = await requireSignIn(req, reply, ctx);
    if (!who) return reply;
    return page(reply, who, await overview(who));
  });

  app.post('/account/totp/begin', { schema: { hide: true } }, async (req, reply) => {
    const who = await requireSignIn(req, reply, ctx);
    if (!who || !(await requireCsrf(req, reply, who, ctx))) return reply;
    if ((await mfa.store.get(who.user.id))?.confirmedAt)
      return page(
        reply,
        who,
        await overview(who, 'An authenticator is already on. Turn it off first to set up another.'),
        409,
      );
    const seed = newTotpSecret();
    await mfa.store.begin(who.user.id, seal(mfa.sealKey, seed, sealingContext(who.user.id)), ctx.now().toISOString());
    return page(reply, who, enrolView(who, seed));
  });

  app.post('/account/totp/confirm', { schema: { hide: true } }, async (req, reply) => {
    const who = await requireSignIn(req, reply, ctx);
    if (!who || !(await requireCsrf(req, reply, who, ctx))) return reply;
    const factor = await mfa.store.get(who.user.id);
    if (!factor || factor.confirmedAt) return reply.code(303).redirect('/account/security');
    const seed = unseal(mfa.sealKey, factor.sealedSecret, sealingContext(who.user.id));
    const step = seed === null ? null : verifyTotp(seed, codeOf(req), ctx.now(), null);
    if (seed === null || step === null || !(await mfa.store.confirm(who.user.id, ctx.now().toISOString(), step))) {
      await audit(req, who, 'totp.enrolled', 'failure', 'bad_otp');
      return page(
        reply,
        who,
        enrolView(
          who,
          seed ?? '',
          'That code is not right. Check the key in your app and enter the code it shows now.',
        ),
        400,
      );
    }
    await audit(req, who, 'totp.enrolled', 'success');
    return page(
      reply,
      who,
      html`<p role="status">Your authenticator app is on. From now on, sign-in asks for a code after your password.</p><p><a href="/">Back to my apps</a></p>`,
    );
  });

  app.post('/account/totp/remove', { schema: { hide: true } }, async (req, reply) => {
    const who = await requireSignIn(req, reply, ctx);
    if (!who || !(await requireCsrf(req, reply, who, ctx))) return reply;
    if (!(await mfa.check(who.user.id, codeOf(req), ctx.now()))) {
      await audit(req, who, 'totp.removed', 'failure', 'bad_otp');
      return page(reply, who, await overview(who, 'That code is not right, so the authenticator stays on.'), 400);
    }
    await mfa.store.remove(who.user.id);
    await audit(req, who, 'totp.removed', 'success');
    return page(reply, who, await overview(who));
  });
};

export const accountModule: ServerModule = { name: 'account', routes: register };
