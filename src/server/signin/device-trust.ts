/**
 * Device tokens (OWASP "Slow Down Online Guessing Attacks with Device Cookies"): after a successful sign-in the
 * browser gets a cookie, and a CLI installation a token it keeps, that names the user it signed in as. An attempt
 * that presents a valid one for the user name it tries is from a known device: it is counted against that
 * device's own budget, not the user name's, so failures from anywhere else (an attacker guessing carol's
 * password from many addresses) cannot lock carol's known browser or CLI out. Everyone else shares the user
 * name's budget, which bounds the attacker's guessing rate.
 *
 * Format: `d1.<payload>.<HMAC-SHA256>` (base64url), payload `{u, n, exp}`: the user name key, a random nonce
 * that keys the device's failure counter, and the expiry in Unix seconds. Stateless; a device that fails too
 * often is locked through its counter like any other key.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const DEVICE_TOKEN_DAYS = 180;
const PATTERN = /^d1\.([A-Za-z0-9_-]{1,400})\.([A-Za-z0-9_-]{43})$/;

interface Payload {
  readonly u: string;
  readonly n: string;
  readonly exp: number;
}

const mac = (key: Buffer, body: string): string =>
  createHmac('sha256', key).update(`keyway-device.${body}`).digest('base64url');

/** A new device token for `userKey` (the lower-cased user name key the lockout counters use). */
export const issueDeviceToken = (key: Buffer, userKey: string, now: Date): string => {
  const payload: Payload = {
    u: userKey,
    n: randomBytes(16).toString('base64url'),
    exp: Math.floor(now.getTime() / 1000) + DEVICE_TOKEN_DAYS * 86_400,
  };
  const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  return `d1.${body}.${mac(key, body)}`;
};

/** The device's counter key when `token` is a valid, unexpired device token for `userKey`; otherwise null. */
export const trustedDeviceKey = (key: Buffer, token: unknown, userKey: string, now: Date): string | null => {
  if (typeof token !== 'string') return null;
  const m = PATTERN.exec(token);
  if (!m) return null;
  const body = m[1] as string;
  if (!timingSafeEqual(Buffer.from(mac(key, body)), Buffer.from(m[2] as string))) return null;
  try {
    const p = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Partial<Payload>;
    if (p.u !== userKey || typeof p.n !== 'string' || typeof p.exp !== 'number') return null;
    return p.exp * 1000 > now.getTime() ? `device:${p.n}` : null;
  } catch {
    return null;
  }
};
