import type { EmulatorResponse } from '../../http/contract.js';

/**
 * Identity Center's SCIM errors ([doc] SCIMDG per-operation error tables). The body is AWS's own shape, which
 * differs from RFC 7644 §3.12: the key is `schema` (singular), `status` is a string, and AWS adds
 * `exceptionRequestId` and `timeStamp` (observed in real responses; docs/aws-identity-center-emulator.md).
 */
export type ScimErrorCode =
  | 'ValidationException'
  | 'UnauthorizedException'
  | 'AccessDeniedException'
  | 'ResourceNotFoundException'
  | 'ConflictException'
  | 'ThrottlingException'
  | 'InternalServerException';

const STATUS: Record<ScimErrorCode, number> = {
  ValidationException: 400,
  UnauthorizedException: 401,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ConflictException: 409,
  ThrottlingException: 429,
  InternalServerException: 500,
};

export class ScimError extends Error {
  override readonly name = 'ScimError';
  readonly status: number;
  constructor(
    readonly code: ScimErrorCode,
    readonly detail: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(detail);
    this.status = STATUS[code];
  }
}

export const invalid = (detail: string): ScimError => new ScimError('ValidationException', detail);

/** `2022-01-26 16:50:48.135`, the format of AWS's `timeStamp` member. */
export function awsTimeStamp(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

export function renderScimError(err: ScimError, requestId: string, nowMs: number): EmulatorResponse {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-amzn-requestid': requestId,
    'x-amzn-errortype': err.code,
  };
  if (err.retryAfterSeconds !== undefined) headers['retry-after'] = String(err.retryAfterSeconds);
  const body = {
    schema: ['urn:ietf:params:scim:api:messages:2.0:Error'],
    detail: err.detail,
    status: String(err.status),
    exceptionRequestId: requestId,
    timeStamp: awsTimeStamp(nowMs),
  };
  return { status: err.status, headers, body: JSON.stringify(body) };
}
