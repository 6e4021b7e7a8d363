/**
 * Storage: the core ports implemented on SQLite (embedded default) and PostgreSQL (scale-out) with Kysely.
 *
 *   const store = await openStore(process.env.KEYWAY_DATABASE_URL ?? defaultDatabaseUrl());
 *   await store.directory.createUser(actor, { userName: 'ada' });
 *   await store.close();
 *
 * ## Adding a repository for your own tables (SAML apps, signing keys, AWS bindings, …)
 * 1. Migration: add `src/store/migrations/NNNN-your-thing.ts` exporting a `Migration` (`{ id, why, up }`; the
 *    file's first line is a `// Why: …` comment). Write `up` with Kysely's schema builder only (`db.schema…`),
 *    so one definition serves both engines; `sequenceColumn(ctx)` gives an autoincrement key; store timestamps
 *    as ISO-8601 text and JSON as text, like the tables here. Append it to the array in
 *    `src/store/migrations/index.ts` (never reorder or rename released ids).
 * 2. Types: declare your tables in your own file, `export interface SamlTables { saml_apps: {...} }`.
 * 3. Repository: a file in src/store taking a handle, `class SamlAppRepository { constructor(private db:
 *    Kysely<Database & SamlTables>) {} }`. Build it from `store.db.withTables<SamlTables>()` for plain use.
 * 4. Transactions: `store.transaction(async (trx) => { new SamlAppRepository(trx.withTables<SamlTables>());
 *    await createAuditLog(trx).record({...}); })` — everything given `trx` commits or rolls back together.
 *    Never use `store.db` inside a transaction callback: on SQLite there is one connection and it would wait
 *    for the transaction forever. Directory changes inside your transaction: `store.directoryIn(trx)`.
 * 5. Export your repository's factory from this file (the module's only public surface) and wire it in
 *    src/server. Unique-index violations: wrap writes with `mapConflict` to get DomainError `conflict`.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Kysely, Transaction } from 'kysely';
import {
  createDirectoryService,
  type ApiTokenStore,
  type AuditLog,
  type CredentialStore,
  type DirectoryService,
  type OutboxStore,
  type SessionStore,
  type ThrottleStore,
} from '../core/index.js';
import { createAuditLog } from './audit-log.js';
import { accessEpochCacheFor } from './access-epoch.js';
import { connect } from './connect.js';
import type { Database } from './database.js';
import { directoryUnitOfWork, joinedUnitOfWork } from './directory-repository.js';
import {
  createApiTokenStore,
  createCredentialStore,
  createSessionStore,
  createThrottleStore,
} from './identity-stores.js';
import { migrate, migrationStatus, type MigrationReport } from './migrator.js';
import type { Engine } from './migrations/index.js';
import { createOutbox } from './outbox.js';
import { backupStore, restoreStore, type BackupResult, type RestoreResult } from './backup.js';
import { pruneAuditEvents, pruneOutbox, tableSizes, type AuditPruneOptions, type TableSize } from './maintenance.js';

export type * from './database.js';
export type { Engine, Migration, MigrationContext } from './migrations/index.js';
export { migrations, sequenceColumn } from './migrations/index.js';
export type { MigrationReport } from './migrator.js';
export type { BackupResult, RestoreResult } from './backup.js';
export type { AuditPruneOptions, TableSize } from './maintenance.js';
export { createAuditLog, insertAudit } from './audit-log.js';
export { mapConflict, isUniqueViolation, isForeignKeyViolation } from './sql-helpers.js';
export { createSigningKeyStore } from './saml-signing-keys.js';
export { createApplicationStore } from './saml-applications.js';
export { createMessageIdCache, type MessageIdCache } from './saml-replay-cache.js';
export { createTotpStore, type TotpFactor, type TotpStore } from './totp-store.js';
export { createSignInStore, type CompletedSignIn, type SignInAccount, type SignInStore } from './sign-in-store.js';
export type { SamlTables } from './saml-tables.js';
export { createAwsAccessService } from './aws-access.js';
export { createCliSignInStore } from './aws-cli-sign-in.js';
export type { AwsAccessTables } from './aws-access-tables.js';
export { createOidcPayloadStore, type OidcPayloadStore, type OidcStoredPayload } from './oidc-payloads.js';
export { createOidcApplicationStore } from './oidc-clients.js';
export { createStrengthPolicyStore } from './strength-policies.js';
export { createPasskeyStore, type PasskeyStore, type StoredPasskey } from './passkeys.js';

export interface OpenStoreOptions {
  /** Apply pending migrations on open (default true). With false, `ping()` reports pending ones. */
  readonly migrate?: boolean;
  /** Clock for timestamps (tests). */
  readonly now?: () => Date;
  /** SQLite files: checkpoint the WAL on a worker thread (long-running processes such as the server). */
  readonly backgroundCheckpoints?: boolean;
}

