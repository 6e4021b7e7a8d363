/** Size and shape limits applied before and during parsing (docs/security.md, SAML rule 5). */
export interface XmlLimits {
  /** Maximum UTF-8 size of the XML text, in bytes. */
  readonly maxBytes: number;
  /** Maximum element nesting depth (the root is depth 1). */
  readonly maxDepth: number;
  /** Maximum attributes (namespace declarations included) on one element. */
  readonly maxAttributesPerElement: number;
  /** Maximum number of elements in the document. */
  readonly maxElements: number;
}

/** Generous for AuthnRequests and LogoutRequests (a few KB in practice), tight enough to stop abuse. */
export const DEFAULT_XML_LIMITS: XmlLimits = {
  maxBytes: 256 * 1024,
  maxDepth: 24,
  maxAttributesPerElement: 32,
  maxElements: 2_000,
};

/** SP metadata can carry many endpoints and certificates, so it gets wider limits. */
export const METADATA_XML_LIMITS: XmlLimits = {
  maxBytes: 1024 * 1024,
  maxDepth: 32,
  maxAttributesPerElement: 64,
  maxElements: 20_000,
};
