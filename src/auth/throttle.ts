/**
 * Lockout and back-off after failed sign-ins (OWASP Authentication Cheat Sheet, "Account Lockout"; NIST
 * SP 800-63B 5.2.2 rate limiting). Pure functions over a counter that the caller stores; the same rules apply
 * to a per-user key and a per-IP key with their own limits.
 *
 * Within one window of `windowSeconds`: after `backoffAfter` failures every further failure makes the key wait
 * `backoffBaseSeconds * 2^(n - backoffAfter)` seconds (capped at `backoffMaxSeconds`) before the next attempt;
 * at `lockAfter` failures the key is locked for `lockSeconds`. A success clears the counter.
 */
export interface ThrottlePolicy {
  readonly backoffAfter: number;
  readonly backoffBaseSeconds: number;
  readonly backoffMaxSeconds: number;
  readonly lockAfter: number;
  readonly windowSeconds: number;
  readonly lockSeconds: number;
}

/** Structurally the same as the core's ThrottleState, so a ThrottleStore can hold it directly. */
export interface ThrottleCounter {
  readonly key: string;
  readonly failures: number;
  readonly windowStartedAt: string;
  readonly lockedUntil: string | null;
}

export type ThrottleVerdict =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAt: Date; readonly locked: boolean };

export const checkThrottle = (counter: ThrottleCounter | null, policy: ThrottlePolicy, now: Date): ThrottleVerdict => {
  if (!counter?.lockedUntil) return { allowed: true };
  const until = new Date(counter.lockedUntil);
  if (until.getTime() <= now.getTime()) return { allowed: true };
  return { allowed: false, retryAt: until, locked: counter.failures >= policy.lockAfter };
};

export const recordFailure = (
  counter: ThrottleCounter | null,
  key: string,
  policy: ThrottlePolicy,
  now: Date,
): ThrottleCounter => {
  const windowExpired =
    !counter || now.getTime() - new Date(counter.windowStartedAt).getTime() > policy.windowSeconds * 1000;
  const failures = windowExpired ? 1 : counter.failures + 1;
  const windowStartedAt = windowExpired ? now.toISOString() : counter.windowStartedAt;
  let waitSeconds = 0;
  if (failures >= policy.lockAfter) waitSeconds = policy.lockSeconds;
  else if (failures >= policy.backoffAfter) {
    waitSeconds = Math.min(policy.backoffMaxSeconds, policy.backoffBaseSeconds * 2 ** (failures - policy.backoffAfter));
  }
  const lockedUntil = waitSeconds > 0 ? new Date(now.getTime() + waitSeconds * 1000).toISOString() : null;
  return { key, failures, windowStartedAt, lockedUntil };
};
