/**
 * A token bucket per SCIM tenant. AWS documents no SCIM rate ([doc] none; clients see 429 under load,
 * [obs] awslabs/ssosync#13), so the default borrows Identity Center's documented collective API throttle of
 * 20 TPS ([doc] SSOUG-2022 limits) with a burst of 20.
 */
export interface RateLimitConfig {
  /** Requests per second refilled; 0 disables the limit. */
  readonly ratePerSecond: number;
  readonly burst: number;
}

export const DEFAULT_SCIM_RATE_LIMIT: RateLimitConfig = { ratePerSecond: 20, burst: 20 };

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly cfg: RateLimitConfig,
    private readonly now: () => number,
  ) {
    this.tokens = cfg.burst;
    this.last = now();
  }

  /** Takes one token; when none is left, returns the seconds until one will be (for Retry-After). */
  take(): { readonly ok: true } | { readonly ok: false; readonly retryAfterSeconds: number } {
    if (this.cfg.ratePerSecond <= 0) return { ok: true };
    const t = this.now();
    this.tokens = Math.min(this.cfg.burst, this.tokens + ((t - this.last) / 1000) * this.cfg.ratePerSecond);
    this.last = t;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - this.tokens) / this.cfg.ratePerSecond)) };
  }
}
