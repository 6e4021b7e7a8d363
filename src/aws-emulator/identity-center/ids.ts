import { randomBytes, randomUUID } from 'node:crypto';

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Lower-case hex of `n` characters from a CSPRNG. */
export function randomHex(n: number): string {
  return randomBytes(Math.ceil(n / 2))
    .toString('hex')
    .slice(0, n);
}

/** Unbiased random string over [a-z0-9] (rejection sampling keeps every character equally likely). */
export function randomAlnum(n: number): string {
  let out = '';
  while (out.length < n) {
    for (const b of randomBytes(n * 2)) {
      if (b < 252 && out.length < n) out += ALNUM[b % 36];
    }
  }
  return out;
}

/** Identity store resource ids: 10 hex, a dash, a UUID ([model] identitystore ResourceId). */
export const newResourceId = (): string => `${randomHex(10)}-${randomUUID()}`;

export const newRequestId = (): string => randomUUID();

export const RESOURCE_ID_PATTERN =
  /^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$/;
