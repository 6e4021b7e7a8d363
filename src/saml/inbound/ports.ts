/** What the inbound side needs from its caller: the SPs it trusts and a one-time cache of message IDs. */

export interface AcsEndpoint {
  /** `md:AssertionConsumerService/@index`; undefined for endpoints configured without one. */
  readonly index?: number;
  readonly isDefault?: boolean;
  /** Binding URI; Keyway delivers responses over HTTP-POST only. */
  readonly binding: string;
  readonly location: string;
}

export interface SloEndpoint {
  readonly binding: string;
  readonly location: string;
  /** Where LogoutResponses go, when it differs from `location` (SAML metadata 2.2.2). */
  readonly responseLocation?: string;
}

/** A service provider as Keyway trusts it: from its metadata or from fields an administrator entered. */
export interface ServiceProviderTrust {
  readonly entityId: string;
  /** Certificates that sign the SP's requests (PEM or base64 DER); the only keys its signatures are checked with. */
  readonly signingCertificates: readonly string[];
  /** The SP promised to sign AuthnRequests (AuthnRequestsSigned); unsigned ones are then refused. */
  readonly authnRequestsSigned: boolean;
  readonly assertionConsumerServices: readonly AcsEndpoint[];
  readonly singleLogoutServices?: readonly SloEndpoint[];
  /** Documented switch: accept SHA-1 signatures from this SP. */
  readonly allowSha1?: boolean;
}

/** Finds a trusted SP by entityID; undefined when unknown. */
export type ServiceProviderLookup = (entityId: string) => Promise<ServiceProviderTrust | undefined>;

/** One-time use of message IDs until they expire (docs/security.md, SAML rule 4). */
export interface ReplayCache {
  /**
   * Records `key` until `expiresAt` and returns true, or returns false when it was already recorded and has not
   * expired. Must be atomic across processes that share the cache.
   */
  checkAndRemember(key: string, expiresAt: Date): Promise<boolean>;
}
