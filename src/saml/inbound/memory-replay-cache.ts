import type { ReplayCache } from './ports.js';

/**
 * A ReplayCache for one process (tests, single-node development). Bounded: when full, expired entries are
 * swept, and if none have expired the oldest are dropped, so memory cannot grow without limit.
 */
export class InMemoryReplayCache implements ReplayCache {
  private readonly entries = new Map<string, number>();
  constructor(
    private readonly maxEntries = 100_000,
    private readonly clock: () => number = Date.now,
  ) {}

  async checkAndRemember(key: string, expiresAt: Date): Promise<boolean> {
    const now = this.clock();
    const existing = this.entries.get(key);
    if (existing !== undefined && existing > now) return false;
    if (this.entries.size >= this.maxEntries) this.sweep(now);
    this.entries.set(key, expiresAt.getTime());
    return true;
  }

  private sweep(now: number): void {
    for (const [k, exp] of this.entries) if (exp <= now) this.entries.delete(k);
    const excess = this.entries.size - Math.floor(this.maxEntries * 0.9);
    if (excess <= 0) return;
    let dropped = 0;
    for (const k of this.entries.keys()) {
      if (dropped++ >= excess) break;
      this.entries.delete(k);
    }
  }
}
