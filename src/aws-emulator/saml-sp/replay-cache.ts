/**
 * One-time use of assertion IDs (docs/security.md, SAML rule 4): an ID is remembered until the assertion could no
 * longer be accepted anyway, so memory stays bounded by the validity window, and capped outright.
 */
export class ReplayCache {
  readonly #seen = new Map<string, number>();

  constructor(private readonly maxEntries = 100_000) {}

  /** Records `key` until `expiresAt` (epoch ms). Returns false when it was already recorded and not yet expired. */
  claim(key: string, expiresAt: number, now: number): boolean {
    const previous = this.#seen.get(key);
    if (previous !== undefined && previous > now) return false;
    if (this.#seen.size >= this.maxEntries) this.#purge(now);
    if (this.#seen.size >= this.maxEntries) {
      // Forgetting a live ID would reopen replay, so refuse new assertions until some expire.
      throw new RangeError('replay cache is full');
    }
    this.#seen.set(key, expiresAt);
    return true;
  }

  #purge(now: number): void {
    for (const [key, expiresAt] of this.#seen) if (expiresAt <= now) this.#seen.delete(key);
  }
}
