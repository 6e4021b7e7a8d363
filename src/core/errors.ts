/**
 * Domain errors carry a stable code; each protocol (admin API, SCIM, SAML, CLI) maps codes to its own
 * error format in exactly one place.
 */
export type DomainErrorCode =
  | 'invalid_input'
  | 'not_found'
  | 'conflict'
  | 'membership_cycle'
  | 'unauthenticated'
  | 'forbidden'
  | 'locked_out'
  | 'rate_limited'
  | 'precondition_failed';

export interface FieldProblem {
  /** Where the problem is: a field path, or `line 7` for imports. */
  readonly at: string;
  readonly message: string;
}

export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly problems: readonly FieldProblem[] = [],
  ) {
    super(message);
  }
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;
