/**
 * Single logout (SAML profiles 4.4). SP-initiated: GET/POST /saml/slo with a LogoutRequest ends the Keyway
 * session, notifies the session's other SPs, then answers the requester with a LogoutResponse. IdP-initiated:
 * POST /saml/logout from the portal ends the session and notifies every SP the session signed in to.
 * SP answers come back to /saml/slo as LogoutResponses and move the chain on.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isDomainError, type SamlApplication } from '../../../core/index.js';
import {
  buildLogoutRequest,
  buildLogoutResponse,
  encodeRedirect,
  NAMEID_FORMAT,
  receiveLogoutRequest,
  receiveLogoutResponse,
  SamlError,
  STATUS,
} from '../../../saml/index.js';
import { deriveKey } from '../../config.js';
import type { ServerContext } from '../../deps.js';
import { cookieOptions, currentSignIn, endSession, requireCsrf, requireSignIn, type SignedIn } from '../../session.js';
import { sendContinuePage, sendInfoPage, sendLogoutConfirmPage, sendPostForm } from '../pages.js';
import type { SamlRuntime } from '../runtime.js';
import { matchingSession, spSessionsOf, samlSessionIndex } from '../session-sps.js';
import { inboundOf, replayCacheOf, spTrustOf } from '../sso/receive.js';
import {
  MAX_CHAIN_SPS,
  openChain,
  openPendingLogout,
  sealChain,
  sealPendingLogout,
  SLO_COOKIE,
  SLO_TTL_SECONDS,
  type PendingLogout,
  type SloChain,
} from './chain-state.js';

/** The LogoutResponse status for the requesting SP (SAML core 3.2.2.2). */
const statusOf = (chain: SloChain): { code: string; subCode?: string } => {
  if (chain.origin.kind === 'sp' && chain.origin.refused === 'unknown_principal')
    return { code: STATUS.requester, subCode: STATUS.unknownPrincipal };
  if (chain.origin.kind === 'sp' && chain.origin.refused === 'denied')
    return { code: STATUS.responder, subCode: STATUS.requestDenied };
  return chain.partial ? { code: STATUS.success, subCode: STATUS.partialLogout } : { code: STATUS.success };
};

const sendExpired = (reply: FastifyReply) =>
  sendInfoPage(reply, 400, 'This sign-out link has expired', 'Go back to the application and sign out again.');
const sendGone = (reply: FastifyReply) =>
  sendInfoPage(reply, 404, 'No such application', 'The application that asked to sign you out no longer exists.');

type Refuse = (req: FastifyRequest, reply: FastifyReply, e: unknown, action: string) => Promise<FastifyReply>;

