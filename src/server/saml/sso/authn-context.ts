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
