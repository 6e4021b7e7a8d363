/**
 * Keeping the database in shape: table sizes, retention of audit events and finished outbox rows. Both prunes
 * delete in small batches, each its own short transaction, so the writer is free between them and requests on
 * a busy node never wait behind a long delete.
 */
import { sql, type Kysely } from 'kysely';
import { sqliteRaw } from './connect.js';
import type { Database } from './database.js';
import type { Engine } from './migrations/index.js';
import { MIGRATION_TABLES } from './migrator.js';

export interface TableSize {
  readonly table: string;
  readonly rows: number;
  /** Bytes on disk, indexes included. */
  readonly bytes: number;
}

const BOOKKEEPING = new Set<string>(MIGRATION_TABLES);

/** Every table of the store, bookkeeping excluded, in name order. */
export async function tableNames(db: Kysely<Database>, engine: Engine): Promise<string[]> {
  const { rows } =
    engine === 'sqlite'
      ? await sql<{
          name: string;
        }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(db)
      : await sql<{
          name: string;
        }>`select tablename as name from pg_tables where schemaname = current_schema()`.execute(db);
  return rows
    .map((r) => r.name)
    .filter((n) => !BOOKKEEPING.has(n))
    .sort();
}

/** Rows and bytes per table, largest first. Row counts are exact (a count on each table). */
export async function tableSizes(db: Kysely<Database>, engine: Engine): Promise<TableSize[]> {
  const names = await tableNames(db, engine);
  const bytes = new Map<string, number>();
  if (engine === 'postgres') {
    const { rows } = await sql<{ name: string; bytes: string }>`
      select c.relname as name, pg_total_relation_size(c.oid)::text as bytes
      from pg_class c where c.relkind = 'r' and c.relnamespace = current_schema()::regnamespace`.execute(db);
    for (const r of rows) bytes.set(r.name, Number(r.bytes));
  } else {
    const raw = sqliteRaw(db);
    if (raw) {
      // dbstat lists every b-tree (tables and indexes) with its pages; an index counts towards its table.
      const pages = raw
        .prepare(
          `select coalesce(m.tbl_name, s.name) as name, sum(s.pgsize) as bytes
           from dbstat s left join sqlite_master m on m.name = s.name group by 1`,
        )
        .all() as { name: string; bytes: number }[];
      for (const r of pages) bytes.set(r.name, r.bytes);
    }
  }
  const out: TableSize[] = [];
  for (const table of names) {
    const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(db);
    out.push({ table, rows: Number(rows[0]?.n ?? 0), bytes: bytes.get(table) ?? 0 });
  }
  return out.sort((a, b) => b.bytes - a.bytes || a.table.localeCompare(b.table));
}

const BATCH = 2000;

export interface AuditPruneOptions {
  /** Events strictly older than this go. */
  readonly before: Date;
  /** Called with each batch of removed events as JSON lines (one event per line) before the batch is deleted. */
  readonly exportLines?: (lines: string) => Promise<void> | void;
}

/**
 * Removes audit events older than `before`, oldest first, a batch at a time. With `exportLines`, each batch is
 * handed over (and awaited) before it is deleted, so an export that fails stops the prune with nothing lost.
 */
export async function pruneAuditEvents(db: Kysely<Database>, opts: AuditPruneOptions): Promise<number> {
  const cutoff = opts.before.toISOString();
  let removed = 0;
  for (;;) {
    const rows = await db
      .selectFrom('audit_events')
      .selectAll()
      .where('at', '<', cutoff)
      .orderBy('seq')
      .limit(BATCH)
      .execute();
    if (rows.length === 0) return removed;
    if (opts.exportLines) await opts.exportLines(rows.map((r) => `${JSON.stringify(exportedEvent(r))}\n`).join(''));
    const seqs = rows.map((r) => Number(r.seq));
    await db.deleteFrom('audit_events').where('seq', 'in', seqs).execute();
    removed += rows.length;
    if (rows.length < BATCH) return removed;
  }
}

/** The stored row with its JSON columns parsed, as `keyway audit --json` shows them. */
const exportedEvent = (r: Record<string, unknown>) => {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    if (v === null) continue;
    out[k] = ['actor', 'before', 'after', 'details'].includes(k) ? JSON.parse(String(v)) : k === 'seq' ? Number(v) : v;
  }
  return out;
};

/**
 * Removes outbox events delivered before `before`. The newest event always stays, so the sequence a consumer
 * reads from (`latestSeq`) never goes back.
 */
export async function pruneOutbox(db: Kysely<Database>, opts: { readonly before: Date }): Promise<number> {
  const cutoff = opts.before.toISOString();
  const newest = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.max('seq').as('max'))
    .executeTakeFirst();
  const keep = Number(newest?.max ?? 0);
  let removed = 0;
  for (;;) {
    const rows = await db
      .selectFrom('outbox')
      .select('seq')
      .where('done_at', 'is not', null)
      .where('done_at', '<', cutoff)
      .where('seq', '<', keep)
      .orderBy('seq')
      .limit(BATCH)
      .execute();
    if (rows.length === 0) return removed;
    const result = await db
      .deleteFrom('outbox')
      .where(
        'seq',
        'in',
        rows.map((r) => Number(r.seq)),
      )
      .where('done_at', 'is not', null)
      .executeTakeFirst();
    removed += Number(result.numDeletedRows);
    if (rows.length < BATCH) return removed;
  }
}
