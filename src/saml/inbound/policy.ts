/**
 * Policy checks on an inbound request, one rule per function so each can be tested with a bad input and the
 * pipeline reads as a list of named steps (docs/contributing.md, habit 1).
 */
import { BINDING, NAMEID_FORMAT } from '../constants.js';
import { SamlError } from '../errors.js';
import { MAX_RELAY_STATE_BYTES } from '../bindings/limits.js';
import type { AuthnRequest, NameIdPolicy } from './authn-request.js';
import type { AcsEndpoint, ReplayCache, ServiceProviderLookup, ServiceProviderTrust, SloEndpoint } from './ports.js';

/** The Issuer must be a registered SP (docs/security.md, SAML rule 4). */
export async function checkIssuerKnown(issuer: string, lookup: ServiceProviderLookup): Promise<ServiceProviderTrust> {
  const sp = await lookup(issuer);
  if (!sp)
    throw new SamlError(
      'unknown_issuer',
      'The service provider is not registered with this identity provider.',
      issuer.slice(0, 256),
    );
  return sp;
}

/** An SP that promised to sign its AuthnRequests must do so (SAML metadata 2.4.4 AuthnRequestsSigned). */
export function checkSignaturePolicy(
  sp: ServiceProviderTrust,
  signed: boolean,
  required = sp.authnRequestsSigned,
): void {
  if (required && !signed)
    throw new SamlError('signature_missing', 'The request must be signed by the service provider.');
}

export interface FreshnessOptions {
  readonly now: Date;
  /** Oldest acceptable IssueInstant, in seconds before now. Default 300. */
  readonly maxAgeSeconds?: number;
  /** Clock skew tolerated in both directions. Default 60. */
  readonly skewSeconds?: number;
}

export function checkFreshness(issueInstant: Date, opts: FreshnessOptions): void {
  const skew = (opts.skewSeconds ?? 60) * 1000;
  const maxAge = (opts.maxAgeSeconds ?? 300) * 1000;
  const now = opts.now.getTime();
  if (issueInstant.getTime() > now + skew)
    throw new SamlError('not_yet_valid', 'The request was issued in the future.');
  if (issueInstant.getTime() < now - maxAge - skew) throw new SamlError('stale', 'The request is too old.');
}

/** When this message's ID may be forgotten by the replay cache: once it could no longer pass `checkFreshness`. */
export function replayExpiry(issueInstant: Date, opts: FreshnessOptions): Date {
  return new Date(issueInstant.getTime() + ((opts.maxAgeSeconds ?? 300) + 2 * (opts.skewSeconds ?? 60)) * 1000);
}

/**
 * SAML bindings 3.4.5.2 / 3.5.5.2: a signed message must name its Destination, which must be where it arrived.
 * Unsigned messages may omit it; if present it is still checked.
 */
export function checkDestination(
  destination: string | undefined,
  acceptedUrls: readonly string[],
  signed: boolean,
): void {
  if (destination === undefined) {
    if (signed) throw new SamlError('destination_mismatch', 'A signed request must name its Destination.');
    return;
  }
  if (!acceptedUrls.includes(destination)) {
    throw new SamlError(
      'destination_mismatch',
      'The request was meant for another endpoint.',
      destination.slice(0, 256),
    );
  }
}

/** Each message ID is accepted once, keyed by issuer (IDs are unique per issuer, SAML core 1.3.4). */
export async function checkNotReplayed(cache: ReplayCache, issuer: string, id: string, expiresAt: Date): Promise<void> {
  if (!(await cache.checkAndRemember(`${issuer}\u0000${id}`, expiresAt))) {
    throw new SamlError('replayed', 'This request has already been used.');
  }
}

/** SAML bindings 3.4.3 / 3.5.3. */
export function checkRelayState(relayState: string | undefined): void {
  if (relayState !== undefined && Buffer.byteLength(relayState, 'utf8') > MAX_RELAY_STATE_BYTES) {
    throw new SamlError('relay_state_too_long', `RelayState must not exceed ${MAX_RELAY_STATE_BYTES} bytes.`);
  }
}

/**
 * Picks the ACS the response goes to: the requested URL or index only if registered; otherwise the SP's default
 * (SAML metadata 2.2.3: isDefault="true", else the first not marked false, else the first). Only HTTP-POST
 * endpoints qualify, since Keyway delivers responses with that binding.
 */
export function resolveAcs(
  request: Pick<AuthnRequest, 'acsUrl' | 'acsIndex' | 'protocolBinding'>,
  sp: ServiceProviderTrust,
): AcsEndpoint {
  if (request.protocolBinding !== undefined && request.protocolBinding !== BINDING.post) {
    throw new SamlError(
      'unsupported_binding',
      'Responses are delivered with the HTTP-POST binding only.',
      request.protocolBinding,
    );
  }
  const post = sp.assertionConsumerServices.filter((a) => a.binding === BINDING.post);
  if (request.acsUrl !== undefined) {
    const hit = post.find((a) => a.location === request.acsUrl);
    if (!hit)
      throw new SamlError(
        'acs_not_registered',
        'The requested assertion consumer service URL is not registered for this service provider.',
      );
    return hit;
  }
  if (request.acsIndex !== undefined) {
    const hit = post.find((a) => a.index === request.acsIndex);
    if (!hit)
      throw new SamlError(
        'acs_not_registered',
        'The requested assertion consumer service index is not registered for this service provider.',
      );
    return hit;
  }
  const chosen = post.find((a) => a.isDefault === true) ?? post.find((a) => a.isDefault !== false) ?? post[0];
  if (!chosen)
    throw new SamlError('acs_not_registered', 'The service provider has no HTTP-POST assertion consumer service.');
  return chosen;
}

/**
 * SAML core 3.4.1.1: a requested NameID format the IdP cannot produce is answered with InvalidNameIDPolicy.
 * `unspecified` leaves the choice to the IdP.
 */
export function checkNameIdPolicy(policy: NameIdPolicy | undefined, supportedFormats: readonly string[]): void {
  const format = policy?.format;
  if (format === undefined || format === NAMEID_FORMAT.unspecified) return;
  if (!supportedFormats.includes(format)) {
    throw new SamlError(
      'invalid_name_id_policy',
      'The requested NameID format is not supported for this service provider.',
      format,
    );
  }
}

/** The SP's single-logout endpoint for a binding; `response` picks ResponseLocation when it has one. */
export function resolveSlo(
  sp: ServiceProviderTrust,
  binding: 'redirect' | 'post',
  response: boolean,
): SloEndpoint & { readonly url: string } {
  const hit = (sp.singleLogoutServices ?? []).find((s) => s.binding === BINDING[binding]);
  if (!hit)
    throw new SamlError('unsupported_binding', 'The service provider has no single logout endpoint for this binding.');
  return { ...hit, url: response ? (hit.responseLocation ?? hit.location) : hit.location };
}
