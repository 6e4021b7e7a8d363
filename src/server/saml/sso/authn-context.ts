import { AUTHN_CONTEXT } from '../../../saml/index.js';

/**
 * AuthnContextClassRef from how the session signed in (SAML authn context 3.4): any second factor gives the
 * REFEDS MFA profile; a password gives PasswordProtectedTransport (Keyway's sign-in form is served over TLS in
 * any real deployment); anything else is unspecified rather than a claim Keyway cannot back.
 */
const SECOND_FACTORS = new Set(['otp', 'totp', 'webauthn', 'passkey', 'mfa']);

export const authnContextFor = (authMethods: readonly string[]): string => {
  if (authMethods.some((m) => SECOND_FACTORS.has(m))) return AUTHN_CONTEXT.multiFactor;
  if (authMethods.includes('pwd') || authMethods.includes('password')) return AUTHN_CONTEXT.passwordProtectedTransport;
  return AUTHN_CONTEXT.unspecified;
};

/** How strong each context class Keyway issues is, weakest first (SAML authn context 2.2 comparison). */
const RANK = new Map<string, number>([
  [AUTHN_CONTEXT.unspecified, 0],
  [AUTHN_CONTEXT.password, 1],
  [AUTHN_CONTEXT.passwordProtectedTransport, 2],
  [AUTHN_CONTEXT.multiFactor, 3],
]);

export interface RequestedAuthnContext {
  readonly comparison: string;
  readonly classRefs: readonly string[];
}

/**
 * Whether the context Keyway can assert meets the SP's RequestedAuthnContext (SAML core 3.3.2.2.1): `exact` needs
 * one of the classes; `minimum`/`better`/`maximum` compare strength with the classes Keyway knows (unknown classes
 * only match exactly).
 */
export const satisfiesRequested = (requested: RequestedAuthnContext, actual: string): boolean => {
  if (requested.classRefs.length === 0) return true;
  const listed = requested.classRefs.includes(actual);
  const mine = RANK.get(actual) ?? 0;
  const ranks = requested.classRefs.map((c) => RANK.get(c)).filter((r): r is number => r !== undefined);
  switch (requested.comparison) {
    case 'exact':
      return listed;
    case 'minimum':
      return listed || (ranks.length > 0 && mine >= Math.min(...ranks));
    case 'maximum':
      return listed || (ranks.length > 0 && mine <= Math.max(...ranks));
    case 'better':
      return ranks.length > 0 && mine > Math.min(...ranks);
    default:
      return false;
  }
};
