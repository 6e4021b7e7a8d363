/**
 * One password sign-in attempt as a short list of named steps. Every outcome is audited with its reason
 * and counted in keyway_signin_attempts_total{outcome}.
 *
 * Unknown user and wrong password share one message and the same argon2 cost, so the response tells an
 * attacker nothing about which userNames exist (OWASP Authentication Cheat Sheet). Lockout counters are keyed
 * by the lower-cased userName as typed (existing or not) and by client IP.
 */
import type { AuditEventInput, User } from '../../core/index.js';
import {
  checkThrottle,
  hashPassword,
  needsRehash,
  recordFailure,
  verifyAgainstDummy,
  verifyPassword,
} from '../../auth/index.js';
import type { ThrottleCounter, ThrottlePolicy, ThrottleVerdict } from '../../auth/index.js';
import { createSignInStore } from '../../store/index.js';
import type { SignInAccount, SignInStore } from '../../store/index.js';
import { deriveKey } from '../config.js';
import type { ServerConfig, ServerContext } from '../deps.js';
import { issueDeviceToken, trustedDeviceKey } from './device-trust.js';
import type { SignInOutcome } from '../ops/metrics.js';

/**
 * Whose failures count: the userName as typed and the client address; or, when the attempt presents a valid
 * device token for that userName (device-trust.ts), that device alone.
 */
export interface ThrottleSubject {
  readonly userName: string;
  readonly ip: string;
  readonly deviceToken?: string | undefined;
}

export interface AttemptInput extends ThrottleSubject {
  readonly password: string;
  readonly requestId: string;
}

export type AttemptResult =
  | {
      readonly ok: true;
      readonly user: User;
      /** The failure counter to clear once the last factor succeeds, if it has failures. */
      readonly forgetKey: string | null;
      /** A confirmed authenticator app: a code must follow. */
      readonly secondFactor: boolean;
    }
  | {
      readonly ok: false;
      /** For the audit log (admins only); metrics fold unknown_user and bad_password into one outcome. */
      readonly reason:
        | 'unknown_user'
        | 'bad_password'
        | Exclude<SignInOutcome, 'success' | 'csrf' | 'invalid_input' | 'bad_credentials'>;
      readonly retryAt?: Date;
    };

const policiesByConfig = new WeakMap<ServerConfig, { user: ThrottlePolicy; ip: ThrottlePolicy }>();
/** Built once per config: every attempt reads them twice. */
export const throttlePolicies = (c: ServerConfig): { user: ThrottlePolicy; ip: ThrottlePolicy } => {
  const known = policiesByConfig.get(c);
  if (known) return known;
  const shared = {
    backoffBaseSeconds: 1,
    backoffMaxSeconds: c.lockoutBackoffMaxSeconds,
    windowSeconds: c.lockoutWindowMinutes * 60,
    lockSeconds: c.lockoutDurationMinutes * 60,
  };
  const policies = {
    user: { ...shared, backoffAfter: c.lockoutBackoffAfter, lockAfter: c.lockoutUserLockAfter },
    ip: { ...shared, backoffAfter: c.lockoutIpBackoffAfter, lockAfter: c.lockoutIpLockAfter },
  };
  policiesByConfig.set(c, policies);
  return policies;
};

export const userKey = (userName: string) => `user:${userName.normalize('NFC').toLowerCase()}`;
const ipKey = (ip: string) => `ip:${ip}`;

interface Counters {
  readonly user: ThrottleCounter | null;
  readonly ip: ThrottleCounter | null;
  /** Set for an attempt from a known device: its counter key, and its counter (null when it has no failures). */
  readonly deviceKey: string | null;
  readonly device: ThrottleCounter | null;
}

const deviceKeys = new WeakMap<ServerConfig, Buffer>();
/** The device tokens' HMAC key, derived once per config. */
export const deviceTokenKey = (c: ServerConfig): Buffer => {
  let key = deviceKeys.get(c);
  if (!key) {
    key = deriveKey(c, 'signin-device');
    deviceKeys.set(c, key);
  }
  return key;
};

