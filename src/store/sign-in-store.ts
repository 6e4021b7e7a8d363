/**
 * The password sign-in's reads and writes, shaped so that one attempt costs few statements: one read for both
 * lockout counters, one for the account (user, password hash and whether an authenticator app is confirmed),
 * and one transaction for what the outcome writes (counters with the audit record, or the audit record with
 * the new session). The sign-in benchmark counts every statement against the argon2id budget.
 */
import type { Kysely, Transaction } from 'kysely';
import { foldCase, type AuditEventInput, type Session, type ThrottleState, type User } from '../core/index.js';
import { insertAudit } from './audit-log.js';
import type { Database } from './database.js';
import { toUser } from './directory-repository.js';
import { createSessionStore } from './identity-stores.js';
import { iso } from './sql-helpers.js';
import type { TotpTables } from './totp-store.js';

export interface SignInAccount {
  readonly user: User;
  /** PHC string; null when the user has no password (they cannot sign in with one). */
  readonly passwordHash: string | null;
  /** A confirmed authenticator app: the password alone is not enough. */
  readonly secondFactor: boolean;
}

export interface CompletedSignIn {
  /** Written in the same transaction as the session, so no session exists without its audit record. */
  readonly audit: readonly AuditEventInput[];
  readonly session: Session;
  /** The id hash of a session this browser had before; it is removed (no fixation). */
  readonly replaces?: string;
  /** A throttle key whose failures are forgotten. */
  readonly forget?: string;
}

export interface SignInStore {
  /** The stored counters among `keys`, in one query. */
  counters(keys: readonly string[]): Promise<readonly ThrottleState[]>;
  /** The account by userName (case-insensitive), or null. */
  account(userName: string): Promise<SignInAccount | null>;
  /** A failed attempt: the updated counters and its audit record, in one transaction. */
  recordFailure(counters: readonly ThrottleState[], audit: AuditEventInput): Promise<void>;
  /** A completed sign-in: audit records, the new session, the replaced one and the forgotten counter, in one transaction. */
  recordSuccess(done: CompletedSignIn): Promise<void>;
}

const throttleRow = (s: ThrottleState) => ({
  key: s.key,
  failures: s.failures,
  window_started_at: iso(s.windowStartedAt, 'windowStartedAt'),
  locked_until: s.lockedUntil === null ? null : iso(s.lockedUntil, 'lockedUntil'),
});

export function createSignInStore(base: Kysely<Database>, now: () => Date = () => new Date()): SignInStore {
  const db = base.withTables<TotpTables>();
  const inTransaction = <T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> => base.transaction().execute(fn);
  return {
    async counters(keys) {
      if (keys.length === 0) return [];
      const rows = await db.selectFrom('throttle').selectAll().where('key', 'in', keys).execute();
      return rows.map((r) => ({ key: r.key, failures: Number(r.failures), windowStartedAt: r.window_started_at, lockedUntil: r.locked_until }));
    },
    async account(userName) {
      const r = await db
        .selectFrom('users')
        .leftJoin('password_credentials', 'password_credentials.user_id', 'users.id')
        .leftJoin('totp_factors', 'totp_factors.user_id', 'users.id')
        .selectAll('users')
        .select(['password_credentials.hash as password_hash', 'totp_factors.confirmed_at as totp_confirmed_at'])
        .where('users.user_name_lower', '=', foldCase(userName))
        .executeTakeFirst();
      if (!r) return null;
      const { password_hash, totp_confirmed_at, ...user } = r;
      return { user: toUser(user), passwordHash: password_hash, secondFactor: totp_confirmed_at !== null };
    },
    async recordFailure(counters, audit) {
      await inTransaction(async (trx) => {
        if (counters.length > 0) {
          await trx
            .insertInto('throttle')
            .values(counters.map(throttleRow))
            .onConflict((oc) =>
              oc.column('key').doUpdateSet((eb) => ({
                failures: eb.ref('excluded.failures'),
                window_started_at: eb.ref('excluded.window_started_at'),
                locked_until: eb.ref('excluded.locked_until'),
              })),
            )
            .execute();
        }
        await insertAudit(trx, audit, now().toISOString());
      });
    },
    async recordSuccess(done) {
      await inTransaction(async (trx) => {
        const at = now().toISOString();
        for (const a of done.audit) await insertAudit(trx, a, at);
        const sessions = createSessionStore(trx);
        if (done.replaces !== undefined) await sessions.delete(done.replaces);
        await sessions.create(done.session);
        if (done.forget !== undefined) await trx.deleteFrom('throttle').where('key', '=', done.forget).execute();
      });
    },
  };
}
