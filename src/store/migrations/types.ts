// Why: the shape every migration shares, so one registry serves SQLite and PostgreSQL alike.
import type { ColumnDefinitionBuilder, Kysely } from 'kysely';

export type Engine = 'sqlite' | 'postgres';

export interface MigrationContext {
  readonly engine: Engine;
}

export interface Migration {
  /** Sortable, never renamed once released: `NNNN-short-name`. */
  readonly id: string;
  /** One line: why the migration exists. */
  readonly why: string;
  /** Written with Kysely's schema builder so one definition serves both engines. */
  up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void>;
}

/** A monotonic sequence key: INTEGER PRIMARY KEY AUTOINCREMENT on SQLite, BIGSERIAL on PostgreSQL. */
export function sequenceColumn(
  ctx: MigrationContext,
): ['integer' | 'bigserial', (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder] {
  return ctx.engine === 'sqlite'
    ? ['integer', (c) => c.primaryKey().autoIncrement()]
    : ['bigserial', (c) => c.primaryKey()];
}