/** A device token for the user name just signed in with, for the browser's cookie or the CLI to keep. */
export const newDeviceToken = (ctx: ServerContext, userName: string): string =>
  issueDeviceToken(deviceTokenKey(ctx.config), userKey(userName), ctx.now());

const signInStores = new WeakMap<ServerContext['store'], SignInStore>();
/** One SignInStore per store, made on first use. */
export const signInStoreFor = (ctx: ServerContext): SignInStore => {
  let store = signInStores.get(ctx.store);
  if (!store) {
    store = createSignInStore(ctx.store.db, ctx.now);
    signInStores.set(ctx.store, store);
  }
  return store;
};

/** Every counter that may apply, in one query. */
const readCounters = async (ctx: ServerContext, input: ThrottleSubject): Promise<Counters> => {
  const user = userKey(input.userName);
  const ip = ipKey(input.ip);
  const deviceKey = trustedDeviceKey(deviceTokenKey(ctx.config), input.deviceToken, user, ctx.now());
  const found = await signInStoreFor(ctx).counters(deviceKey ? [user, ip, deviceKey] : [user, ip]);
  const of = (key: string | null) => (key === null ? null : (found.find((c) => c.key === key) ?? null));
  return { user: of(user), ip: of(ip), deviceKey, device: of(deviceKey) };
};

/** A known device answers to its own budget only; everyone else to the user name's and the address's. */
const checkLimits = (ctx: ServerContext, counters: Counters, now: Date): ThrottleVerdict => {
  const policies = throttlePolicies(ctx.config);
  const verdicts = counters.deviceKey
    ? [checkThrottle(counters.device, policies.user, now)]
    : [checkThrottle(counters.user, policies.user, now), checkThrottle(counters.ip, policies.ip, now)];
  const blocked = verdicts.filter((v) => !v.allowed);
  if (blocked.length === 0) return { allowed: true };
  const retryAt = new Date(Math.max(...blocked.map((v) => (v.allowed ? 0 : v.retryAt.getTime()))));
  return { allowed: false, retryAt, locked: blocked.some((v) => !v.allowed && v.locked) };
};

const failedCounters = (
  ctx: ServerContext,
  input: ThrottleSubject,
  counters: Counters,
  now: Date,
): ThrottleCounter[] => {
  const policies = throttlePolicies(ctx.config);
  if (counters.deviceKey) return [recordFailure(counters.device, counters.deviceKey, policies.user, now)];
  return [
    recordFailure(counters.user, userKey(input.userName), policies.user, now),
    recordFailure(counters.ip, ipKey(input.ip), policies.ip, now),
  ];
};

const checkPassword = async (ctx: ServerContext, account: SignInAccount | null, password: string): Promise<boolean> => {
  if (!account?.passwordHash) return verifyAgainstDummy(password);
  const ok = await verifyPassword(account.passwordHash, password);
  // Upgrade hashes made with older parameters while the plaintext is at hand.
  if (ok && needsRehash(account.passwordHash))
    await ctx.store.credentials.setPassword(account.user.id, await hashPassword(password));
  return ok;
};

const auditEvent = (input: AttemptInput, user: User | null, result: AttemptResult): AuditEventInput => ({
  action: 'signin.password',
  actor:
    user && result.ok
      ? { kind: 'user', id: user.id, label: user.userName, ip: input.ip, requestId: input.requestId }
      : {
          kind: 'anonymous',
          id: input.ip,
          label: input.userName.slice(0, 256),
          ip: input.ip,
          requestId: input.requestId,
        },
  outcome: result.ok ? 'success' : 'failure',
  ...(result.ok ? {} : { reason: result.reason }),
  ...(user ? { target: { type: 'user', id: user.id, label: user.userName } } : {}),
  ...(!result.ok && result.retryAt ? { details: { retryAt: result.retryAt.toISOString() } } : {}),
});

/**
 * Unauthenticated readers must not learn which user names exist, so an unknown user and a wrong password are
 * one outcome here (the audit log, for admins, keeps them apart).
 */
