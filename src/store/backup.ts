/**
 * `keyway backup` and `keyway restore`.
 *
 * - SQLite: SQLite's online backup API copies the live database page by page into a new SQLite file; writers
 *   carry on meanwhile and the copy is one consistent state.
 * - PostgreSQL: a logical export, one JSON line per row, read in one REPEATABLE READ transaction (one snapshot
 *   of every table) through a server-side cursor, so memory stays flat however large the tables are.
 *
 * Restore reads either kind into a freshly migrated database of either engine, in one transaction: parents
 * before children (foreign keys read from the target's catalogue), sequences moved past the restored rows.
 * It refuses a target that already holds users or groups unless told to replace them, and a backup taken by a
 * newer Keyway (a migration the target has not applied).
 */
import { createReadStream, createWriteStream, existsSync, openSync, readSync, closeSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import SqliteDatabase from 'better-sqlite3';
import { sql, type Kysely, type Transaction } from 'kysely';
import { sqliteRaw } from './connect.js';
import type { Database } from './database.js';
import { tableNames } from './maintenance.js';
import type { Engine } from './migrations/index.js';
import { MIGRATION_TABLES } from './migrator.js';

type Row = Record<string, unknown>;

export interface BackupResult {
  readonly format: 'sqlite' | 'logical';
  readonly tables: number;
  /** Rows written (logical format) or pages copied (SQLite). */
  readonly rows?: number;
}

export interface RestoreResult {
  readonly format: 'sqlite' | 'logical';
  readonly rows: Readonly<Record<string, number>>;
}

const HEADER = 'keyway-backup';
const VERSION = 1;
const CURSOR_FETCH = 1000;
const INSERT_BATCH = 200;

const appliedMigrations = async (db: Kysely<Database>): Promise<string[]> =>
  (await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLES[0])} order by name`.execute(db)).rows.map(
    (r) => r.name,
  );

/** Tables ordered so that every table comes after the tables its foreign keys point to. */
async function parentsFirst(db: Kysely<Database>, engine: Engine): Promise<string[]> {
  const names = await tableNames(db, engine);
  const { rows: edges } =
    engine === 'sqlite'
      ? await sql<{ child: string; parent: string }>`
          select m.name as child, p."table" as parent
          from sqlite_master m, pragma_foreign_key_list(m.name) p where m.type = 'table'`.execute(db)
      : await sql<{ child: string; parent: string }>`
          select cr.relname as child, pr.relname as parent from pg_constraint c
          join pg_class cr on cr.oid = c.conrelid join pg_class pr on pr.oid = c.confrelid
          where c.contype = 'f' and c.connamespace = current_schema()::regnamespace`.execute(db);
  const parents = new Map(names.map((n) => [n, new Set<string>()]));
  for (const e of edges) if (e.child !== e.parent) parents.get(e.child)?.add(e.parent);
  const ordered: string[] = [];
  const placed = new Set<string>();
  const visit = (n: string, path: Set<string>) => {
    if (placed.has(n) || path.has(n)) return;
    path.add(n);
    for (const p of parents.get(n) ?? []) visit(p, path);
    placed.add(n);
    ordered.push(n);
  };
  for (const n of names) visit(n, new Set());
  return ordered;
}

const encodeValue = (v: unknown): unknown => (Buffer.isBuffer(v) ? { $bytes: v.toString('base64') } : v);
const decodeValue = (v: unknown): unknown =>
  v !== null && typeof v === 'object' && '$bytes' in v ? Buffer.from(String(v.$bytes), 'base64') : v;

const encodeRow = (r: Row): Row => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, encodeValue(v)]));

/** Backs the store up into `file` (which must not exist). */
export async function backupStore(db: Kysely<Database>, engine: Engine, file: string): Promise<BackupResult> {
  if (existsSync(file)) throw new Error(`${file} already exists; choose a new file`);
  const raw = sqliteRaw(db);
  if (engine === 'sqlite' && raw) {
    const { totalPages } = await raw.backup(file);
    return { format: 'sqlite', tables: (await tableNames(db, engine)).length, rows: totalPages };
  }
  return logicalExport(db, engine, file);
}

async function logicalExport(db: Kysely<Database>, engine: Engine, file: string): Promise<BackupResult> {
  const out = createWriteStream(file, { flags: 'wx' });
  const write = async (line: string) => {
    if (!out.write(line)) await once(out, 'drain');
  };
  let rows = 0;
  let tables = 0;
  try {
    await db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        const applied = await appliedMigrations(trx);
        await write(`${JSON.stringify({ format: HEADER, version: VERSION, engine, migrations: applied })}\n`);
        for (const table of await parentsFirst(trx, engine)) {
          tables++;
          await sql`declare keyway_backup no scroll cursor for select * from ${sql.table(table)}`.execute(trx);
          for (;;) {
            const batch = await sql<Row>`fetch ${sql.raw(String(CURSOR_FETCH))} from keyway_backup`.execute(trx);
            for (const r of batch.rows) await write(`${JSON.stringify({ table, row: encodeRow(r) })}\n`);
            rows += batch.rows.length;
            if (batch.rows.length < CURSOR_FETCH) break;
          }
          await sql`close keyway_backup`.execute(trx);
        }
      });
    out.end();
    await once(out, 'finish');
  } catch (e) {
    out.destroy();
    rmSync(file, { force: true });
    throw e;
  }
  return { format: 'logical', tables, rows };
}

const isSqliteFile = (file: string): boolean => {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(16);
    readSync(fd, head, 0, 16, 0);
    return head.toString('latin1') === 'SQLite format 3\0';
  } finally {
    closeSync(fd);
  }
};

interface Source {
  readonly format: 'sqlite' | 'logical';
  readonly migrations: readonly string[];
  /** Rows in parents-first order, grouped by table. */
  rows(order: readonly string[]): AsyncIterable<{ table: string; row: Row }>;
  close(): void;
}

function sqliteSource(file: string): Source {
  const src = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  const present = new Set(
    (src.prepare(`select name from sqlite_master where type = 'table'`).all() as { name: string }[]).map((r) => r.name),
  );
  if (!present.has(MIGRATION_TABLES[0])) {
    src.close();
    throw new Error(`${file} is a SQLite file but not a Keyway database`);
  }
  return {
    format: 'sqlite',
    migrations: (src.prepare(`select name from ${MIGRATION_TABLES[0]} order by name`).all() as { name: string }[]).map(
      (r) => r.name,
    ),
    async *rows(order) {
      for (const table of order) {
        if (!present.has(table)) continue;
        for (const row of src.prepare(`select * from "${table.replace(/"/g, '""')}"`).iterate())
          yield { table, row: row as Row };
      }
    },
    close: () => src.close(),
  };
}

