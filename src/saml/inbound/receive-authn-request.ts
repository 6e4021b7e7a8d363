/**
 * SP-initiated SSO, inbound half (SAML profiles 4.1.4.1): from an HTTP request to a verified, policy-checked
 * AuthnRequest with the ACS the response must go to.
 */
import { NAMEID_FORMAT } from '../constants.js';
import { SamlError, isSamlError } from '../errors.js';
import { DEFAULT_INBOUND_LIMITS, type InboundLimits } from '../bindings/limits.js';
import { readAuthnRequest, type AuthnRequest } from './authn-request.js';
import {
  checkDestination,
  checkFreshness,
  checkNameIdPolicy,
  checkNotReplayed,
  checkSignaturePolicy,
  replayExpiry,
  resolveAcs,
} from './policy.js';
import type { AcsEndpoint, ReplayCache, ServiceProviderLookup, ServiceProviderTrust } from './ports.js';
import { receiveMessage, type InboundHttpMessage } from './receive-message.js';

export interface AuthnRequestContext {
  readonly lookupSp: ServiceProviderLookup;
  readonly replayCache: ReplayCache;
  /** Keyway's SSO URLs: the Destination values accepted. */
  readonly ssoUrls: readonly string[];
  /** NameID formats Keyway can produce for this deployment; default persistent, transient, emailAddress, unspecified. */
  readonly supportedNameIdFormats?: readonly string[];
  readonly now?: Date;
  readonly maxAgeSeconds?: number;
  readonly skewSeconds?: number;
  readonly limits?: InboundLimits;
}

export interface ReceivedAuthnRequest {
  readonly request: AuthnRequest;
  readonly sp: ServiceProviderTrust;
  /** The registered endpoint the Response goes to (HTTP-POST). */
  readonly acs: AcsEndpoint;
  readonly binding: 'redirect' | 'post';
  readonly signed: boolean;
  readonly signatureAlgorithm?: string;
  readonly relayState?: string;
}

const DEFAULT_FORMATS = [
  NAMEID_FORMAT.persistent,
  NAMEID_FORMAT.transient,
  NAMEID_FORMAT.emailAddress,
  NAMEID_FORMAT.unspecified,
];

export async function receiveAuthnRequest(
  input: InboundHttpMessage,
  ctx: AuthnRequestContext,
): Promise<ReceivedAuthnRequest> {
  const message = await receiveMessage(
    input,
    'SAMLRequest',
    'AuthnRequest',
    ctx.lookupSp,
    ctx.limits ?? DEFAULT_INBOUND_LIMITS,
  );
  const { sp, signed } = message;
  checkSignaturePolicy(sp, signed);
  const request = readAuthnRequest(message.root);
  const freshness = { now: ctx.now ?? new Date(), maxAgeSeconds: ctx.maxAgeSeconds, skewSeconds: ctx.skewSeconds };
  checkDestination(request.destination, ctx.ssoUrls, signed);
  checkFreshness(request.issueInstant, freshness);
  // Errors the SP may be told about carry where to tell it: the resolved ACS, or for an unsupported response
  // binding the SP's default HTTP-POST ACS (SAML core 3.4.1: UnsupportedBinding goes back to the requester).
  const answerable = (e: unknown, acsUrl: string): never => {
    if (!isSamlError(e)) throw e;
    throw new SamlError(e.code, e.message, e.detail, {
      spEntityId: sp.entityId,
      acsUrl,
      inResponseTo: request.id,
      ...(message.relayState !== undefined ? { relayState: message.relayState } : {}),
    });
  };
  let acs: AcsEndpoint;
  try {
    acs = resolveAcs(request, sp);
  } catch (e) {
    if (!isSamlError(e) || e.code !== 'unsupported_binding') throw e;
    return answerable(e, resolveAcs({}, sp).location);
  }
  try {
    checkNameIdPolicy(request.nameIdPolicy, ctx.supportedNameIdFormats ?? DEFAULT_FORMATS);
  } catch (e) {
    answerable(e, acs.location);
  }
  // Last, so only verified, otherwise acceptable requests consume their ID.
  await checkNotReplayed(ctx.replayCache, request.issuer, request.id, replayExpiry(request.issueInstant, freshness));
  return {
    request,
    sp,
    acs,
    binding: message.binding,
    signed,
    signatureAlgorithm: message.signatureAlgorithm,
    relayState: message.relayState,
  };
}
