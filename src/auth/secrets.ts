import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 bits from the CSPRNG, base64url without padding: no modulo bias, safe in cookies and headers. */
export const randomSecret = (bytes = 32): string => randomBytes(bytes).toString('base64url');

export const sha256Hex = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');

/**
 * Compares two secrets in constant time over fixed-length SHA-256 digests, so neither the content nor the
 * length of the expected value leaks; an empty presented value never matches.
 */
export const secretsEqual = (presented: string, expected: string): boolean => {
  if (presented.length === 0 || expected.length === 0) return false;
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
};

export const hmacBase64url = (key: Uint8Array, value: string): string => createHmac('sha256', key).update(value, 'utf8').digest('base64url');

/** Admin API tokens look like `kw_<43 base64url chars>`; the prefix lets secret scanners recognise leaked ones. */
export const apiTokenPrefix = 'kw_';
export const newApiToken = (): string => `${apiTokenPrefix}${randomSecret(32)}`;
export const looksLikeApiToken = (value: string): boolean => /^kw_[A-Za-z0-9_-]{43}$/.test(value);

/** A session id is a random 256-bit value; only its SHA-256 reaches storage. */
export const newSessionId = (): { id: string; idHash: string } => {
  const id = randomSecret(32);
  return { id, idHash: sha256Hex(id) };
};
