import type { XmlLimits } from '../xml/limits.js';

/** Caps applied to inbound messages before and while decoding (docs/security.md, SAML rule 5). */
export interface InboundLimits {
  /** Maximum length of the encoded parameter (URL-encoded for Redirect, base64 for POST), in characters. */
  readonly maxEncodedLength: number;
  /** Limits for the decoded XML; `maxBytes` is also the inflate cap of the Redirect binding. */
  readonly xml: XmlLimits;
}

/** AuthnRequests and LogoutRequests are a few KB; 64 KiB leaves room for large signed ones. */
export const DEFAULT_INBOUND_LIMITS: InboundLimits = {
  maxEncodedLength: 128 * 1024,
  xml: { maxBytes: 64 * 1024, maxDepth: 16, maxAttributesPerElement: 24, maxElements: 500 },
};

/** SAML bindings 3.4.3 and 3.5.3: RelayState MUST NOT exceed 80 bytes. */
export const MAX_RELAY_STATE_BYTES = 80;
