/**
 * Inbound single-logout messages (SAML profiles 4.4.4): the same decoding, shape and signature rules as
 * AuthnRequests. Front-channel logout has no other way to authenticate the requester, so a signature is
 * required unless the caller turns that off for a specific SP.
 */
import { DEFAULT_INBOUND_LIMITS, type InboundLimits } from '../bindings/limits.js';
import { SamlError } from '../errors.js';
import {
  checkDestination,
  checkFreshness,
  checkNotReplayed,
  checkSignaturePolicy,
  replayExpiry,
} from '../inbound/policy.js';
import type { ReplayCache, ServiceProviderLookup, ServiceProviderTrust } from '../inbound/ports.js';
import { receiveMessage, type InboundHttpMessage } from '../inbound/receive-message.js';
import { readLogoutRequest, type LogoutRequest } from './logout-request.js';
import { readLogoutResponse, type LogoutResponse } from './logout-response.js';

export interface LogoutContext {
  readonly lookupSp: ServiceProviderLookup;
  readonly replayCache: ReplayCache;
  /** Keyway's SLO URLs: the Destination values accepted. */
  readonly sloUrls: readonly string[];
  /** Default true (SAML profiles 4.4.4.1). */
  readonly requireSignature?: boolean;
  readonly now?: Date;
  readonly maxAgeSeconds?: number;
  readonly skewSeconds?: number;
  readonly limits?: InboundLimits;
}

export interface ReceivedLogoutRequest {
  readonly request: LogoutRequest;
  readonly sp: ServiceProviderTrust;
  readonly binding: 'redirect' | 'post';
  readonly signed: boolean;
  readonly relayState?: string;
}

export interface ReceivedLogoutResponse {
  readonly response: LogoutResponse;
  readonly sp: ServiceProviderTrust;
  readonly binding: 'redirect' | 'post';
  readonly signed: boolean;
  readonly relayState?: string;
}

export async function receiveLogoutRequest(
  input: InboundHttpMessage,
  ctx: LogoutContext,
): Promise<ReceivedLogoutRequest> {
  const message = await receiveMessage(
    input,
    'SAMLRequest',
    'LogoutRequest',
    ctx.lookupSp,
    ctx.limits ?? DEFAULT_INBOUND_LIMITS,
  );
  checkSignaturePolicy(message.sp, message.signed, ctx.requireSignature ?? true);
  const request = readLogoutRequest(message.root);
  const freshness = { now: ctx.now ?? new Date(), maxAgeSeconds: ctx.maxAgeSeconds, skewSeconds: ctx.skewSeconds };
  checkDestination(request.destination, ctx.sloUrls, message.signed);
  checkFreshness(request.issueInstant, freshness);
  if (
    request.notOnOrAfter &&
    request.notOnOrAfter.getTime() + (ctx.skewSeconds ?? 60) * 1000 <= freshness.now.getTime()
  ) {
    throw new SamlError('stale', 'The logout request has expired.');
  }
  await checkNotReplayed(ctx.replayCache, request.issuer, request.id, replayExpiry(request.issueInstant, freshness));
  return { request, sp: message.sp, binding: message.binding, signed: message.signed, relayState: message.relayState };
}

/**
 * `expectedRequestId` is the ID of the LogoutRequest Keyway sent to this SP; a response to anything else is
 * refused (docs/security.md, SAML rule 4: InResponseTo).
 */
export async function receiveLogoutResponse(
  input: InboundHttpMessage,
  ctx: LogoutContext & { readonly expectedRequestId: (issuer: string, inResponseTo: string) => Promise<boolean> },
): Promise<ReceivedLogoutResponse> {
  const message = await receiveMessage(
    input,
    'SAMLResponse',
    'LogoutResponse',
    ctx.lookupSp,
    ctx.limits ?? DEFAULT_INBOUND_LIMITS,
  );
  checkSignaturePolicy(message.sp, message.signed, ctx.requireSignature ?? true);
  const response = readLogoutResponse(message.root);
  const freshness = { now: ctx.now ?? new Date(), maxAgeSeconds: ctx.maxAgeSeconds, skewSeconds: ctx.skewSeconds };
  checkDestination(response.destination, ctx.sloUrls, message.signed);
  checkFreshness(response.issueInstant, freshness);
  if (!(await ctx.expectedRequestId(response.issuer, response.inResponseTo))) {
    throw new SamlError('invalid_field', 'The logout response does not answer a request Keyway sent.');
  }
  await checkNotReplayed(ctx.replayCache, response.issuer, response.id, replayExpiry(response.issueInstant, freshness));
  return { response, sp: message.sp, binding: message.binding, signed: message.signed, relayState: message.relayState };
}
