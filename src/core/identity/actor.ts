/** Who did something: every write and every audit record names one. */
export interface Actor {
  readonly kind: 'user' | 'api-token' | 'cli' | 'system' | 'scim-token' | 'anonymous';
  /** User id, token id, or a fixed name such as `demo-seed` for system actors. */
  readonly id: string;
  /** Human-readable label for logs and audit views (userName, token name). */
  readonly label?: string;
  readonly ip?: string;
  readonly requestId?: string;
}

export const systemActor = (id: string): Actor => ({ kind: 'system', id, label: id });
