import type { Actor } from '../identity/actor.js';

export type AuditOutcome = 'success' | 'failure';

export interface AuditEventInput {
  /** Dotted name, e.g. `user.created`, `signin.password`, `token.revoked`, `saml.sso`. */
  readonly action: string;
  readonly actor: Actor;
  readonly outcome: AuditOutcome;
  /** Machine-readable reason for failures, e.g. `bad_password`, `locked_out`, `unknown_user`. */
  readonly reason?: string;
  readonly target?: { readonly type: string; readonly id: string; readonly label?: string };
  readonly before?: unknown;
  readonly after?: unknown;
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface AuditEvent extends AuditEventInput {
  readonly id: string;
  readonly at: string;
}

export interface AuditQuery {
  readonly actorId?: string;
  readonly targetId?: string;
  readonly action?: string;
  /** ISO-8601 inclusive bounds. */
  readonly since?: string;
  readonly until?: string;
  readonly cursor?: string;
  readonly limit?: number;
  /** Count all matches into `total` (default: on the first page only). */
  readonly count?: boolean;
}
