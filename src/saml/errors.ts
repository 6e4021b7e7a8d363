/**
 * Every SAML rejection is a `SamlError` with a stable code. The public `message` is safe to show to a user or
 * put in a `<samlp:StatusMessage>`; `detail` is for logs only. `samlStatusFor` is the one place where codes
 * become SAML status codes (SAML core 3.2.2.2) and where it is decided whether the SP may be answered at all.
 */
import { STATUS } from './constants.js';

export type SamlErrorCode =
  | 'malformed_xml'
  | 'dtd_forbidden'
  | 'processing_instruction_forbidden'
  | 'too_large'
  | 'too_deep'
  | 'too_many_attributes'
  | 'bad_base64'
  | 'bad_deflate'
  | 'bad_encoding'
  | 'missing_parameter'
  | 'duplicate_parameter'
  | 'unexpected_message'
  | 'missing_field'
  | 'invalid_field'
  | 'comment_in_value'
  | 'duplicate_id'
  | 'invalid_xml_char'
  | 'signature_missing'
  | 'signature_invalid'
  | 'signature_wrapping'
  | 'algorithm_refused'
  | 'sha1_refused'
  | 'unknown_issuer'
  | 'acs_not_registered'
  | 'destination_mismatch'
  | 'stale'
  | 'not_yet_valid'
  | 'replayed'
  | 'relay_state_too_long'
  | 'unsupported_binding'
  | 'invalid_name_id_policy'
  | 'no_passive'
  | 'request_denied'
  | 'bad_key'
  | 'encryption_failed';

export class SamlError extends Error {
  override readonly name = 'SamlError';
  constructor(
    readonly code: SamlErrorCode,
    /** Public text: never contains secrets or echoes large input. */
    message: string,
    /** Internal detail for logs. */
    readonly detail?: string,
    /**
     * Where a status response may go, set only once the request was verified and its ACS resolved; present
     * exactly when `samlStatusFor(this).respondToSp` is true and a response is possible.
     */
    readonly respondTo?: ResponseTarget,
  ) {
    super(message);
  }
}

export interface ResponseTarget {
  readonly spEntityId: string;
  readonly acsUrl: string;
  readonly inResponseTo: string;
  readonly relayState?: string;
}

export const isSamlError = (e: unknown): e is SamlError => e instanceof SamlError;

export interface SamlStatus {
  /** Top-level status code URI (Requester, Responder, VersionMismatch). */
  readonly code: string;
  /** Second-level status code URI, e.g. RequestDenied or InvalidNameIDPolicy. */
  readonly subCode?: string;
  readonly message: string;
  /**
   * Whether a `<samlp:Response>` carrying this status may be sent to the SP's ACS. False when the request
   * could not be tied to a registered SP endpoint with a trustworthy signature (an attacker could otherwise
   * aim Keyway's signed error responses anywhere); show an error page instead.
   */
  readonly respondToSp: boolean;
}

const requester = (subCode: string | undefined, respondToSp: boolean) => ({
  code: STATUS.requester,
  subCode,
  respondToSp,
});

const STATUS_BY_CODE: Record<SamlErrorCode, Omit<SamlStatus, 'message'>> = {
  malformed_xml: requester(undefined, false),
  dtd_forbidden: requester(undefined, false),
  processing_instruction_forbidden: requester(undefined, false),
  too_large: requester(undefined, false),
  too_deep: requester(undefined, false),
  too_many_attributes: requester(undefined, false),
  bad_base64: requester(undefined, false),
  bad_deflate: requester(undefined, false),
  bad_encoding: requester(undefined, false),
  missing_parameter: requester(undefined, false),
  duplicate_parameter: requester(undefined, false),
  unexpected_message: requester(STATUS.requestUnsupported, false),
  missing_field: requester(undefined, false),
  invalid_field: requester(undefined, false),
  comment_in_value: requester(undefined, false),
  duplicate_id: requester(undefined, false),
  invalid_xml_char: { code: STATUS.responder, subCode: undefined, respondToSp: false },
  signature_missing: requester(STATUS.requestDenied, false),
  signature_invalid: requester(STATUS.requestDenied, false),
  signature_wrapping: requester(STATUS.requestDenied, false),
  algorithm_refused: requester(STATUS.requestDenied, false),
  sha1_refused: requester(STATUS.requestDenied, false),
  unknown_issuer: requester(STATUS.requestDenied, false),
  acs_not_registered: requester(STATUS.requestDenied, false),
  destination_mismatch: requester(STATUS.requestDenied, false),
  stale: requester(STATUS.requestDenied, false),
  not_yet_valid: requester(STATUS.requestDenied, false),
  replayed: requester(STATUS.requestDenied, false),
  relay_state_too_long: requester(undefined, false),
  unsupported_binding: requester(STATUS.unsupportedBinding, true),
  invalid_name_id_policy: requester(STATUS.invalidNameIdPolicy, true),
  no_passive: { code: STATUS.responder, subCode: STATUS.noPassive, respondToSp: true },
  request_denied: { code: STATUS.responder, subCode: STATUS.requestDenied, respondToSp: true },
  bad_key: { code: STATUS.responder, subCode: undefined, respondToSp: false },
  encryption_failed: { code: STATUS.responder, subCode: undefined, respondToSp: false },
};

/** Maps an error to the SAML status Keyway answers with (SAML core 3.2.2.2). Unknown errors are Responder errors. */
export function samlStatusFor(error: unknown): SamlStatus {
  if (isSamlError(error)) return { ...STATUS_BY_CODE[error.code], message: error.message };
  return {
    code: STATUS.responder,
    message: 'The identity provider could not process the request.',
    respondToSp: false,
  };
}
