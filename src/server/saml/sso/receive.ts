/**
 * Adapts an HTTP request to src/saml's inbound pipeline for AuthnRequests: which binding, the SP as Keyway
 * trusts it (from the application), the database-backed replay cache, and Keyway's own NameID-format rule.
 */
import type { FastifyRequest } from 'fastify';
import type { SamlApplication } from '../../../core/index.js';
import {
  BINDING,
  NAMEID_FORMAT,
  SamlError,
  receiveAuthnRequest,
  type InboundHttpMessage,
  type ReplayCache,
  type ServiceProviderTrust,
} from '../../../saml/index.js';
import type { ServerContext } from '../../deps.js';
import type { SamlRuntime } from '../runtime.js';
import type { PendingRequest } from './pending-request.js';

/** The SP as the protocol library checks it; every ACS is an HTTP-POST endpoint (how Keyway delivers responses). */
export const spTrustOf = (app: SamlApplication): ServiceProviderTrust => ({
  entityId: app.entityId,
  signingCertificates: app.signingCertificates,
  authnRequestsSigned: app.requireSignedRequests,
  assertionConsumerServices: app.acs.map((a) => ({
    index: a.index,
    isDefault: a.isDefault,
    binding: BINDING.post,
    location: a.url,
  })),
  singleLogoutServices: app.slo
    ? [
        {
          binding: app.slo.binding === 'HTTP-POST' ? BINDING.post : BINDING.redirect,
          location: app.slo.url,
          ...(app.slo.responseUrl ? { responseLocation: app.slo.responseUrl } : {}),
        },
      ]
    : [],
  allowSha1: app.allowSha1,
});

export const replayCacheOf = (rt: SamlRuntime, now: () => Date): ReplayCache => ({
  checkAndRemember: (key, expiresAt) => rt.replay.remember(key, expiresAt, now()),
});

/** The raw query string exactly as sent: the Redirect binding's signature covers the encoded bytes. */
export const inboundOf = (req: FastifyRequest): InboundHttpMessage => {
  if (req.method === 'GET') {
    const q = req.url.indexOf('?');
    return { binding: 'redirect', query: q === -1 ? '' : req.url.slice(q + 1) };
  }
  const body = req.body;
  return {
    binding: 'post',
    form: typeof body === 'object' && body !== null ? (body as Record<string, string | string[]>) : {},
  };
};

export interface ValidRequest {
  readonly app: SamlApplication;
  readonly pending: Omit<PendingRequest, 'exp'>;
  readonly isPassive: boolean;
  readonly forceAuthn: boolean;
  readonly signed: boolean;
}

export const receiveSsoRequest = async (
  req: FastifyRequest,
  ctx: ServerContext,
  rt: SamlRuntime,
): Promise<ValidRequest> => {
  const apps = new Map<string, SamlApplication>();
  const received = await receiveAuthnRequest(inboundOf(req), {
    lookupSp: async (entityId) => {
      const app = await rt.apps.findByEntityId(entityId);
      if (!app) return undefined;
      apps.set(entityId, app);
      return spTrustOf(app);
    },
    replayCache: replayCacheOf(rt, ctx.now),
    ssoUrls: [rt.urls.sso],
    now: ctx.now(),
    skewSeconds: ctx.config.samlClockSkewSeconds,
  });
  const app = apps.get(received.sp.entityId);
  if (!app)
    throw new SamlError('unknown_issuer', 'The service provider is not registered with this identity provider.');
  // SAML core 3.4.1.1: Keyway issues each app's configured format, or a transient one when asked (it can always
  // make one up); asking for any other format is InvalidNameIDPolicy.
  const asked = received.request.nameIdPolicy?.format;
  const transient = asked === NAMEID_FORMAT.transient && app.nameIdFormat !== 'transient';
  const pending = {
    appId: app.id,
    requestId: received.request.id,
    acsUrl: received.acs.location,
    ...(received.relayState !== undefined ? { relayState: received.relayState } : {}),
    ...(transient ? { transient: true } : {}),
    ...(received.request.requestedAuthnContext
      ? {
          authnContext: {
            comparison: received.request.requestedAuthnContext.comparison,
            classRefs: received.request.requestedAuthnContext.classRefs.slice(0, 8),
          },
        }
      : {}),
  };
  if (
    asked !== undefined &&
    asked !== NAMEID_FORMAT.unspecified &&
    asked !== NAMEID_FORMAT.transient &&
    asked !== NAMEID_FORMAT[app.nameIdFormat]
  ) {
    throw new SamlError(
      'invalid_name_id_policy',
      `This application is configured for ${app.nameIdFormat} NameIDs.`,
      asked,
      {
        spEntityId: app.entityId,
        acsUrl: pending.acsUrl,
        inResponseTo: received.request.id,
        ...(received.relayState !== undefined ? { relayState: received.relayState } : {}),
      },
    );
  }
  return {
    app,
    pending,
    isPassive: received.request.isPassive,
    forceAuthn: received.request.forceAuthn,
    signed: received.signed,
  };
};
