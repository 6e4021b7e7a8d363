/**
 * TOTP as a second factor. After a correct password, a user with a confirmed authenticator gets no session
 * yet: a short-lived signed "pending" cookie names them, and /signin/otp asks for the code. Only then is the
 * session created, with authMethods ['pwd', 'otp'] (SAML maps these to its AuthnContextClassRef).
 * Seeds are sealed (AES-256-GCM, bound to the user id) under a key derived from the master key.
 */
import { hmacBase64url, secretsEqual, unseal, verifyTotp } from '../../auth/index.js';
import { createTotpStore } from '../../store/index.js';
import type { TotpStore } from '../../store/index.js';
import { deriveKey } from '../config.js';
import type { ServerContext } from '../deps.js';

export const pendingLifetimeSeconds = 300;

export interface SecondFactor {
  readonly store: TotpStore;
  readonly sealKey: Buffer;
  /** The confirmed factor's seed for this user, or null when they have none. */
  confirmedSeed(userId: string): Promise<string | null>;
  /** True (and the step recorded, once across all nodes) when the code is valid and not used before. */
  check(userId: string, code: string, at: Date): Promise<boolean>;
  pendingCookie(userId: string, returnTo: string, at: Date): string;
  readPending(value: string | undefined, at: Date): { userId: string; returnTo: string } | null;
}

export const sealingContext = (userId: string): string => `totp:${userId}`;

export const createSecondFactor = (ctx: ServerContext): SecondFactor => {
  const store = createTotpStore(ctx.store.db);
  const sealKey = deriveKey(ctx.config, 'totp-seal');
  const pendingKey = deriveKey(ctx.config, 'signin-pending');
  const seedOf = async (userId: string, confirmedOnly: boolean) => {
    const factor = await store.get(userId);
    if (!factor || (confirmedOnly && !factor.confirmedAt)) return null;
    const seed = unseal(sealKey, factor.sealedSecret, sealingContext(userId));
    if (seed === null)
      throw new Error(`the TOTP seed of user ${userId} does not unseal; was KEYWAY_MASTER_KEY changed?`);
    return { seed, factor };
  };
  return {
    store,
    sealKey,
    async confirmedSeed(userId) {
      return (await seedOf(userId, true))?.seed ?? null;
    },
    async check(userId, code, at) {
      const found = await seedOf(userId, true);
      if (!found) return false;
      const step = verifyTotp(found.seed, code, at, found.factor.lastUsedStep);
      return step !== null && (await store.useStep(userId, step));
    },
    pendingCookie(userId, returnTo, at) {
      const body = `${userId}.${Math.floor(at.getTime() / 1000) + pendingLifetimeSeconds}.${Buffer.from(returnTo).toString('base64url')}`;
      return `${body}.${hmacBase64url(pendingKey, body)}`;
    },
    readPending(value, at) {
      if (!value || value.length > 4096) return null;
      const i = value.lastIndexOf('.');
      const body = value.slice(0, i);
      if (i < 0 || !secretsEqual(value.slice(i + 1), hmacBase64url(pendingKey, body))) return null;
      const [userId, exp, returnTo] = body.split('.');
      if (!userId || !exp || returnTo === undefined || Number(exp) * 1000 <= at.getTime()) return null;
      return { userId, returnTo: Buffer.from(returnTo, 'base64url').toString('utf8') };
    },
  };
};
