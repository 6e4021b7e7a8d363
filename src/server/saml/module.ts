/**
 * The SAML IdP's HTTP endpoints. Each handler is a short list of named steps; protocol rules live in src/saml
 * (src/saml), domain rules in src/core, and the steps that join them in ./sso and ./slo.
 *
 *   GET  /saml/metadata[?download=1]     IdP metadata (stable URL; also the entity ID)
 *   GET  /saml/sso, POST /saml/sso       SP-initiated SSO (HTTP-Redirect, HTTP-POST)
 *   GET  /saml/sso/resume?t=…            back from the sign-in page with a validated request
 *   GET  /saml/apps/:id/start[?RelayState=]  IdP-initiated SSO (portal tile, bookmarkable)
 *   GET  /saml/apps/:id/metadata         the IdP metadata as a download named after the app
 *   GET  /saml/slo, POST /saml/slo       single logout from SPs (LogoutRequest, LogoutResponse)
 *   POST /saml/logout                    IdP-initiated single logout from the portal
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter } from 'prom-client';
import { isDomainError, systemActor, MAX_RELAY_STATE_BYTES, type SamlApplication } from '../../core/index.js';
import { buildErrorResponse, isSamlError, SamlError, samlStatusFor } from '../../saml/index.js';
import { mapError } from '../api/errors.js';
import { deriveKey } from '../config.js';
import type { PortalTile, ServerContext, ServerModule } from '../deps.js';
import { currentSignIn, requireSignIn, signInUrl, type SignedIn } from '../session.js';
import { sendInfoPage, sendNotAllowed, sendPostForm, sendSamlErrorPage } from './pages.js';
import { createSamlRuntime, type SamlRuntime } from './runtime.js';
import { registerSloRoutes } from './slo/routes.js';
import { issueResponse } from './sso/issue-response.js';
import { openPending, PENDING_TTL_SECONDS, sealPending, type PendingRequest } from './sso/pending-request.js';
import { receiveSsoRequest } from './sso/receive.js';

const actorOf = (req: FastifyRequest, who: SignedIn | null) =>
  who
    ? { kind: 'user' as const, id: who.user.id, label: who.user.userName, ip: req.ip, requestId: req.id }
    : { kind: 'anonymous' as const, id: req.ip, ip: req.ip, requestId: req.id };

const register = async (app: FastifyInstance, ctx: ServerContext): Promise<void> => {
  const rt = createSamlRuntime(ctx);
  const pendingKey = deriveKey(ctx.config, 'saml-pending-requests');
  // Generated on first start, so the metadata is ready before the first SP asks for it.
  await rt.keys.ensureCurrent(systemActor('saml-first-start'));
  const ssoTotal = new Counter({
    name: 'keyway_saml_sso_total',
    help: 'SAML sign-ins by flow and outcome (issued, denied)',
    labelNames: ['flow', 'outcome'],
    registers: [ctx.registry],
  });
  const refusedTotal = new Counter({
    name: 'keyway_saml_messages_refused_total',
    help: 'Inbound SAML messages refused, by error code',
    labelNames: ['code'],
    registers: [ctx.registry],
  });

  /** A refusal: to the SP as a SAML status when its ACS is trustworthy, else a page for the person; always audited. */
  const refuse = async (
    req: FastifyRequest,
    reply: FastifyReply,
    e: unknown,
    action: string,
  ): Promise<FastifyReply> => {
    if (!isSamlError(e)) throw e;
    const status = samlStatusFor(e);
    refusedTotal.inc({ code: e.code });
    await ctx.store.audit.record({
      action,
      actor: actorOf(req, await currentSignIn(req, ctx)),
      outcome: 'failure',
      reason: e.code,
      details: {
        message: e.message,
        ...(e.detail ? { detail: e.detail.slice(0, 256) } : {}),
        ...(e.respondTo ? { entityId: e.respondTo.spEntityId } : {}),
      },
    });
    req.log.info({ code: e.code, detail: e.detail }, 'SAML request refused');
    if (status.respondToSp && e.respondTo) {
      const built = buildErrorResponse({
        issuer: rt.urls.entityId,
        destination: e.respondTo.acsUrl,
        inResponseTo: e.respondTo.inResponseTo,
        now: ctx.now(),
        status: { code: status.code, ...(status.subCode ? { subCode: status.subCode } : {}), message: status.message },
        signing: { credential: await rt.signingCredential() },
      });
      return sendPostForm(reply, e.respondTo.acsUrl, {
        SAMLResponse: built.base64,
        ...(e.respondTo.relayState !== undefined ? { RelayState: e.respondTo.relayState } : {}),
      });
    }
    return sendSamlErrorPage(reply, 400, e.message, e.code, req.id);
  };

  const complete = async (
    req: FastifyRequest,
    reply: FastifyReply,
    who: SignedIn,
    target: SamlApplication,
    pending: Omit<PendingRequest, 'exp'>,
  ) => {
    const outcome = await issueResponse({ ctx, rt, who, app: target, pending, ip: req.ip, requestId: req.id });
    ssoTotal.inc({
      flow: pending.requestId ? 'sp-initiated' : 'idp-initiated',
      outcome: outcome.kind === 'denied' ? 'denied' : 'issued',
    });
    if (outcome.kind === 'denied') return sendNotAllowed(reply, who, target.name, outcome.message);
    return sendPostForm(reply, outcome.action, outcome.fields);
  };

  app.setErrorHandler(async (error, req, reply) => {
    if (isSamlError(error)) return refuse(req, reply, error, 'saml.request.refused');
    const mapped = mapError(error);
    if (mapped.internal) req.log.error({ err: error }, 'SAML endpoint failed');
    return sendInfoPage(
      reply,
      mapped.status,
      mapped.internal ? 'Something went wrong' : 'The request could not be processed',
      mapped.internal ? `Please try again. Reference: ${req.id}` : mapped.body.message,
    );
  });

  app.get<{ Querystring: { download?: string } }>('/saml/metadata', { schema: { hide: true } }, async (req, reply) => {
    const xml = await rt.metadataXml(ctx.now());
    reply
      .header('content-type', 'application/samlmetadata+xml; charset=utf-8')
      .header('cache-control', 'public, max-age=300');
    if (req.query.download === '1' || req.query.download === 'true')
      reply.header('content-disposition', 'attachment; filename="keyway-idp-metadata.xml"');
    return reply.send(xml);
  });

  // The same metadata at a stable per-application address, as a file named after the app (docs/saml-apps.md).
  app.get<{ Params: { id: string } }>('/saml/apps/:id/metadata', { schema: { hide: true } }, async (req, reply) => {
    const target = await rt.apps.get(req.params.id);
    const file = `keyway-idp-metadata-${target.name.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 60)}.xml`;
    return reply
      .header('content-type', 'application/samlmetadata+xml; charset=utf-8')
      .header('content-disposition', `attachment; filename="${file}"`)
      .send(await rt.metadataXml(ctx.now()));
  });

  const sso = async (req: FastifyRequest, reply: FastifyReply) => {
    let valid: Awaited<ReturnType<typeof receiveSsoRequest>>;
    try {
      valid = await receiveSsoRequest(req, ctx, rt);
    } catch (e) {
      return refuse(req, reply, e, 'saml.sso');
    }
    const who = await currentSignIn(req, ctx);
    if ((!who || valid.forceAuthn) && valid.isPassive) {
      // SAML core 3.4.1: IsPassive forbids Keyway from showing its sign-in page, also when ForceAuthn asks for it.
      return refuse(
        req,
        reply,
        new SamlError(
          'no_passive',
          who ? 'ForceAuthn needs a fresh sign-in, which IsPassive forbids.' : 'The user is not signed in.',
          undefined,
          {
            spEntityId: valid.app.entityId,
            acsUrl: valid.pending.acsUrl,
            inResponseTo: valid.pending.requestId ?? '',
            ...(valid.pending.relayState !== undefined ? { relayState: valid.pending.relayState } : {}),
          },
        ),
        'saml.sso',
      );
    }
    if (!who || valid.forceAuthn) {
      // ForceAuthn (SAML core 3.4.1): the user signs in again even with a live session; the resume step checks it.
      const now = ctx.now();
      const token = sealPending(pendingKey, {
        ...valid.pending,
        ...(valid.forceAuthn ? { authnAfter: now.getTime() } : {}),
        exp: Math.floor(now.getTime() / 1000) + PENDING_TTL_SECONDS,
      });
      return reply
        .code(303)
        .header('cache-control', 'no-store')
        .redirect(signInUrl(`/saml/sso/resume?t=${token}`, { reauthenticate: valid.forceAuthn }));
    }
    return complete(req, reply, who, valid.app, valid.pending);
  };
  app.get('/saml/sso', { schema: { hide: true } }, sso);
  app.post('/saml/sso', { schema: { hide: true } }, sso);

  app.get<{ Querystring: { t?: string } }>('/saml/sso/resume', { schema: { hide: true } }, async (req, reply) => {
    const pending = openPending(pendingKey, req.query.t, ctx.now());
    if (!pending)
      return sendInfoPage(
        reply,
        400,
        'This sign-in link has expired',
        'Go back to the application and start signing in again.',
      );
    const who = await requireSignIn(req, reply, ctx);
    if (!who) return reply;
    if (pending.authnAfter !== undefined && new Date(who.session.createdAt).getTime() < pending.authnAfter) {
      // ForceAuthn: this session predates the request, so it cannot answer it.
      return reply
        .code(303)
        .header('cache-control', 'no-store')
        .redirect(signInUrl(req.url, { reauthenticate: true }));
    }
    const target = await rt.apps.get(pending.appId);
    // The app may have changed while the user signed in: the ACS must still be one of its registered ones.
    if (!target.acs.some((a) => a.url === pending.acsUrl))
      return sendInfoPage(
        reply,
        409,
        'The application changed',
        `${target.name} was reconfigured while you signed in. Go back to it and start again.`,
        who,
      );
    return complete(req, reply, who, target, pending);
  });

  app.get<{ Params: { id: string }; Querystring: { RelayState?: string } }>(
    '/saml/apps/:id/start',
    { schema: { hide: true } },
    async (req, reply) => {
      const relayState = typeof req.query.RelayState === 'string' ? req.query.RelayState : undefined;
      if (relayState !== undefined && Buffer.byteLength(relayState) > MAX_RELAY_STATE_BYTES) {
        return sendInfoPage(
          reply,
          400,
          'The link is too long',
          `RelayState may be at most ${MAX_RELAY_STATE_BYTES} bytes (SAML bindings 3.5.3).`,
        );
      }
      const who = await requireSignIn(req, reply, ctx);
      if (!who) return reply;
      let target: SamlApplication;
      try {
        target = await rt.apps.get(req.params.id);
      } catch (e) {
        if (isDomainError(e) && e.code === 'not_found')
          return sendInfoPage(reply, 404, 'No such application', 'This application does not exist (any more).', who);
        throw e;
      }
      const acs = target.acs.find((a) => a.isDefault) ?? target.acs[0];
      if (!acs)
        return sendInfoPage(
          reply,
          409,
          'The application is not set up',
          `${target.name} has no sign-in address. Ask an administrator.`,
          who,
        );
      const rs = relayState ?? target.defaultRelayState ?? undefined;
      return complete(req, reply, who, target, {
        appId: target.id,
        acsUrl: acs.url,
        ...(rs !== undefined ? { relayState: rs } : {}),
      });
    },
  );

  await registerSloRoutes(app, ctx, rt, { refuse });
};

const tiles = {
  id: 'saml-apps',
  async tilesFor(user: { id: string }, ctx: ServerContext): Promise<readonly PortalTile[]> {
    const rt: SamlRuntime = createSamlRuntime(ctx);
    const apps = (await rt.apps.listForUser(user.id)).filter((a) => !rt.types.get(a.type).ownPortalTile);
    const out: PortalTile[] = apps.map((a) => ({
      title: a.name,
      href: `/saml/apps/${encodeURIComponent(a.id)}/start`,
      kind: 'SAML app',
      ...(a.description ? { description: a.description } : {}),
    }));
    if (apps.length)
      out.push({
        title: 'Sign out of all apps',
        href: '/saml/logout',
        kind: 'Single logout',
        description: 'Ends your Keyway session and signs you out of the apps you opened.',
        method: 'POST',
      });
    return out;
  },
};

export const samlModule: ServerModule = { name: 'saml-idp', routes: register, portalTiles: tiles };
