/** AWS's limits as code: a token bucket for calls per second and a bounded pool for concurrent work. */
export class RateLimiter {
  private next = 0;
  constructor(private readonly perSecond: number) {}
  /** Resolves when one more call fits in the rate (calls are spaced evenly, no bursts). */
  async take(): Promise<void> {
    const gap = 1000 / this.perSecond;
    const now = Date.now();
    const at = Math.max(now, this.next);
    this.next = at + gap;
    if (at > now) await new Promise((r) => setTimeout(r, at - now));
  }
}

/** Runs fn over items with at most `limit` in flight; stops starting new ones after the first failure. */
export async function inPool<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let i = 0;
  let failed: unknown = null;
  const worker = async () => {
    while (failed === null && i < items.length) {
      const idx = i++;
      try {
        out[idx] = await fn(items[idx] as T, idx);
      } catch (e) {
        failed ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed !== null) throw failed;
  return out;
}
