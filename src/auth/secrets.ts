import { createHmac, hash, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';

/** 256 bits from the CSPRNG, base64url without padding: no modulo bias, safe in cookies and headers. */
export const randomSecret = (bytes = 32): string => randomBytes(bytes).toString('base64url');

// One-shot hash: no Hash object per call (session ids and tokens are hashed on every authenticated request).
export const sha256Hex = (value: string): string => hash('sha256', value, 'hex');

/**
 * Compares two secrets in constant time over fixed-length SHA-256 digests, so neither the content nor the
 * length of the expected value leaks; an empty presented value never matches.
 */
export const secretsEqual = (presented: string, expected: string): boolean => {
  if (presented.length === 0 || expected.length === 0) return false;
  const a = hash('sha256', presented, 'buffer');
  const b = hash('sha256', expected, 'buffer');
  return timingSafeEqual(a, b);
};

/** `key` may be a KeyObject made once (createSecretKey), which spares importing the raw key on every call. */
export const hmacBase64url = (key: Uint8Array | KeyObject, value: string): string =>
  createHmac('sha256', key).update(value, 'utf8').digest('base64url');

/** Admin API tokens look like `kw_<43 base64url chars>`; the prefix lets secret scanners recognise leaked ones. */
export const apiTokenPrefix = 'kw_';
export const newApiToken = (): string => `${apiTokenPrefix}${randomSecret(32)}`;
export const looksLikeApiToken = (value: string): boolean => /^kw_[A-Za-z0-9_-]{43}$/.test(value);

/**
 * A new session's id and its CSRF synchronizer secret, 256 random bits each, from one call to the CSPRNG (a
 * sign-in makes both, and each call costs more than the bytes). Only the id's SHA-256 reaches storage.
 */
export const newSessionSecrets = (): { id: string; idHash: string; csrfSecret: string } => {
  const bytes = randomBytes(64);
  const id = bytes.toString('base64url', 0, 32);
  return { id, idHash: sha256Hex(id), csrfSecret: bytes.toString('base64url', 32, 64) };
};
