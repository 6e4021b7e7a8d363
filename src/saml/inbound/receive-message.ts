/**
 * The steps every inbound SAML message goes through before its content is trusted: decode per binding, refuse
 * odd XML, identify the issuer, verify the signature with the issuer's configured keys, and hand back the
 * element to read from (the signed bytes, re-parsed, for POST; for Redirect the signature covers the whole
 * encoded message, so the parsed document is already the signed bytes).
 */
import type { Element } from '@xmldom/xmldom';
import { NS } from '../constants.js';
import { SamlError } from '../errors.js';
import { verifyEnvelopedSignature, rootSignature } from '../crypto/enveloped-verify.js';
import { DEFAULT_INBOUND_LIMITS, type InboundLimits } from '../bindings/limits.js';
import { decodePostMessage, type FormFields } from '../bindings/post.js';
import {
  decodeRedirectMessage,
  verifyRedirectSignature,
  type DecodedMessage,
  type MessageParam,
} from '../bindings/redirect.js';
import { assertUniqueIds } from '../xml/dom.js';
import { parseXml } from '../xml/parse.js';
import { readIssuer } from './message-header.js';
import { checkIssuerKnown, checkRelayState } from './policy.js';
import type { ServiceProviderLookup, ServiceProviderTrust } from './ports.js';

/** An inbound HTTP message as the framework adapter hands it over. */
export type InboundHttpMessage =
  | {
      readonly binding: 'redirect' /** The raw query string, exactly as received (not decoded). */;
      readonly query: string;
    }
  | { readonly binding: 'post'; readonly form: FormFields };

export interface ReceivedMessage {
  readonly binding: 'redirect' | 'post';
  readonly sp: ServiceProviderTrust;
  /** The element to read every value from. */
  readonly root: Element;
  readonly signed: boolean;
  /** The signature algorithm URI, when signed. */
  readonly signatureAlgorithm?: string;
  readonly relayState?: string;
}

export function decodeMessage(input: InboundHttpMessage, param: MessageParam, limits: InboundLimits): DecodedMessage {
  if (input.binding === 'redirect') return decodeRedirectMessage(input.query, param, limits);
  if (input.binding === 'post') return decodePostMessage(input.form, param, limits);
  throw new SamlError('unsupported_binding', 'Only the HTTP-Redirect and HTTP-POST bindings are supported.');
}

export async function receiveMessage(
  input: InboundHttpMessage,
  param: MessageParam,
  expectedRoot: 'AuthnRequest' | 'LogoutRequest' | 'LogoutResponse',
  lookupSp: ServiceProviderLookup,
  limits: InboundLimits = DEFAULT_INBOUND_LIMITS,
): Promise<ReceivedMessage> {
  const decoded = decodeMessage(input, param, limits);
  checkRelayState(decoded.relayState);
  const doc = parseXml(decoded.xml, limits.xml);
  const root = doc.documentElement!;
  if (root.namespaceURI !== NS.samlp || root.localName !== expectedRoot) {
    throw new SamlError('unexpected_message', `The message is not a ${expectedRoot}.`);
  }
  assertUniqueIds(root);
  const envelopedSignature = rootSignature(doc);
  const claimedIssuer = readIssuer(root);
  const sp = await checkIssuerKnown(claimedIssuer, lookupSp);
  const policy = { allowSha1: sp.allowSha1 ?? false, certificates: sp.signingCertificates };

  if (input.binding === 'redirect') {
    // SAML bindings 3.4.4.1: the XML signature must be removed before Redirect encoding.
    if (envelopedSignature)
      throw new SamlError('signature_invalid', 'A Redirect-binding message must not carry an XML signature.');
    if (!decoded.redirectSignature)
      return { binding: 'redirect', sp, root, signed: false, relayState: decoded.relayState };
    verifyRedirectSignature(decoded.redirectSignature, policy);
    return {
      binding: 'redirect',
      sp,
      root,
      signed: true,
      signatureAlgorithm: decoded.redirectSignature.sigAlg,
      relayState: decoded.relayState,
    };
  }
  if (!envelopedSignature) return { binding: 'post', sp, root, signed: false, relayState: decoded.relayState };
  const verified = verifyEnvelopedSignature(decoded.xml, root, envelopedSignature, { ...policy, limits: limits.xml });
  if (readIssuer(verified.element) !== claimedIssuer) {
    throw new SamlError('signature_wrapping', 'The signed Issuer differs from the one the message claims.');
  }
  return {
    binding: 'post',
    sp,
    root: verified.element,
    signed: true,
    signatureAlgorithm: verified.signatureAlgorithm,
    relayState: decoded.relayState,
  };
}
