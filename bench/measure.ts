/** Measuring helpers shared by the benchmarks. */

/**
 * Operations per second of CPU time used by this process, over a loop bounded by `maxOps` and by `ms` of wall
 * time. CPU time rather than wall time, so that other processes competing for the cores (CI runners, parallel
 * builds) do not move the figures; both sides of every ratio are measured the same way, in alternating rounds.
 */
export async function perCpuSecond(op: () => unknown, ms: number, maxOps: number): Promise<number> {
  const cpu0 = process.cpuUsage();
  const deadline = process.hrtime.bigint() + BigInt(ms) * 1_000_000n;
  let n = 0;
  while (n < maxOps) {
    await op();
    n++;
    // The clock is read every 8 operations: the cheapest operations measured take a few microseconds.
    if ((n & 7) === 0 && process.hrtime.bigint() >= deadline) break;
  }
  const used = process.cpuUsage(cpu0);
  return n / ((used.user + used.system) / 1e6);
}

export const median = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
