/**
 * The password sign-in's reads and writes, shaped so that one attempt costs few statements: one read for both
 * lockout counters, one for the account (user, password hash and whether an authenticator app is confirmed),
 * and one transaction for what the outcome writes (counters with the audit record, or the audit record with
 * the new session). The sign-in benchmark counts every statement against the argon2id budget.
 */
import type { Compilable, CompiledQuery, Kysely, Selectable, Transaction } from 'kysely';
import { foldCase, type AuditEventInput, type Session, type ThrottleState, type User } from '../core/index.js';
import { auditRow } from './audit-log.js';
import type { Database, UsersTable } from './database.js';
import { toUser } from './directory-repository.js';
import { sessionRow } from './identity-stores.js';
import { sqliteDirect } from './connect.js';
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

/**
 * A query whose shape never changes, built and compiled once: with Kysely, building and compiling a short
 * query costs more than SQLite running it. `build` gets a unique placeholder string per named parameter; each
 * call binds the values in the order the compiled SQL uses them. Kysely binds every value as a parameter, so
 * a placeholder that does not come back out (or an extra parameter) is a programming error caught at once.
 */
const prepare = <K extends string>(
  names: readonly K[],
  build: (p: Readonly<Record<K, string>>) => Compilable<unknown>,
) => {
  const placeholders = Object.fromEntries(names.map((n) => [n, `\u0000keyway-param:${n}`])) as Record<K, string>;
  const compiled = build(placeholders).compile();
  const order = compiled.parameters.map((p) => {
    const name = names.find((n) => placeholders[n] === p);
    if (name === undefined) throw new Error(`prepared query: unexpected parameter ${JSON.stringify(p)}`);
    return name;
  });
  if (new Set(order).size !== names.length) throw new Error('prepared query: a named parameter is not used');
  return (values: Readonly<Record<K, unknown>>): CompiledQuery<unknown> => ({
    ...compiled,
    parameters: order.map((n) => values[n]),
  });
};

const auditColumns = [
  'id',
  'at',
  'action',
  'outcome',
  'reason',
  'actor_kind',
  'actor_id',
  'actor',
  'target_type',
  'target_id',
  'target_label',
  'before',
  'after',
  'details',
] as const;
const sessionColumns = [
  'id_hash',
  'user_id',
  'created_at',
  'expires_at',
  'last_seen_at',
  'auth_methods',
  'csrf_secret',
  'data',
] as const;

interface AccountRow extends Selectable<UsersTable> {
  readonly password_hash: string | null;
  readonly totp_confirmed_at: string | null;
}

const throttleRow = (s: ThrottleState) => ({
  key: s.key,
  failures: s.failures,
  window_started_at: iso(s.windowStartedAt, 'windowStartedAt'),
  locked_until: s.lockedUntil === null ? null : iso(s.lockedUntil, 'lockedUntil'),
});

export function createSignInStore(base: Kysely<Database>, now: () => Date = () => new Date()): SignInStore {
  const db = base.withTables<TotpTables>();
  // Every write is a short list of statements with nothing read in between, so both engines take the list: on
  // SQLite the connection runs it directly (connect.ts, sqliteDirect), elsewhere a Kysely transaction does.
  const direct = sqliteDirect(base);
  const read = async <R>(q: CompiledQuery<R>): Promise<readonly R[]> =>
    direct ? direct.query(q) : (await base.executeQuery(q)).rows;
  const write = (queries: readonly CompiledQuery<unknown>[]): Promise<void> =>
    direct
      ? direct.transaction(queries)
      : base.transaction().execute(async (trx: Transaction<Database>) => {
          for (const q of queries) await trx.executeQuery(q);
        });
  const countersQuery = prepare(['user', 'ip'], (p) =>
    db.selectFrom('throttle').selectAll().where('key', 'in', [p.user, p.ip]),
  );
  const accountQuery = prepare(['userNameLower'], (p) =>
    db
      .selectFrom('users')
      .leftJoin('password_credentials', 'password_credentials.user_id', 'users.id')
      .leftJoin('totp_factors', 'totp_factors.user_id', 'users.id')
      .selectAll('users')
      .select(['password_credentials.hash as password_hash', 'totp_factors.confirmed_at as totp_confirmed_at'])
      .where('users.user_name_lower', '=', p.userNameLower),
  );
  const insertAuditQuery = prepare(auditColumns, (p) => base.insertInto('audit_events').values(p));
  const insertSessionQuery = prepare(sessionColumns, (p) => base.insertInto('sessions').values(p));
  const deleteSessionQuery = prepare(['idHash'], (p) => base.deleteFrom('sessions').where('id_hash', '=', p.idHash));
  const forgetQuery = prepare(['key'], (p) => base.deleteFrom('throttle').where('key', '=', p.key));
  type ThrottleRow = Selectable<Database['throttle']>;
  return {
    async counters(keys) {
      const [user, ip, ...more] = keys;
      const rows =
        user !== undefined && ip !== undefined && more.length === 0
          ? await read(countersQuery({ user, ip }) as CompiledQuery<ThrottleRow>)
          : keys.length === 0
            ? []
            : await read(
                db.selectFrom('throttle').selectAll().where('key', 'in', keys).compile() as CompiledQuery<ThrottleRow>,
              );
      return rows.map((r) => ({
        key: r.key,
        failures: Number(r.failures),
        windowStartedAt: r.window_started_at,
        lockedUntil: r.locked_until,
      }));
    },
    async account(userName) {
      const [r] = await read(accountQuery({ userNameLower: foldCase(userName) }) as CompiledQuery<AccountRow>);
      if (!r) return null;
      const { password_hash, totp_confirmed_at, ...user } = r;
      return { user: toUser(user), passwordHash: password_hash, secondFactor: totp_confirmed_at !== null };
    },
    async recordFailure(counters, audit) {
      const queries: CompiledQuery<unknown>[] = [];
      if (counters.length > 0) {
        queries.push(
          base
            .insertInto('throttle')
            .values(counters.map(throttleRow))
            .onConflict((oc) =>
              oc.column('key').doUpdateSet((eb) => ({
                failures: eb.ref('excluded.failures'),
                window_started_at: eb.ref('excluded.window_started_at'),
                locked_until: eb.ref('excluded.locked_until'),
              })),
            )
            .compile(),
        );
      }
      queries.push(insertAuditQuery(auditRow(audit, globalThis.crypto.randomUUID(), now().toISOString())));
      await write(queries);
    },
    async recordSuccess(done) {
      const at = now().toISOString();
      const queries = done.audit.map((a) => insertAuditQuery(auditRow(a, globalThis.crypto.randomUUID(), at)));
      if (done.replaces !== undefined) queries.push(deleteSessionQuery({ idHash: done.replaces }));
      queries.push(insertSessionQuery(sessionRow(done.session)));
      if (done.forget !== undefined) queries.push(forgetQuery({ key: done.forget }));
      await write(queries);
    },
  };
}
