/**
 * Authentication strength: what a session's sign-in proves, and what an application or a group demands.
 *
 * - `password`: one knowledge factor.
 * - `mfa`: two factors, at least one of them phishable (a password and an authenticator-app code).
 * - `phishing-resistant`: a WebAuthn credential, whose signature is bound to this origin, so a look-alike site
 *   cannot relay it (NIST SP 800-63B 5.2.5, verifier impersonation resistance).
 *
 * Session methods are Keyway's own names: `pwd`, `otp`, `webauthn` (user verified), `recovery`.
 */
import type { AuditEventInput } from '../audit/types.js';

export const STRENGTHS = ['password', 'mfa', 'phishing-resistant'] as const;
export type AuthStrength = (typeof STRENGTHS)[number];

const rank = (s: AuthStrength): number => STRENGTHS.indexOf(s);

export const isAuthStrength = (v: unknown): v is AuthStrength => STRENGTHS.includes(v as AuthStrength);

export const strengthOf = (authMethods: readonly string[]): AuthStrength => {
  if (authMethods.includes('webauthn')) return 'phishing-resistant';
  const factors = new Set(authMethods.filter((m) => m === 'pwd' || m === 'otp' || m === 'recovery'));
  return factors.size >= 2 ? 'mfa' : 'password';
};

export const meetsStrength = (have: AuthStrength, need: AuthStrength): boolean => rank(have) >= rank(need);

/** The strongest of several demands; `password` (any sign-in) when none. */
export const strongest = (demands: readonly AuthStrength[]): AuthStrength =>
  demands.reduce<AuthStrength>((a, b) => (rank(b) > rank(a) ? b : a), 'password');

/**
 * OIDC `amr` values (RFC 8176 section 2): `pwd`, `otp`, `hwk` for a WebAuthn key (proof of possession of a key
 * held by an authenticator), `user` when the authenticator verified the person, `mfa` when more than one factor.
 */
export const amrOf = (authMethods: readonly string[]): string[] => {
  const amr: string[] = [];
  if (authMethods.includes('pwd')) amr.push('pwd');
  if (authMethods.includes('otp')) amr.push('otp');
  if (authMethods.includes('webauthn')) amr.push('hwk', 'user');
  if (strengthOf(authMethods) !== 'password') amr.push('mfa');
  return amr;
};

/**
 * OIDC `acr` values. `phr` is the OpenID Foundation's "phishing-resistant" value (OpenID Connect Extended
 * Authentication Profile ACR Values 1.0); the others are Keyway's own URNs.
 */
export const ACR: Readonly<Record<AuthStrength, string>> = {
  password: 'urn:keyway:acr:password',
  mfa: 'urn:keyway:acr:mfa',
  'phishing-resistant': 'phr',
};

export const strengthOfAcr = (acr: string): AuthStrength | null =>
  (Object.entries(ACR).find(([, v]) => v === acr)?.[0] as AuthStrength | undefined) ?? null;

/** Who a strength demand applies to: an application (any protocol) or a group's members. */
export interface StrengthSubject {
  readonly type: 'application' | 'group';
  readonly id: string;
}

export interface StrengthPolicy extends StrengthSubject {
  readonly strength: AuthStrength;
  readonly updatedAt: string;
}

/** Storage of strength demands; writes commit their audit record in the same transaction. */
export interface StrengthPolicyStore {
  list(): Promise<readonly StrengthPolicy[]>;
  /** The demands of one application and of any of the given groups (a user's effective groups). */
  forAccess(applicationId: string, groupIds: readonly string[]): Promise<readonly StrengthPolicy[]>;
  set(policy: StrengthPolicy, audit: AuditEventInput): Promise<void>;
  remove(subject: StrengthSubject, audit: AuditEventInput): Promise<boolean>;
}

/** The strength one sign-in to an application needs: the strongest of the application's and the user's groups'. */
export const requiredStrength = (policies: readonly StrengthPolicy[]): AuthStrength =>
  strongest(policies.map((p) => p.strength));
