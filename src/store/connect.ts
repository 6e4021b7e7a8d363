import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type SqliteDatabase as SqliteDialectDatabase,
} from 'kysely';
import pg from 'pg';
import type { Database } from './database.js';
import type { Engine } from './migrations/index.js';
import { startCheckpointer } from './sqlite-checkpointer.js';

export interface Connection {
  readonly engine: Engine;
  readonly db: Kysely<Database>;
  /** Human-readable target without credentials, for logs. */
  readonly describe: string;
  /** PostgreSQL schema holding the tables (Kysely's migrator must be told: its table check spans all schemas). */
  readonly schema?: string;
  /** Closes what the connection runs beside the database handle (the checkpoint worker); before `db.destroy()`. */
  readonly release: () => Promise<void>;
}

export interface ConnectOptions {
  /**
   * SQLite files only: WAL checkpoints on a worker thread, not in commits on the event loop (see
   * sqlite-checkpointer.ts). For long-running processes; a short CLI command would only pay the thread's start.
   */
  readonly backgroundCheckpoints?: boolean;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** Opening the file and the checkpoint worker's own connection (off the event loop) wait this long for the lock. */
const BUSY_TIMEOUT_MS = 5000;
/** How long a statement retries, asynchronously, while another process holds SQLite's write lock. */
const BUSY_RETRY_MS = 2000;
const BUSY_RETRY_MAX_PAUSE_MS = 25;

/** SQLite's write lock stayed taken for BUSY_RETRY_MS: the server answers 503 with Retry-After. */
export class DatabaseBusyError extends Error {
  override readonly name = 'DatabaseBusyError';
  readonly code = 'KEYWAY_DATABASE_BUSY';
  constructor(cause: unknown) {
    super(`the database stayed locked by another writer for ${BUSY_RETRY_MS} ms`, { cause });
  }
}

const isBusy = (e: unknown): boolean =>
  typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' && e.code.startsWith('SQLITE_BUSY');

/**
 * better-sqlite3 runs on the event loop, so SQLite's own busy timeout would freeze every request while another
 * process (an import, another worker) holds the write lock. The connection therefore has no busy timeout: a
 * statement that finds the lock taken fails at once and is retried here after a pause that lets other requests
 * run, for at most BUSY_RETRY_MS, then fails with DatabaseBusyError. Only statements outside a transaction are
 * retried (`BEGIN IMMEDIATE` and single writes): inside one the lock is already held.
 */
const retryWhileBusy = async <T>(database: SqliteDatabase.Database, op: () => T | Promise<T>): Promise<T> => {
  const deadline = Date.now() + BUSY_RETRY_MS;
  for (let pause = 1; ; pause = Math.min(pause * 2, BUSY_RETRY_MAX_PAUSE_MS)) {
    try {
      return await op();
    } catch (e) {
      if (!isBusy(e) || database.inTransaction) throw e;
      if (Date.now() >= deadline) throw new DatabaseBusyError(e);
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
};
// Without it a down database makes every query, and /readyz, wait forever for a connection.
const PG_CONNECT_TIMEOUT_MS = 5000;

/**
 * `BEGIN IMMEDIATE` takes SQLite's write lock up front: a deferred transaction that read first and then
 * writes fails with SQLITE_BUSY_SNAPSHOT when another process wrote meanwhile, instead of waiting.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  constructor(
    cfg: ConstructorParameters<typeof SqliteDriver>[0],
    private readonly database: SqliteDatabase.Database,
  ) {
    super(cfg);
  }
  override async acquireConnection(): Promise<DatabaseConnection> {
    const inner = await super.acquireConnection();
    return {
      executeQuery: (q) => retryWhileBusy(this.database, () => inner.executeQuery(q)),
      streamQuery: (q, chunkSize) => inner.streamQuery(q, chunkSize),
    };
  }
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(
    private readonly cfg: ConstructorParameters<typeof SqliteDialect>[0],
    private readonly database: SqliteDatabase.Database,
  ) {
    super(cfg);
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.cfg, this.database);
  }
}

/**
 * SQLite only: the store's one connection used directly, for the few paths where Kysely's per-statement promise
 * machinery costs more than SQLite's work (the password sign-in's reads and writes; issue 2's benchmark). The
 * connection is taken through Kysely first, so this never interleaves with a Kysely transaction, and the SQL
 * is still Kysely's compiled output.
 */
export interface SqliteDirect {
  /** One read statement's rows. */
  query<R>(query: CompiledQuery<R>): Promise<readonly R[]>;
  /** The statements in order in one BEGIN IMMEDIATE transaction, rolled back if any fails. */
  transaction(queries: readonly CompiledQuery<unknown>[]): Promise<void>;
}

const directByDb = new WeakMap<Kysely<Database>, SqliteDirect>();
const rawByDb = new WeakMap<Kysely<Database>, SqliteDatabase.Database>();

/** SQLite only: the better-sqlite3 handle, for what Kysely cannot express (the online backup API, dbstat). */
export const sqliteRaw = (db: Kysely<Database>): SqliteDatabase.Database | undefined => rawByDb.get(db);

/** The direct path of a store opened on a SQLite file or memory; undefined on PostgreSQL and for transactions. */
export const sqliteDirect = (db: Kysely<Database>): SqliteDirect | undefined => directByDb.get(db);

const STATEMENT_CACHE_SIZE = 512;

/**
 * Kysely's SQLite driver calls `prepare` for every query, and compiling the SQL is a large part of a short
 * query's cost (the sign-in path runs several per request). Statements are cached by their SQL text, which
 * Kysely renders identically for the same query shape; parameters are bound per call. A statement still
 * iterating (a streamed select) is busy, so a fresh one is compiled instead of sharing it.
 */
const withStatementCache = (
  database: SqliteDatabase.Database,
): SqliteDialectDatabase & { prepare(sql: string): SqliteDatabase.Statement } => {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => {
      cache.clear();
      database.close();
    },
    prepare: (sql: string) => {
      const cached = cache.get(sql);
      if (cached && !cached.busy) return cached;
      const statement = database.prepare(sql);
      if (!cached) {
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
};

function directPath(
  db: Kysely<Database>,
  database: SqliteDatabase.Database,
  statements: { prepare(sql: string): SqliteDatabase.Statement },
): SqliteDirect {
  const run = (q: CompiledQuery<unknown>): unknown[] => {
    const statement = statements.prepare(q.sql);
    if (statement.reader) return statement.all(q.parameters as unknown[]);
    statement.run(q.parameters as unknown[]);
    return [];
  };
  const begin = CompiledQuery.raw('begin immediate');
  const commit = CompiledQuery.raw('commit');
  const rollback = CompiledQuery.raw('rollback');
  return {
    query: <R>(q: CompiledQuery<R>) => db.connection().execute(() => retryWhileBusy(database, () => run(q) as R[])),
    transaction: (queries) =>
      db.connection().execute(async () => {
        await retryWhileBusy(database, () => run(begin));
        try {
          for (const q of queries) run(q);
          run(commit);
        } catch (e) {
          if (database.inTransaction) run(rollback);
          throw e;
        }
      }),
  };
}

async function openSqlite(rest: string, opts: ConnectOptions): Promise<Connection> {
  const memory = rest === ':memory:';
  // Accept both `sqlite:relative/or/absolute` and the URL form `sqlite:///absolute/path`.
  const path = memory ? ':memory:' : resolve(rest.startsWith('//') ? rest.slice(2) : rest);
  if (!memory) {
    if (path === '' || rest === '') throw new Error('sqlite URL needs a path: sqlite:<path> or sqlite::memory:');
    mkdirSync(dirname(path), { recursive: true });
  }
  // Opening may wait for the lock (once, at start); statements after it never do (see retryWhileBusy).
  const database = new SqliteDatabase(path, { timeout: BUSY_TIMEOUT_MS });
  if (!memory) database.pragma('journal_mode = WAL');
  database.pragma('foreign_keys = ON');
  database.pragma('synchronous = NORMAL');
  // Keeps the planner's statistics current (cheap when nothing changed): without them SQLite cannot tell a
  // selective search prefix from a broad one. SQLite's advice for long-lived connections.
  database.pragma('optimize = 0x10002');
  database.pragma('busy_timeout = 0');
  const checkpointer =
    !memory && opts.backgroundCheckpoints ? await startCheckpointer(database, path, BUSY_TIMEOUT_MS) : undefined;
  const statements = withStatementCache(database);
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: statements }, database) });
  directByDb.set(db, directPath(db, database, statements));
  rawByDb.set(db, database);
  return { engine: 'sqlite', db, describe: `sqlite:${path}`, release: async () => checkpointer?.stop() };
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function openPostgres(url: string): Promise<Connection> {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema');
  parsed.searchParams.delete('schema');
  if (schema !== null && !SCHEMA_NAME.test(schema)) {
    throw new Error(`schema ${JSON.stringify(schema)} must be a lower-case identifier (letters, digits, _; max 63)`);
  }
  const connectionString = parsed.toString();
  if (schema !== null) {
    const client = new pg.Client({ connectionString, connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS });
    await client.connect();
    try {
      await client.query(`create schema if not exists ${quoteIdent(schema)}`);
    } catch (e) {
      // Two nodes creating the same schema at once: one of them loses the race harmlessly.
      if (!(e instanceof Error && 'code' in e && (e.code === '23505' || e.code === '42P06'))) throw e;
    } finally {
      await client.end();
    }
  }
  const pool = new pg.Pool({
    connectionString,
    max: 10,
    connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
    ...(schema !== null ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  let current: string;
  try {
    const { rows } = await pool.query<{ schema: string | null }>('select current_schema() as schema');
    current = rows[0]?.schema ?? 'public';
  } catch (e) {
    await db.destroy();
    throw e;
  }
  const safe = new URL(connectionString);
  safe.password = '';
  return {
    engine: 'postgres',
    db,
    schema: current,
    describe: `${safe.protocol}//${safe.host}${safe.pathname} schema ${current}`,
    release: async () => undefined,
  };
}

/** Chooses the engine from the URL: `sqlite:<path>`, `sqlite::memory:`, `postgres://…`, `postgresql://…`. */
export async function connect(url: string, opts: ConnectOptions = {}): Promise<Connection> {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length), opts);
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return openPostgres(url);
  throw new Error(
    `Unsupported database URL ${JSON.stringify(url.replace(/\/\/[^@/]*@/, '//…@'))}: use sqlite:<path> or postgres://…`,
  );
}
