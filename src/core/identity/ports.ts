/**
 * Storage ports for sign-in state. Implemented in src/store on SQLite and PostgreSQL; nodes keep nothing in
 * memory, so any number of them can serve behind a load balancer.
 */
export interface PasswordCredential {
  readonly userId: string;
  /** PHC string (argon2id). Never logged. */
  readonly hash: string;
  readonly updatedAt: string;
}

export interface Session {
  /** SHA-256 of the session id cookie value, hex; the raw id never reaches storage. */
  readonly idHash: string;
  readonly userId: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly lastSeenAt: string;
  /** How the user authenticated, e.g. ['pwd'] or ['pwd','otp']; SAML maps this to AuthnContextClassRef. */
  readonly authMethods: readonly string[];
  /** Per-session CSRF secret. */
  readonly csrfSecret: string;
  /** Free-form per-session data, e.g. SAML SPs the session signed in to (for single logout). */
  readonly data: Readonly<Record<string, unknown>>;
}

export interface ApiToken {
  readonly id: string;
  readonly name: string;
  /** SHA-256 of the token, hex. */
  readonly hash: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
  readonly lastUsedAt: string | null;
}

/** Counters behind lockout and back-off, keyed by e.g. `user:<id>` or `ip:<addr>`. */
export interface ThrottleState {
  readonly key: string;
  readonly failures: number;
  readonly windowStartedAt: string;
  readonly lockedUntil: string | null;
}

export interface CredentialStore {
  getPassword(userId: string): Promise<PasswordCredential | null>;
  setPassword(userId: string, hash: string): Promise<void>;
}

export interface SessionStore {
  create(session: Session): Promise<void>;
  get(idHash: string): Promise<Session | null>;
  touch(idHash: string, lastSeenAt: string, expiresAt: string): Promise<void>;
  updateData(idHash: string, data: Readonly<Record<string, unknown>>): Promise<void>;
  delete(idHash: string): Promise<void>;
  deleteForUser(userId: string): Promise<number>;
  /** The user's live sessions, most recently seen first (for "where am I signed in"). */
  listForUser(userId: string, now: string): Promise<readonly Session[]>;
  deleteExpired(now: string): Promise<number>;
}

export interface ApiTokenStore {
  create(token: ApiToken): Promise<void>;
  findByHash(hash: string): Promise<ApiToken | null>;
  list(): Promise<readonly ApiToken[]>;
  revoke(id: string, at: string): Promise<boolean>;
  markUsed(id: string, at: string): Promise<void>;
}

export interface ThrottleStore {
  get(key: string): Promise<ThrottleState | null>;
  put(state: ThrottleState): Promise<void>;
  clear(key: string): Promise<void>;
}
