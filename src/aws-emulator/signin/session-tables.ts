/**
 * Short-lived server-side tables of the sign-in endpoint, per emulator: role-picker tokens (which bind the
 * picker's post to the assertion that was verified, so only roles that assertion carried can be chosen) and
 * console sessions behind an HttpOnly cookie. Both are bounded and expire; keys are random, 256 bits.
 */
import { createHash, randomBytes } from 'node:crypto';

export class ExpiringTable<T> {
  readonly #entries = new Map<string, { value: T; expiresAt: number }>();

  constructor(private readonly maxEntries: number) {}

  /** Stores `value` under a new random token and returns the token. */
  add(value: T, expiresAt: number, now: number): string {
    for (const [k, e] of this.#entries) if (e.expiresAt <= now) this.#entries.delete(k);
    // The oldest entry goes first when full: losing it only sends that user back to their IdP.
    while (this.#entries.size >= this.maxEntries) this.#entries.delete(this.#entries.keys().next().value as string);
    const token = randomBytes(32).toString('base64url');
    this.#entries.set(hashToken(token), { value, expiresAt });
    return token;
  }

  get(token: string, now: number): T | undefined {
    const e = this.#entries.get(hashToken(token));
    return e && e.expiresAt > now ? e.value : undefined;
  }

  /** Returns the value and forgets it (one-time tokens). */
  take(token: string, now: number): T | undefined {
    const key = hashToken(token);
    const e = this.#entries.get(key);
    this.#entries.delete(key);
    return e && e.expiresAt > now ? e.value : undefined;
  }

  delete(token: string): void {
    this.#entries.delete(hashToken(token));
  }
}

/** Tables are keyed by a hash so the tokens themselves are never kept. */
function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
