import type { Page } from '../directory/types.js';
import type { AuditEvent, AuditEventInput, AuditQuery } from './types.js';

/** Audit records outside a directory transaction (sign-in attempts, token use); directory writes audit inside theirs. */
export interface AuditLog {
  record(event: AuditEventInput): Promise<AuditEvent>;
  query(query: AuditQuery): Promise<Page<AuditEvent>>;
}
