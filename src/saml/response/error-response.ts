/**
 * A `<samlp:Response>` without an assertion, carrying a failure status (SAML core 3.2.2.2), e.g.
 * Requester/InvalidNameIDPolicy or Responder/RequestDenied. Only send it when `samlStatusFor(error).respondToSp`.
 */
import { SamlError } from '../errors.js';
import type { SignatureAlgorithmName } from '../crypto/algorithms.js';
import type { SigningCredential } from '../crypto/credential.js';
import { buildStatusResponse, type StatusInput } from './status.js';

export interface ErrorResponseOptions {
  readonly issuer: string;
  readonly destination: string;
  readonly inResponseTo?: string;
  readonly status: StatusInput;
  readonly now?: Date;
  /** Signed by default when a credential is given (SPs may require signed responses even for errors). */
  readonly signing?: {
    readonly credential: SigningCredential;
    readonly algorithm?: SignatureAlgorithmName;
    readonly allowSha1?: boolean;
  };
}

export interface BuiltErrorResponse {
  readonly xml: string;
  readonly base64: string;
  readonly responseId: string;
}

export function buildErrorResponse(opts: ErrorResponseOptions): BuiltErrorResponse {
  if (!opts.status.code || opts.status.code.endsWith(':Success')) {
    throw new SamlError('invalid_field', 'An error response needs a failure status code.');
  }
  const { id, xml, base64 } = buildStatusResponse('samlp:Response', opts);
  return { xml, base64, responseId: id };
}
