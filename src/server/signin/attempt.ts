/**
 * One password sign-in attempt as a short list of named steps. Every outcome is audited with its reason
 * and counted in keyway_signin_attempts_total{outcome}.
 *
 * Unknown user and wrong password share one message and the same argon2 cost, so the response tells an
 * attacker nothing about which userNames exist (OWASP Authentication Cheat Sheet). Lockout counters are keyed
 * by the lower-cased userName as typed (existing or not) and by client IP.
 */
import type { User } from '../../core/index.js';
import { checkThrottle, hashPassword, needsRehash, recordFailure, verifyAgainstDummy, verifyPassword } from '../../auth/index.js';
import type { ThrottleCounter, ThrottlePolicy, ThrottleVerdict } from '../../auth/index.js';
import type { ServerConfig, ServerContext } from '../deps.js';
import type { SignInOutcome } from '../ops/metrics.js';

/** Whose failures count: the userName as typed and the client address. */
export interface ThrottleSubject {
  readonly userName: string;
  readonly ip: string;
}

export interface AttemptInput extends ThrottleSubject {
  readonly password: string;
  readonly requestId: string;
}

export type AttemptResult =
  | { readonly ok: true; readonly user: User; readonly hadFailures: boolean }
  | { readonly ok: false; readonly reason: Exclude<SignInOutcome, 'success' | 'csrf' | 'invalid_input'>; readonly retryAt?: Date };

export const throttlePolicies = (c: ServerConfig): { user: ThrottlePolicy; ip: ThrottlePolicy } => {
  const shared = { backoffBaseSeconds: 1, backoffMaxSeconds: c.lockoutBackoffMaxSeconds, windowSeconds: c.lockoutWindowMinutes * 60, lockSeconds: c.lockoutDurationMinutes * 60 };
  return {
    user: { ...shared, backoffAfter: c.lockoutBackoffAfter, lockAfter: c.lockoutUserLockAfter },
    ip: { ...shared, backoffAfter: c.lockoutIpBackoffAfter, lockAfter: c.lockoutIpLockAfter },
  };
};

export const userKey = (userName: string) => `user:${userName.normalize('NFC').toLowerCase()}`;
const ipKey = (ip: string) => `ip:${ip}`;

interface Counters {
  readonly user: ThrottleCounter | null;
  readonly ip: ThrottleCounter | null;
}

const readCounters = async (ctx: ServerContext, input: ThrottleSubject): Promise<Counters> => {
  const [user, ip] = await Promise.all([ctx.store.throttle.get(userKey(input.userName)), ctx.store.throttle.get(ipKey(input.ip))]);
  return { user, ip };
};

const checkLimits = (ctx: ServerContext, counters: Counters, now: Date): ThrottleVerdict => {
  const policies = throttlePolicies(ctx.config);
  const verdicts = [checkThrottle(counters.user, policies.user, now), checkThrottle(counters.ip, policies.ip, now)];
  const blocked = verdicts.filter((v) => !v.allowed);
  if (blocked.length === 0) return { allowed: true };
  const retryAt = new Date(Math.max(...blocked.map((v) => (v.allowed ? 0 : v.retryAt.getTime()))));
  return { allowed: false, retryAt, locked: blocked.some((v) => !v.allowed && v.locked) };
};

const countFailure = async (ctx: ServerContext, input: ThrottleSubject, counters: Counters, now: Date): Promise<void> => {
  const policies = throttlePolicies(ctx.config);
  await Promise.all([
    ctx.store.throttle.put(recordFailure(counters.user, userKey(input.userName), policies.user, now)),
    ctx.store.throttle.put(recordFailure(counters.ip, ipKey(input.ip), policies.ip, now)),
  ]);
};

const checkPassword = async (ctx: ServerContext, user: User | null, password: string): Promise<boolean> => {
  if (!user) return verifyAgainstDummy(password);
  const credential = await ctx.store.credentials.getPassword(user.id);
  if (!credential) return verifyAgainstDummy(password);
  const ok = await verifyPassword(credential.hash, password);
  // Upgrade hashes made with older parameters while the plaintext is at hand.
  if (ok && needsRehash(credential.hash)) await ctx.store.credentials.setPassword(user.id, await hashPassword(password));
  return ok;
};

const audit = async (ctx: ServerContext, input: AttemptInput, user: User | null, result: AttemptResult): Promise<void> => {
  await ctx.store.audit.record({
    action: 'signin.password',
    actor: user && result.ok
      ? { kind: 'user', id: user.id, label: user.userName, ip: input.ip, requestId: input.requestId }
      : { kind: 'anonymous', id: input.ip, label: input.userName.slice(0, 256), ip: input.ip, requestId: input.requestId },
    outcome: result.ok ? 'success' : 'failure',
    ...(result.ok ? {} : { reason: result.reason }),
    ...(user ? { target: { type: 'user', id: user.id, label: user.userName } } : {}),
    ...(!result.ok && result.retryAt ? { details: { retryAt: result.retryAt.toISOString() } } : {}),
  });
  ctx.metrics.signInAttempts.inc({ outcome: result.ok ? 'success' : result.reason });
};

/**
 * After the last factor succeeds, the userName's failures are forgotten; the IP's are kept, so that one known
 * account cannot reset an address's budget. Not done after the password alone when a second factor follows,
 * or a known password would reset the count of wrong codes.
 */
export const forgetFailures = async (ctx: ServerContext, userName: string): Promise<void> => {
  await ctx.store.throttle.clear(userKey(userName));
};

/** Checks the lockout, then counts a failed second-factor code against the same userName and IP budgets. */
export const secondFactorAllowed = async (ctx: ServerContext, input: ThrottleSubject): Promise<ThrottleVerdict> => checkLimits(ctx, await readCounters(ctx, input), ctx.now());

export const countSecondFactorFailure = async (ctx: ServerContext, input: ThrottleSubject): Promise<void> => countFailure(ctx, input, await readCounters(ctx, input), ctx.now());

export const attemptPasswordSignIn = async (ctx: ServerContext, input: AttemptInput): Promise<AttemptResult> => {
  const now = ctx.now();
  const counters = await readCounters(ctx, input);
  const limits = checkLimits(ctx, counters, now);
  if (!limits.allowed) {
    const result: AttemptResult = { ok: false, reason: 'locked_out', retryAt: limits.retryAt };
    await audit(ctx, input, null, result);
    return result;
  }
  const user = await ctx.store.directory.findUserByUserName(input.userName);
  const passwordOk = await checkPassword(ctx, user, input.password);
  let result: AttemptResult;
  if (!user) result = { ok: false, reason: 'unknown_user' };
  else if (!passwordOk) result = { ok: false, reason: 'bad_password' };
  else if (user.status !== 'active') result = { ok: false, reason: 'suspended' };
  else result = { ok: true, user, hadFailures: counters.user !== null };

  if (!result.ok && result.reason !== 'suspended') await countFailure(ctx, input, counters, now);
  await audit(ctx, input, user, result);
  return result;
};
