import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';
import { hmacBase64url, randomSecret, secretsEqual } from './secrets.js';

/**
 * CSRF defences (OWASP CSRF Prevention Cheat Sheet):
 * - signed-in forms use the synchronizer-token pattern: each session carries its own secret, echoed in a hidden
 *   field and compared in constant time;
 * - the sign-in form, shown before any session exists, uses a signed double-submit cookie: a random nonce in a
 *   cookie and HMAC(server key, nonce) in the form, so an attacker who can plant a cookie still cannot mint the
 *   matching form value.
 */
export const verifySynchronizerToken = (sessionSecret: string, presented: string | undefined): boolean =>
  typeof presented === 'string' && secretsEqual(presented, sessionSecret);

export interface DoubleSubmitPair {
  readonly cookieValue: string;
  readonly formValue: string;
}

export const newDoubleSubmitPair = (key: Uint8Array | KeyObject): DoubleSubmitPair => {
  const nonce = randomSecret(24);
  return { cookieValue: nonce, formValue: hmacBase64url(key, `csrf:${nonce}`) };
};

export const formValueFor = (key: Uint8Array | KeyObject, cookieValue: string): string =>
  hmacBase64url(key, `csrf:${cookieValue}`);

export const verifyDoubleSubmit = (
  key: Uint8Array | KeyObject,
  cookieValue: string | undefined,
  formValue: string | undefined,
): boolean => {
  if (!cookieValue || !formValue || cookieValue.length > 128) return false;
  // One HMAC, compared as bytes in constant time: both digests have the fixed SHA-256 length, so there is no
  // secret length to hide and no need to hash both sides first as secretsEqual does.
  const presented = Buffer.from(formValue, 'base64url');
  const expected = createHmac('sha256', key).update(`csrf:${cookieValue}`, 'utf8').digest();
  return (
    presented.length === expected.length &&
    presented.toString('base64url') === formValue &&
    timingSafeEqual(presented, expected)
  );
};
