/**
 * OpenID Connect on Keyway's HTTP server: every /oidc/* request goes to the provider (its own body parsing, so
 * Fastify leaves the request stream unread there), except the interaction pages, which are Keyway's: they send
 * the browser through Keyway's sign-in, apply the access decision (enabled, active, group access, strength with
 * step-up), ask consent of third-party clients, and hand the result back to the provider.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ACR, amrOf, oidcMayUse, strengthOf } from '../../core/index.js';
import type { ServerContext, ServerModule } from '../deps.js';
import { html, renderPage, personName } from '../html.js';
import { csrfField, currentSignIn, requireCsrf, signInUrl, type SignedIn } from '../session.js';
import { checkStrength, stepUpUrl } from '../strength.js';
import { CLI_CLIENT_ID, createOidcRuntime, type OidcRuntime } from './runtime.js';

const SCOPE_TEXT: Record<string, string> = {
  openid: 'know who you are (a stable identifier)',
  profile: 'your name and user name',
  email: 'your email address',
  groups: 'the groups you belong to',
  offline_access: 'stay signed in when you are not using it',
};

const passToProvider = (rt: OidcRuntime) => async (req: FastifyRequest, reply: FastifyReply) => {
  const provider = await rt.provider();
  reply.hijack();
  const raw = req.raw as typeof req.raw & { originalUrl?: string };
  raw.originalUrl = raw.url;
  raw.url = (raw.url ?? '/').slice('/oidc'.length) || '/';
  provider.callback()(raw, reply.raw);
};

const register = (app: FastifyInstance, ctx: ServerContext): void => {
  const rt = createOidcRuntime(ctx, app.log);

  // The provider reads request bodies itself; this scope only forwards.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, _payload, done) => done(null));
    scope.all('/oidc', { schema: { hide: true } }, passToProvider(rt));
    scope.all('/oidc/*', { schema: { hide: true } }, passToProvider(rt));
  });

  const finish = async (req: FastifyRequest, reply: FastifyReply, result: Record<string, unknown>) => {
    const provider = await rt.provider();
    reply.hijack();
    await provider.interactionFinished(req.raw, reply.raw, result, { mergeWithLastSubmission: true });
  };

  const auditFor = (
    req: FastifyRequest,
    who: SignedIn,
    clientId: string,
    outcome: 'success' | 'failure',
    reason?: string,
  ) =>
    ctx.store.audit.record({
      action: 'oidc.authorize',
      actor: { kind: 'user', id: who.user.id, label: who.user.userName, ip: req.ip, requestId: req.id },
      outcome,
      ...(reason ? { reason } : {}),
      target: { type: 'oidc-client', id: clientId },
    });

  const consentPage = (
    reply: FastifyReply,
    who: SignedIn,
    uid: string,
    clientName: string,
    scopes: readonly string[],
  ) =>
    renderPage(reply, {
      title: `Allow ${clientName}?`,
      signedIn: { userName: who.user.userName, displayName: personName(who.user), csrfToken: who.csrfToken },
      body: html`<div class="card narrow"><h1>Allow ${clientName} to use your Keyway account?</h1>
<p>${clientName} is not run by your organisation. It asks to:</p>
<ul>${scopes.map((s) => html`<li>${SCOPE_TEXT[s] ?? s}</li>`)}</ul>
<form method="post" action="/oidc/interaction/${uid}/consent">${csrfField(who)}
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</form></div>`,
    });

  app.get<{ Params: { uid: string } }>('/oidc/interaction/:uid', { schema: { hide: true } }, async (req, reply) => {
    const provider = await rt.provider();
    const details = await provider.interactionDetails(req.raw, reply.raw);
    const here = `/oidc/interaction/${encodeURIComponent(details.uid)}`;
    const clientId = String(details.params.client_id ?? '');
    const who = await currentSignIn(req, ctx);
    const fresh =
      who !== null && Date.parse(who.session.createdAt) >= (details.iat ?? Number.POSITIVE_INFINITY) * 1000 - 1000;
    const wantsFresh =
      details.prompt.name === 'login' &&
      (details.prompt.reasons.includes('login_prompt') || details.prompt.reasons.includes('max_age'));
    if (!who || (wantsFresh && !fresh))
      return reply.code(303).redirect(signInUrl(here, { reauthenticate: who !== null }));

    const app = await rt.appOf(clientId);
    if (clientId !== CLI_CLIENT_ID) {
      if (!app) return finish(req, reply, { error: 'access_denied', error_description: 'unknown client' });
      const groups = await ctx.store.directory.effectiveGroupsOfUser(who.user.id);
      if (!oidcMayUse(app, groups)) {
        await auditFor(req, who, clientId, 'failure', 'not_allowed');
        return finish(req, reply, {
          error: 'access_denied',
          error_description: `${who.user.userName} is not in a group that may use ${app.name}`,
        });
      }
      const strength = await checkStrength(ctx, app.id, groups, who.session.authMethods);
      if (!strength.ok) return reply.code(303).redirect(stepUpUrl(strength.need, app.name, here));
    }

    if (details.prompt.name === 'login') {
      await auditFor(req, who, clientId, 'success');
      return finish(req, reply, {
        login: {
          accountId: who.user.id,
          acr: ACR[strengthOf(who.session.authMethods)],
          amr: amrOf(who.session.authMethods),
          ts: Math.floor(Date.parse(who.session.createdAt) / 1000),
        },
      });
    }
    if (app?.thirdParty) {
      const missing = (details.prompt.details.missingOIDCScope as string[] | undefined) ?? [];
      return consentPage(reply, who, details.uid, app.name, missing);
    }
    return grantConsent(req, reply);
  });

  const grantConsent = async (req: FastifyRequest, reply: FastifyReply) => {
    const provider = await rt.provider();
    const details = await provider.interactionDetails(req.raw, reply.raw);
    const accountId = details.session?.accountId;
    const clientId = String(details.params.client_id ?? '');
    if (!accountId) return reply.code(303).redirect(`/oidc/interaction/${encodeURIComponent(details.uid)}`);
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId, clientId });
    if (!grant) return finish(req, reply, { error: 'access_denied', error_description: 'the grant has expired' });
    const d = details.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
    if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(d.missingResourceScopes ?? {}))
      grant.addResourceScope(indicator, scopes.join(' '));
    return finish(req, reply, { consent: { grantId: await grant.save() } });
  };

  app.post<{ Params: { uid: string }; Body: { decision?: string } }>(
    '/oidc/interaction/:uid/consent',
    { schema: { hide: true } },
    async (req, reply) => {
      const who = await currentSignIn(req, ctx);
      if (!who) return reply.code(303).redirect(signInUrl(`/oidc/interaction/${encodeURIComponent(req.params.uid)}`));
      if (!(await requireCsrf(req, reply, who, ctx))) return reply;
      const provider = await rt.provider();
      const details = await provider.interactionDetails(req.raw, reply.raw);
      const clientId = String(details.params.client_id ?? '');
      if (req.body?.decision !== 'allow') {
        await auditFor(req, who, clientId, 'failure', 'consent_denied');
        return finish(req, reply, { error: 'access_denied', error_description: 'the user did not allow access' });
      }
      await auditFor(req, who, clientId, 'success', undefined);
      return grantConsent(req, reply);
    },
  );
};

export const oidcModule: ServerModule = { name: 'oidc', routes: register };