async function logicalSource(file: string): Promise<Source> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY });
  const iterator = lines[Symbol.asyncIterator]();
  const first = await iterator.next();
  let header: { format?: unknown; version?: unknown; migrations?: unknown } = {};
  try {
    header = JSON.parse(first.done ? '' : first.value) as typeof header;
  } catch {
    // reported below
  }
  if (header.format !== HEADER || header.version !== VERSION || !Array.isArray(header.migrations)) {
    lines.close();
    throw new Error(`${file} is not a Keyway backup (neither a SQLite file nor a ${HEADER} v${VERSION} export)`);
  }
  return {
    format: 'logical',
    migrations: header.migrations.map(String),
    async *rows() {
      let n = 1;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        n++;
        if (next.value === '') continue;
        const parsed = JSON.parse(next.value) as { table?: unknown; row?: unknown };
        if (typeof parsed.table !== 'string' || parsed.row === null || typeof parsed.row !== 'object')
          throw new Error(`line ${n} of ${file} is not a table row`);
        const row = Object.fromEntries(Object.entries(parsed.row as Row).map(([k, v]) => [k, decodeValue(v)] as const));
        yield { table: parsed.table, row };
      }
    },
    close: () => lines.close(),
  };
}

/** Moves each PostgreSQL sequence past the largest restored key, so new rows do not collide with restored ones. */
async function resetSequences(trx: Transaction<Database>): Promise<void> {
  const { rows } = await sql<{ table: string; column: string }>`
    select table_name as table, column_name as column from information_schema.columns
    where table_schema = current_schema() and column_default like 'nextval(%'`.execute(trx);
  for (const { table, column } of rows) {
    await sql`select setval(pg_get_serial_sequence(${table}, ${column}), coalesce((select max(${sql.ref(column)}) from ${sql.table(table)}), 0) + 1, false)`.execute(
      trx,
    );
  }
}

/** Restores `file` into the (migrated) store; `replace` allows a target that already holds users or groups. */
export async function restoreStore(
  db: Kysely<Database>,
  engine: Engine,
  file: string,
  opts: { readonly replace?: boolean } = {},
): Promise<RestoreResult> {
  if (!existsSync(file)) throw new Error(`${file} does not exist`);
  const source = isSqliteFile(file) ? sqliteSource(file) : await logicalSource(file);
  try {
    const applied = await appliedMigrations(db);
    const unknown = source.migrations.filter((m) => !applied.includes(m));
    if (unknown.length)
      throw new Error(
        `the backup was taken by a newer Keyway (migrations ${unknown.join(', ')}); upgrade this one first`,
      );
    if (!opts.replace) {
      const used = await sql<{
        n: number | string;
      }>`select (select count(*) from users) + (select count(*) from groups) as n`.execute(db);
      if (Number(used.rows[0]?.n ?? 0) > 0)
        throw new Error('the target database already holds users or groups; restore into a fresh one (or --replace)');
    }
    const order = await parentsFirst(db, engine);
    const counts: Record<string, number> = {};
    await db.transaction().execute(async (trx) => {
      for (const table of [...order].reverse()) await sql`delete from ${sql.table(table)}`.execute(trx);
      let pending: Row[] = [];
      let pendingTable = '';
      const flush = async () => {
        if (pending.length === 0) return;
        await trx
          .insertInto(pendingTable as keyof Database)
          .values(pending as never)
          .execute();
        counts[pendingTable] = (counts[pendingTable] ?? 0) + pending.length;
        pending = [];
      };
      for await (const { table, row } of source.rows(order)) {
        if (!order.includes(table)) throw new Error(`the backup holds table ${table}, which this Keyway does not have`);
        if (table !== pendingTable || pending.length >= INSERT_BATCH) await flush();
        pendingTable = table;
        pending.push(row);
      }
      await flush();
      if (engine === 'postgres') await resetSequences(trx);
    });
    return { format: source.format, rows: counts };
  } finally {
    source.close();
  }
}
