/**
 * TOTP second factor (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps — what every authenticator app
 * supports). A code is accepted one step early or late for clock skew, and never twice: the caller stores the
 * last accepted step and passes it back, so a code seen over a shoulder cannot be replayed.
 */
import { Secret, TOTP } from 'otpauth';

const period = 30;
const digits = 6;

/** A new random 160-bit secret, base32 (RFC 4226 recommends at least 128 bits; authenticator apps expect 160). */
export const newTotpSecret = (): string => new Secret({ size: 20 }).base32;

const totpFor = (secretBase32: string, label = 'user', issuer = 'Keyway') =>
  new TOTP({ issuer, label, algorithm: 'SHA1', digits, period, secret: Secret.fromBase32(secretBase32) });

/** The otpauth:// URI an authenticator app imports (as a QR code or typed in). */
export const totpUri = (secretBase32: string, label: string, issuer: string): string =>
  totpFor(secretBase32, label, issuer).toString();

export const totpStep = (at: Date): number => Math.floor(at.getTime() / 1000 / period);

/** The current code; for tests and for showing what an app would display. */
export const totpCode = (secretBase32: string, at: Date): string =>
  totpFor(secretBase32).generate({ timestamp: at.getTime() });

/**
 * The time step the code belongs to when it is valid now (±1 step) and newer than `lastUsedStep`;
 * null otherwise. Anything but exactly six digits is refused before any HMAC is computed.
 */
export const verifyTotp = (
  secretBase32: string,
  code: string,
  at: Date,
  lastUsedStep: number | null,
): number | null => {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return null;
  const delta = totpFor(secretBase32).validate({ token, timestamp: at.getTime(), window: 1 });
  if (delta === null) return null;
  const step = totpStep(at) + delta;
  if (lastUsedStep !== null && step <= lastUsedStep) return null;
  return step;
};
