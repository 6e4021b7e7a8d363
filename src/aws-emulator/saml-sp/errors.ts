/**
 * Why a SAML Response was refused. The codes are stable; callers (STS, the sign-in endpoint) map them to AWS's
 * own error codes and messages, and `detail` (never shown to the client) goes to the emulator's log.
 */
export type SamlRejectionCode =
  /** Not base64, not well-formed XML, or XML with a construct SAML never needs (DOCTYPE, PI, entity…). */
  | 'malformed'
  /** Over a size, depth or count limit (checked before parsing where possible). */
  | 'too_large'
  /** Well-formed but not the shape of a SAML Response (wrong root, several assertions, duplicate IDs…). */
  | 'bad_structure'
  /** No signature covers the assertion. */
  | 'unsigned'
  /** A signature whose shape is refused before any cryptography (wrapping, references, transforms, algorithms). */
  | 'bad_signature_shape'
  /** The signature does not verify against any certificate of the provider's metadata. */
  | 'signature_invalid'
  /** A signed value that SAML or AWS does not allow (bad time stamp, missing ID, encrypted parts…). */
  | 'bad_value'
  /** The IdP's Response status is not Success. */
  | 'status_not_success';

export class SamlRejection extends Error {
  override readonly name = 'SamlRejection';
  constructor(
    readonly code: SamlRejectionCode,
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}