export const registerSloRoutes = async (
  app: FastifyInstance,
  ctx: ServerContext,
  rt: SamlRuntime,
  { refuse }: { refuse: Refuse },
): Promise<void> => {
  const key = deriveKey(ctx.config, 'saml-slo-chain');
  // The chain cookie only says which SP answer is awaited; SameSite=None lets an SP's cross-site POST carry it back.
  const cookie = {
    ...cookieOptions(ctx.config),
    path: '/saml/',
    ...(ctx.config.secureCookies ? { sameSite: 'none' as const } : {}),
  };
  const exp = () => Math.floor(ctx.now().getTime() / 1000) + SLO_TTL_SECONDS;

  const appOrNull = async (id: string): Promise<SamlApplication | null> =>
    rt.apps.get(id).catch((e: unknown) => {
      if (isDomainError(e) && e.code === 'not_found') return null;
      throw e;
    });

  /**
   * Sends a SAML message to an SP's SLO endpoint with the binding it registered: HTTP-POST carries an enveloped
   * signature, HTTP-Redirect a query-string signature (SAML bindings 3.4.4.1). Cookies must be set before this.
   * `afterForm`: this answers a form on a Keyway page, so a cross-site hop goes through a continue page.
   */
  const deliver = async (
    reply: FastifyReply,
    sp: SamlApplication,
    param: 'SAMLRequest' | 'SAMLResponse',
    build: (destination: string, signed: boolean) => { xml: string; base64: string },
    relayState?: string,
    afterForm = false,
  ): Promise<FastifyReply> => {
    const slo = sp.slo;
    if (!slo) throw new SamlError('unsupported_binding', 'The service provider has no single logout endpoint.');
    const destination = param === 'SAMLResponse' ? (slo.responseUrl ?? slo.url) : slo.url;
    if (slo.binding === 'HTTP-POST') {
      const built = build(destination, true);
      return sendPostForm(reply, destination, {
        [param]: built.base64,
        ...(relayState !== undefined ? { RelayState: relayState } : {}),
      });
    }
    const built = build(destination, false);
    const url = encodeRedirect({
      destination,
      param,
      xml: built.xml,
      ...(relayState !== undefined ? { relayState } : {}),
      signing: { credential: await rt.signingCredential() },
    });
    if (afterForm) return sendContinuePage(reply, url, 'Signing you out', `Signing you out of ${sp.name}…`);
    return reply.code(303).header('cache-control', 'no-store').redirect(url);
  };

  /** Notifies the next SP with an SLO endpoint, or finishes: answer the requesting SP, or show "signed out". */
  const next = async (reply: FastifyReply, chain: SloChain, afterForm = false): Promise<FastifyReply> => {
    const credential = await rt.signingCredential();
    let remaining = [...chain.remaining];
    while (remaining.length > 0) {
      const [sp, ...rest] = remaining;
      remaining = rest;
      const target = sp ? await appOrNull(sp.appId) : null;
      if (!sp || !target?.slo) continue;
      const destination = target.slo.url;
      const signed = target.slo.binding === 'HTTP-POST';
      const built = buildLogoutRequest({
        issuer: rt.urls.entityId,
        destination,
        now: ctx.now(),
        nameId: {
          value: sp.nameId,
          format: NAMEID_FORMAT[sp.nameIdFormat],
          ...(sp.nameIdFormat === 'persistent' || sp.nameIdFormat === 'transient'
            ? { spNameQualifier: target.entityId }
            : {}),
        },
        ...(chain.sessionIndex ? { sessionIndexes: [chain.sessionIndex] } : {}),
        ...(signed ? { signing: { credential } } : {}),
      });
      reply.setCookie(
        SLO_COOKIE,
        sealChain(key, {
          ...chain,
          remaining,
          waitingFor: { appId: target.id, entityId: target.entityId, requestId: built.id },
          exp: exp(),
        }),
        cookie,
      );
      return deliver(reply, target, 'SAMLRequest', () => built, undefined, afterForm);
    }
    reply.clearCookie(SLO_COOKIE, cookie);
    if (chain.origin.kind === 'portal')
      return reply.code(303).header('cache-control', 'no-store').redirect('/signin?signedOut=1');
    const { origin } = chain;
    const requester = await appOrNull(origin.appId);
    if (!requester?.slo)
      return origin.refused
        ? sendInfoPage(reply, 200, 'You are still signed in', 'Your Keyway session was not ended.')
        : sendInfoPage(reply, 200, 'You have signed out', 'Your Keyway session has ended.');
    return deliver(
      reply,
      requester,
      'SAMLResponse',
      (destination, signed) =>
        buildLogoutResponse({
          issuer: rt.urls.entityId,
          destination,
          inResponseTo: origin.requestId,
          now: ctx.now(),
          status: statusOf(chain),
          ...(signed ? { signing: { credential } } : {}),
        }),
      origin.relayState,
      afterForm,
    );
  };

  const end = async (req: FastifyRequest, reply: FastifyReply, who: SignedIn, initiator: string) => {
    await endSession(reply, ctx, who);
    await ctx.store.audit.record({
      action: 'saml.slo',
      actor: { kind: 'user', id: who.user.id, label: who.user.userName, ip: req.ip, requestId: req.id },
      outcome: 'success',
      target: { type: 'user', id: who.user.id, label: who.user.userName },
      details: { initiator, sps: spSessionsOf(who.session.data).map((s) => s.appId) },
    });
  };

  app.post('/saml/logout', { schema: { hide: true } }, async (req, reply) => {
    const who = await requireSignIn(req, reply, ctx);
    if (!who) return reply;
    if (!(await requireCsrf(req, reply, who, ctx))) return reply;
    const sps = spSessionsOf(who.session.data);
    await end(req, reply, who, 'portal');
    return next(
      reply,
      {
        remaining: sps.slice(0, MAX_CHAIN_SPS),
        sessionIndex: samlSessionIndex(who),
        origin: { kind: 'portal' },
        partial: sps.length > MAX_CHAIN_SPS,
        exp: exp(),
      },
      true,
    );
  });

  /** Per request: the application the SP lookup found, so the handler uses the very one the library checked. */
  const logoutContextFor = (apps: Map<string, SamlApplication>) => ({
    lookupSp: async (entityId: string) => {
      const found = await rt.apps.findByEntityId(entityId);
      if (!found) return undefined;
      apps.set(entityId, found);
      return spTrustOf(found);
    },
    replayCache: replayCacheOf(rt, ctx.now),
    sloUrls: [rt.urls.slo],
    // Enforced below per SP: an SP with a signing certificate must sign; one without cannot.
    requireSignature: false,
    skewSeconds: ctx.config.samlClockSkewSeconds,
    now: ctx.now(),
  });

  const originOf = (sp: SamlApplication, p: PendingLogout, refused?: 'unknown_principal' | 'denied') => ({
    kind: 'sp' as const,
    appId: sp.id,
    requestId: p.requestId,
    ...(p.relayState !== undefined ? { relayState: p.relayState } : {}),
    ...(refused ? { refused } : {}),
  });

  /** Answers the SP without ending anything (SAML profiles 4.4.4.2: the IdP always answers). */
  const refuseLogout = (
    reply: FastifyReply,
    sp: SamlApplication,
    p: PendingLogout,
    refused: 'unknown_principal' | 'denied',
    afterForm = false,
  ) =>
    next(
      reply,
      { remaining: [], sessionIndex: null, partial: false, exp: exp(), origin: originOf(sp, p, refused) },
      afterForm,
    );

  /** Ends this browser's session, which matchingSession found, then notifies the other SPs and answers the requester. */
  const logoutFor = async (
    req: FastifyRequest,
    reply: FastifyReply,
    sp: SamlApplication,
    p: PendingLogout,
    who: SignedIn,
    afterForm = false,
  ): Promise<FastifyReply> => {
    const sps = spSessionsOf(who.session.data);
    await end(req, reply, who, `sp:${sp.entityId}`);
    const others = sps.filter((s) => s.appId !== sp.id);
    return next(
      reply,
      {
        remaining: others.slice(0, MAX_CHAIN_SPS),
        sessionIndex: samlSessionIndex(who),
        partial: others.length > MAX_CHAIN_SPS,
        exp: exp(),
        origin: originOf(sp, p),
      },
      afterForm,
    );
  };

  /**
   * A LogoutRequest that matched this browser's session: a signed one ends it; an unsigned one (from an SP that
   * cannot sign, so from anyone) only after the person confirms on a Keyway page.
   */
  const handleRequest = async (
    req: FastifyRequest,
    reply: FastifyReply,
    sp: SamlApplication,
    p: PendingLogout,
  ): Promise<FastifyReply> => {
    const who = await currentSignIn(req, ctx);
    if (!who || !matchingSession(who, sp.id, p)) return refuseLogout(reply, sp, p, 'unknown_principal');
    if (p.signed) return logoutFor(req, reply, sp, p, who);
    return sendLogoutConfirmPage(reply, who, sp.name, sealPendingLogout(key, p));
  };

  app.get<{ Querystring: { t?: string } }>('/saml/slo/resume', { schema: { hide: true } }, async (req, reply) => {
    const pending = openPendingLogout(key, req.query.t, ctx.now());
    if (!pending) return sendExpired(reply);
    const sp = await appOrNull(pending.appId);
    if (!sp) return sendGone(reply);
    return handleRequest(req, reply, sp, pending);
  });

  app.post<{ Body: { t?: unknown; decision?: unknown } }>(
    '/saml/slo/confirm',
    { schema: { hide: true } },
    async (req, reply) => {
      const who = await requireSignIn(req, reply, ctx);
      if (!who) return reply;
      if (!(await requireCsrf(req, reply, who, ctx))) return reply;
      const body = (req.body ?? {}) as { t?: unknown; decision?: unknown };
      const pending = openPendingLogout(key, body.t, ctx.now());
      if (!pending) return sendExpired(reply);
      const sp = await appOrNull(pending.appId);
      if (!sp) return sendGone(reply);
      if (!matchingSession(who, sp.id, pending)) return refuseLogout(reply, sp, pending, 'unknown_principal', true);
      if (body.decision !== 'sign-out') return refuseLogout(reply, sp, pending, 'denied', true);
      return logoutFor(req, reply, sp, pending, who, true);
    },
  );

  const slo = async (req: FastifyRequest, reply: FastifyReply) => {
    const inbound = inboundOf(req);
    const apps = new Map<string, SamlApplication>();
    const logoutContext = logoutContextFor(apps);
    const isResponse =
      inbound.binding === 'post' ? inbound.form.SAMLResponse !== undefined : /(?:^|&)SAMLResponse=/.test(inbound.query);
    try {
      if (isResponse) {
        const chain = openChain(key, req.cookies[SLO_COOKIE], ctx.now());
        const received = await receiveLogoutResponse(inbound, {
          ...logoutContext,
          expectedRequestId: async (issuer, inResponseTo) =>
            chain?.waitingFor?.entityId === issuer && chain.waitingFor.requestId === inResponseTo,
        });
        const sp = apps.get(received.sp.entityId);
        if (sp && sp.signingCertificates.length > 0 && !received.signed)
          throw new SamlError('signature_missing', 'The logout response must be signed by the service provider.');
        if (!chain) return sendInfoPage(reply, 200, 'You have signed out', 'Your Keyway session has ended.');
        return next(reply, { ...chain, partial: chain.partial || !received.response.success });
      }
      const received = await receiveLogoutRequest(inbound, logoutContext);
      const sp = apps.get(received.sp.entityId);
      if (!sp)
        throw new SamlError('unknown_issuer', 'The service provider is not registered with this identity provider.');
      if (sp.signingCertificates.length > 0 && !received.signed)
        throw new SamlError('signature_missing', 'The logout request must be signed by the service provider.');
      const pending: PendingLogout = {
        appId: sp.id,
        requestId: received.request.id,
        nameId: received.request.nameId.value,
        sessionIndexes: received.request.sessionIndexes.slice(0, 16),
        signed: received.signed,
        exp: exp(),
        ...(received.relayState !== undefined ? { relayState: received.relayState } : {}),
      };
      if (req.method === 'POST' && !(await currentSignIn(req, ctx))) {
        return reply
          .code(303)
          .header('cache-control', 'no-store')
          .redirect(`/saml/slo/resume?t=${sealPendingLogout(key, pending)}`);
      }
      return handleRequest(req, reply, sp, pending);
    } catch (e) {
      return refuse(req, reply, e, 'saml.slo');
    }
  };
  app.get('/saml/slo', { schema: { hide: true } }, slo);
  app.post('/saml/slo', { schema: { hide: true } }, slo);
};
