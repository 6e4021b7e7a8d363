/**
 * How each wire protocol reports a SigV4 failure. Query services (IAM, STS) use AWS's common error codes;
 * JSON 1.1 services answer with the Coral exception names their clients see (`InvalidSignatureException`, …).
 */
import { AwsServiceError } from './contract.js';
import type { SigV4FailureKind } from './sigv4.js';
import type { SigV4Failure } from './sigv4.js';

const QUERY: Record<SigV4FailureKind, [code: string, status: number]> = {
  missing: ['MissingAuthenticationToken', 403],
  incomplete: ['IncompleteSignature', 400],
  'unknown-key': ['InvalidClientTokenId', 403],
  'invalid-token': ['InvalidClientTokenId', 403],
  'expired-token': ['ExpiredToken', 403],
  mismatch: ['SignatureDoesNotMatch', 403],
};

const JSON_1_1: Record<SigV4FailureKind, [code: string, status: number]> = {
  missing: ['MissingAuthenticationTokenException', 400],
  incomplete: ['IncompleteSignatureException', 400],
  'unknown-key': ['UnrecognizedClientException', 400],
  'invalid-token': ['UnrecognizedClientException', 400],
  'expired-token': ['ExpiredTokenException', 400],
  mismatch: ['InvalidSignatureException', 400],
};

export function authError(failure: SigV4Failure, protocol: 'query' | 'json'): AwsServiceError {
  const [code, status] = (protocol === 'query' ? QUERY : JSON_1_1)[failure.kind];
  return new AwsServiceError(code, failure.message, status, 'Sender');
}
