/**
 * The one place where errors become admin API responses `{ code, message, problems? }`. Domain errors keep
 * their code; framework errors (bad JSON, too large, wrong media type, schema violations) get stable codes of
 * their own; anything unexpected is a 500 `internal_error` whose detail goes to the log only.
 */
import { isDomainError } from '../../core/index.js';
import type { DomainErrorCode, FieldProblem } from '../../core/index.js';
import type { ErrorBody } from './schemas.js';

export const statusByDomainCode: Record<DomainErrorCode, number> = {
  invalid_input: 400,
  not_found: 404,
  conflict: 409,
  membership_cycle: 409,
  unauthenticated: 401,
  forbidden: 403,
  locked_out: 429,
  rate_limited: 429,
  precondition_failed: 412,
};

interface AjvError {
  readonly instancePath?: string;
  readonly keyword?: string;
  readonly message?: string;
  readonly params?: Record<string, unknown>;
}

interface FrameworkError {
  readonly code?: string;
  readonly statusCode?: number;
  readonly validation?: readonly AjvError[];
  readonly validationContext?: string;
  readonly message?: string;
}

const problemsFrom = (validation: readonly AjvError[], context: string): FieldProblem[] =>
  validation.map((v) => {
    const path = `${context}${(v.instancePath ?? '').replace(/\//g, '.')}`;
    if (v.keyword === 'additionalProperties')
      return { at: `${path}.${String(v.params?.additionalProperty)}`, message: 'unknown field' };
    if (v.keyword === 'required') return { at: `${path}.${String(v.params?.missingProperty)}`, message: 'is required' };
    return { at: path, message: v.message ?? 'is invalid' };
  });

export interface MappedError {
  readonly status: number;
  readonly body: ErrorBody;
  /** True when the cause is ours, not the client's: log it at error level. */
  readonly internal: boolean;
}

export const mapError = (e: unknown): MappedError => {
  if (isDomainError(e)) {
    return {
      status: statusByDomainCode[e.code],
      body: { code: e.code, message: e.message, ...(e.problems.length ? { problems: [...e.problems] } : {}) },
      internal: false,
    };
  }
  const f = (e ?? {}) as FrameworkError;
  if (f.validation) {
    const context = f.validationContext ?? 'body';
    return {
      status: 400,
      body: {
        code: 'invalid_input',
        message: `the request ${context} is invalid`,
        problems: problemsFrom(f.validation, context),
      },
      internal: false,
    };
  }
  switch (f.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return {
        status: 400,
        body: { code: 'malformed_json', message: 'the request body is not valid JSON' },
        internal: false,
      };
    case 'KEYWAY_DATABASE_BUSY':
      return {
        status: 503,
        body: { code: 'database_busy', message: 'the database is busy; try again in a moment' },
        internal: false,
      };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        status: 413,
        body: { code: 'payload_too_large', message: 'the request body is too large' },
        internal: false,
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        status: 415,
        body: { code: 'unsupported_media_type', message: 'send the body as application/json' },
        internal: false,
      };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return {
        status: 400,
        body: { code: 'invalid_input', message: 'the Content-Length header does not match the body' },
        internal: false,
      };
    default:
      break;
  }
  if (
    e instanceof SyntaxError ||
    (typeof f.statusCode === 'number' && f.statusCode === 400 && /JSON|prototype/i.test(f.message ?? ''))
  ) {
    return {
      status: 400,
      body: { code: 'malformed_json', message: 'the request body is not valid JSON' },
      internal: false,
    };
  }
  if (typeof f.statusCode === 'number' && f.statusCode >= 400 && f.statusCode < 500) {
    return {
      status: f.statusCode,
      body: { code: 'bad_request', message: 'the request could not be processed' },
      internal: false,
    };
  }
  return {
    status: 500,
    body: {
      code: 'internal_error',
      message: 'internal error; the request id in the x-request-id header identifies it in the log',
    },
    internal: true,
  };
};
