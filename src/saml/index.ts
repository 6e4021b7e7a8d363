/**
 * Keyway's SAML 2.0 IdP protocol library. It knows no domain and imports nothing of Keyway's; ports it needs
 * (issuer lookup, replay cache) are declared here. See docs/saml.md.
 *
 * Outbound (Keyway → SP): buildResponse, buildErrorResponse, buildIdpMetadata, buildPostForm, logout builders,
 * redirect encoding. Inbound (SP → Keyway): receiveAuthnRequest / receiveLogoutRequest / receiveLogoutResponse
 * and the single-rule steps they are made of, parseSpMetadata. Every rejection is a SamlError with a stable
 * code; samlStatusFor maps it to a SAML status in one place.
 */
export {
  SamlError,
  isSamlError,
  samlStatusFor,
  type ResponseTarget,
  type SamlErrorCode,
  type SamlStatus,
} from './errors.js';
export {
  ALG,
  ATTRNAME_FORMAT,
  AUTHN_CONTEXT,
  BINDING,
  NAMEID_FORMAT,
  NS,
  STATUS,
  type BindingName,
} from './constants.js';

export {
  createSigningCredential,
  certificateBase64,
  toPem,
  MIN_RSA_BITS,
  type SigningCredential,
} from './crypto/credential.js';
export { createSelfSignedCertificate, type SelfSignedCertificateOptions } from './crypto/self-signed.js';
export type { SignatureAlgorithmName, AlgorithmPolicy } from './crypto/algorithms.js';
export {
  verifyEnvelopedSignature,
  rootSignature,
  signaturesIn,
  type EnvelopedVerifyOptions,
  type VerifiedElement,
} from './crypto/enveloped-verify.js';

export { parseXml } from './xml/parse.js';
export { DEFAULT_XML_LIMITS, METADATA_XML_LIMITS, type XmlLimits } from './xml/limits.js';

export {
  buildResponse,
  type ResponseOptions,
  type ResponseSigningOptions,
  type BuiltResponse,
  type NameIdOptions,
  type SamlAttribute,
} from './response/build-response.js';
export type { AssertionEncryption } from './response/encrypt-assertion.js';
export { buildErrorResponse, type ErrorResponseOptions, type BuiltErrorResponse } from './response/error-response.js';
export type { StatusInput } from './response/status.js';
export { newSamlId } from './response/ids.js';

export { buildIdpMetadata, type IdpMetadataOptions, type MetadataEndpoint } from './metadata/idp-metadata.js';

export { buildPostForm, postFormCsp, POST_FORM_SCRIPT_HASH, type PostFormOptions } from './bindings/post-form.js';
export { parseSpMetadata, type SpMetadata } from './metadata/sp-metadata.js';

export { decodeRedirectMessage, encodeRedirect, verifyRedirectSignature } from './bindings/redirect.js';
export type {
  DecodedMessage,
  MessageParam,
  RedirectEncodeOptions,
  RedirectSignature,
  RedirectVerifyOptions,
} from './bindings/redirect.js';
export { decodePostMessage, type FormFields } from './bindings/post.js';
export { DEFAULT_INBOUND_LIMITS, MAX_RELAY_STATE_BYTES, type InboundLimits } from './bindings/limits.js';

export type {
  AcsEndpoint,
  ReplayCache,
  ServiceProviderLookup,
  ServiceProviderTrust,
  SloEndpoint,
} from './inbound/ports.js';
export { InMemoryReplayCache } from './inbound/memory-replay-cache.js';
export { readAuthnRequest, type AuthnRequest, type NameIdPolicy } from './inbound/authn-request.js';
export {
  checkDestination,
  checkFreshness,
  checkIssuerKnown,
  checkNameIdPolicy,
  checkNotReplayed,
  checkRelayState,
  checkSignaturePolicy,
  replayExpiry,
  resolveAcs,
  resolveSlo,
  type FreshnessOptions,
} from './inbound/policy.js';
export { receiveMessage, type InboundHttpMessage, type ReceivedMessage } from './inbound/receive-message.js';
export {
  receiveAuthnRequest,
  type AuthnRequestContext,
  type ReceivedAuthnRequest,
} from './inbound/receive-authn-request.js';

export {
  buildLogoutRequest,
  readLogoutRequest,
  type BuiltMessage,
  type LogoutNameId,
  type LogoutRequest,
  type LogoutRequestOptions,
  type OutboundSigning,
} from './logout/logout-request.js';
export {
  buildLogoutResponse,
  readLogoutResponse,
  type LogoutResponse,
  type LogoutResponseOptions,
} from './logout/logout-response.js';
export {
  receiveLogoutRequest,
  receiveLogoutResponse,
  type LogoutContext,
  type ReceivedLogoutRequest,
  type ReceivedLogoutResponse,
} from './logout/receive-logout.js';
