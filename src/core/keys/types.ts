import type { Actor } from '../identity/actor.js';
import type { AuditEventInput } from '../audit/types.js';

/**
 * Lifecycle of an IdP signing key: `next` (published, not signing) → `current` (the one signing key) →
 * `previous` (published, no longer signing, kept so a rotation can be rolled back) → `retired` (gone from
 * metadata; kept for the audit trail only). Exactly one key is `current` once Keyway has started.
 */
export type SigningKeyState = 'next' | 'current' | 'previous' | 'retired';

export interface SigningKey {
  /** Key id, also used as the cert's serial-derived label in `keyway keys list`. */
  readonly id: string;
  readonly state: SigningKeyState;
  readonly algorithm: 'RSA';
  readonly bits: number;
  /** Self-signed X.509 certificate, PEM. Public. */
  readonly certificatePem: string;
  /** SHA-256 fingerprint of the certificate DER, colon-separated upper-case hex. */
  readonly fingerprint: string;
  /** Envelope produced by the KeyMaterial port (AES-256-GCM under the master key); opaque to the domain. */
  readonly encryptedPrivateKey: string;
  readonly createdAt: string;
  readonly activatedAt: string | null;
  readonly retiredAt: string | null;
}

export interface NewKeyMaterial {
  readonly bits: number;
  readonly certificatePem: string;
  readonly fingerprint: string;
  readonly encryptedPrivateKey: string;
}

/** Generates a key pair and certificate and seals the private key; implemented outside the domain. */
export interface KeyMaterialFactory {
  generate(id: string): Promise<NewKeyMaterial>;
}

export interface KeyStateChange {
  readonly id: string;
  readonly state: SigningKeyState;
  readonly activatedAt?: string;
  readonly retiredAt?: string;
}

/**
 * Storage of signing keys. Writes take the audit record and commit it in the same transaction. The store
 * enforces "at most one current key" itself (a unique index), so two nodes starting at once cannot both
 * install a first key: the loser gets a DomainError('conflict') and re-reads.
 */
export interface SigningKeyStore {
  list(): Promise<readonly SigningKey[]>;
  get(id: string): Promise<SigningKey | null>;
  insert(key: SigningKey, audit: AuditEventInput): Promise<void>;
  /** Applies all changes or none; `expected` guards against a concurrent rotation (conflict when a state moved). */
  changeStates(
    changes: readonly KeyStateChange[],
    expected: readonly { id: string; state: SigningKeyState }[],
    audit: AuditEventInput,
  ): Promise<void>;
}

export interface SigningKeyCommands {
  ensureCurrent(actor: Actor): Promise<SigningKey>;
  list(): Promise<readonly SigningKey[]>;
  rotate(actor: Actor): Promise<SigningKey>;
  promote(actor: Actor, id: string): Promise<SigningKey>;
  retire(actor: Actor, id: string): Promise<SigningKey>;
}