export interface ReadyState {
  readonly ok: boolean;
  /** Why not ready, e.g. `database unreachable: …` or `pending migrations: 0004-x`. */
  readonly detail: string;
}

/** A transaction handle as `Store.transaction` hands it over (so callers need not import the query builder). */
export type StoreTransaction = Transaction<Database>;

export interface IdentityWrites {
  readonly credentials: CredentialStore;
  readonly sessions: SessionStore;
  readonly audit: AuditLog;
}

export interface Store {
  readonly engine: Engine;
  /** Where it is connected, without credentials (for logs). */
  readonly describe: string;
  /** The Kysely handle for repositories of other modules (see the header of this file). */
  readonly db: Kysely<Database>;
  readonly directory: DirectoryService;
  readonly audit: AuditLog;
  readonly credentials: CredentialStore;
  readonly sessions: SessionStore;
  readonly apiTokens: ApiTokenStore;
  readonly throttle: ThrottleStore;
  readonly outbox: OutboxStore;
  /** One database transaction; everything done through `trx` commits together or not at all. */
  transaction<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T>;
  /** The directory service with every change joining `trx` (e.g. a SCIM write plus your own table rows). */
  directoryIn(trx: Transaction<Database>): DirectoryService;
  /** Credentials, sessions and the audit log joining `trx`, so a change commits with its audit record or not at all. */
  identityIn(trx: Transaction<Database>): IdentityWrites;
  migrate(opts?: { readonly dryRun?: boolean }): Promise<MigrationReport>;
  /** Rows and bytes per table, largest first (`keyway db stats`). */
  tableSizes(): Promise<TableSize[]>;
  /** Removes audit events older than `before` in short batches, handing each to `exportLines` first. */
  pruneAudit(opts: AuditPruneOptions): Promise<number>;
  /** Removes outbox events delivered before `before` (the newest event always stays). */
  pruneOutbox(opts: { readonly before: Date }): Promise<number>;
  /** Online backup into a new file: a SQLite copy (SQLite) or a JSON-lines export (PostgreSQL). */
  backup(file: string): Promise<BackupResult>;
  /** Restores a backup of either kind into this (fresh, unless `replace`) database. */
  restore(file: string, opts?: { readonly replace?: boolean }): Promise<RestoreResult>;
  /** For /readyz: the database answers and no migration is pending. Never throws. */
  ping(): Promise<ReadyState>;
  close(): Promise<void>;
}

/** `sqlite:<cwd>/.keyway/keyway.db`; creates the directory. */
export function defaultDatabaseUrl(cwd: string = process.cwd()): string {
  const dir = resolve(cwd, '.keyway');
  mkdirSync(dir, { recursive: true });
  return `sqlite:${join(dir, 'keyway.db')}`;
}

/** Opens `sqlite:<path>`, `sqlite::memory:`, or `postgres[ql]://…[?schema=<name>]` (schema created if missing). */
export async function openStore(url: string, opts: OpenStoreOptions = {}): Promise<Store> {
  const conn = await connect(url, { backgroundCheckpoints: opts.backgroundCheckpoints ?? false });
  const { db, engine, schema } = conn;
  const now = opts.now ?? (() => new Date());
  let closing: Promise<void> | undefined;
  try {
    if (opts.migrate !== false) await migrate(db, engine, schema);
  } catch (e) {
    await conn.release();
    await db.destroy();
    throw e;
  }
  return {
    engine,
    describe: conn.describe,
    db,
    directory: createDirectoryService({ uow: directoryUnitOfWork(db, engine, accessEpochCacheFor(db)), now }),
    audit: createAuditLog(db, now),
    credentials: createCredentialStore(db, now),
    sessions: createSessionStore(db),
    apiTokens: createApiTokenStore(db),
    throttle: createThrottleStore(db),
    outbox: createOutbox(db, engine, now),
    transaction: (fn) => db.transaction().execute(fn),
    directoryIn: (trx) => createDirectoryService({ uow: joinedUnitOfWork(trx, engine), now }),
    identityIn: (trx) => ({
      credentials: createCredentialStore(trx, now),
      sessions: createSessionStore(trx),
      audit: createAuditLog(trx, now),
    }),
    migrate: (o) => migrate(db, engine, schema, o),
    tableSizes: () => tableSizes(db, engine),
    pruneAudit: (o) => pruneAuditEvents(db, o),
    pruneOutbox: (o) => pruneOutbox(db, o),
    backup: (file) => backupStore(db, engine, file),
    restore: (file, o) => restoreStore(db, engine, file, o),
    async ping() {
      try {
        const { pending } = await migrationStatus(db, engine, schema);
        return pending.length
          ? { ok: false, detail: `pending migrations: ${pending.join(', ')}` }
          : { ok: true, detail: 'ok' };
      } catch (e) {
        return { ok: false, detail: `database unreachable: ${e instanceof Error ? e.message : String(e)}` };
      }
    },
    close: () => (closing ??= conn.release().then(() => db.destroy())),
  };
}
