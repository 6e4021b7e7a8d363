export { SamlRejection, type SamlRejectionCode } from './errors.js';
export { DEFAULT_XML_LIMITS, type XmlLimits } from './xml-guard.js';
export { DEFAULT_SIGNATURE_POLICY, type SignaturePolicy } from './signature.js';
export type { SamlAssertion, SamlConditions, SamlNameId, SamlSubjectConfirmation } from './assertion-claims.js';
export { certificateToPem, readIdpTrustAnchors, type IdpTrustAnchors } from './metadata.js';
export {
  AWS_ROLE_ATTRIBUTE,
  parseSamlResponse,
  verifySamlResponse,
  type ParsedSamlResponse,
  type SamlVerifyOptions,
  type SignedResponseInfo,
  type VerifiedSamlResponse,
} from './response.js';
export { ReplayCache } from './replay-cache.js';
export { NS } from './namespaces.js';