export const countOutcome = (ctx: ServerContext, result: AttemptResult): void => {
  const outcome: SignInOutcome = result.ok
    ? 'success'
    : result.reason === 'unknown_user' || result.reason === 'bad_password'
      ? 'bad_credentials'
      : result.reason;
  ctx.metrics.signInAttempts.inc({ outcome });
};

/** The counter a subject's failures go to: its known device's, or else the user name's. */
export const failureKeyOf = (ctx: ServerContext, subject: ThrottleSubject): string =>
  trustedDeviceKey(deviceTokenKey(ctx.config), subject.deviceToken, userKey(subject.userName), ctx.now()) ??
  userKey(subject.userName);

/**
 * After the last factor succeeds, the failures of its counter (failureKeyOf) are forgotten; the IP's are kept, so that one known
 * account cannot reset an address's budget. Not done after the password alone when a second factor follows,
 * or a known password would reset the count of wrong codes.
 */
export const forgetFailures = async (ctx: ServerContext, key: string | null): Promise<void> => {
  if (key !== null) await ctx.store.throttle.clear(key);
};

/** Checks the lockout, then counts a failed second-factor code against the same userName and IP budgets. */
export const secondFactorAllowed = async (ctx: ServerContext, input: ThrottleSubject): Promise<ThrottleVerdict> =>
  checkLimits(ctx, await readCounters(ctx, input), ctx.now());

export const countSecondFactorFailure = async (ctx: ServerContext, input: ThrottleSubject): Promise<void> => {
  const counters = failedCounters(ctx, input, await readCounters(ctx, input), ctx.now());
  await Promise.all(counters.map((c) => ctx.store.throttle.put(c)));
};

/**
 * On success, `successAudit` is the success's audit record, not yet written, so the caller writes it in the
 * same transaction as the session (SignInStore.recordSuccess) and then counts it with countOutcome. Every
 * failure is already audited and counted.
 */
export type CheckedAttempt =
  | { readonly result: Extract<AttemptResult, { ok: true }>; readonly successAudit: AuditEventInput }
  | { readonly result: Extract<AttemptResult, { ok: false }>; readonly successAudit?: undefined };

/** The password step: lockout, account, argon2id, outcome. Failures are written here; a success is left to the caller. */
export const checkPasswordSignIn = async (ctx: ServerContext, input: AttemptInput): Promise<CheckedAttempt> => {
  const now = ctx.now();
  const store = signInStoreFor(ctx);
  const counters = await readCounters(ctx, input);
  const limits = checkLimits(ctx, counters, now);
  if (!limits.allowed) {
    const result = { ok: false as const, reason: 'locked_out' as const, retryAt: limits.retryAt };
    await ctx.store.audit.record(auditEvent(input, null, result));
    countOutcome(ctx, result);
    return { result };
  }
  const account = await store.account(input.userName);
  const passwordOk = await checkPassword(ctx, account, input.password);
  const user = account?.user ?? null;
  if (account && passwordOk && account.user.status === 'active') {
    const result = {
      ok: true as const,
      user: account.user,
      // A known device's success clears only its own failures: others' failures keep limiting the user name.
      forgetKey: counters.deviceKey
        ? counters.device
          ? counters.deviceKey
          : null
        : counters.user
          ? userKey(input.userName)
          : null,
      secondFactor: account.secondFactor,
    };
    return { result, successAudit: auditEvent(input, user, result) };
  }
  const result: Extract<AttemptResult, { ok: false }> = {
    ok: false,
    reason: !account ? 'unknown_user' : !passwordOk ? 'bad_password' : 'suspended',
  };
  if (result.reason === 'suspended') await ctx.store.audit.record(auditEvent(input, user, result));
  else await store.recordFailure(failedCounters(ctx, input, counters, now), auditEvent(input, user, result));
  countOutcome(ctx, result);
  return { result };
};

/** The password step with every outcome, success included, audited and counted. */
export const attemptPasswordSignIn = async (ctx: ServerContext, input: AttemptInput): Promise<AttemptResult> => {
  const { result, successAudit } = await checkPasswordSignIn(ctx, input);
  if (successAudit) {
    await ctx.store.audit.record(successAudit);
    countOutcome(ctx, result);
  }
  return result;
};
