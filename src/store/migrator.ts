import {
  Migrator,
  sql,
  type DatabaseIntrospector,
  type Kysely,
  type Migration as KyselyMigration,
  type TableMetadata,
} from 'kysely';
import type { Database } from './database.js';
import { migrations, type Engine } from './migrations/index.js';

export interface MigrationReport {
  /** Ids recorded as applied in the database (after this call). */
  readonly applied: readonly string[];
  /** Ids not yet applied (after this call; empty unless dryRun). */
  readonly pending: readonly string[];
  /** Ids this call applied. */
  readonly ran: readonly string[];
}

/**
 * Kysely's migrator looks for its own table by asking the introspector for every table of every schema, and
 * that query fails ("schema … does not exist") when another node or test run drops its schema meanwhile on a
 * shared PostgreSQL database; it also grows with every schema. On PostgreSQL the migrator is therefore given
 * an introspector that looks at Keyway's schema only.
 */
const pinnedToSchema = (db: Kysely<Database>, schema: string): Kysely<Database> => {
  const getTables = async (): Promise<TableMetadata[]> => {
    const { rows } = await sql<{
      name: string;
      type: string;
    }>`select table_name as name, table_type as type from information_schema.tables where table_schema = ${schema}`.execute(
      db,
    );
    return rows.map((r) => ({ name: r.name, schema, isView: r.type === 'VIEW', columns: [] }));
  };
  const introspection: DatabaseIntrospector = {
    async getSchemas() {
      const { rows } = await sql<{
        name: string;
      }>`select nspname as name from pg_catalog.pg_namespace where nspname = ${schema}`.execute(db);
      return rows;
    },
    getTables,
    getMetadata: async () => ({ tables: await getTables() }),
  };
  // Kysely's methods use private fields, so they are called on the real instance.
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'introspection') return introspection;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
};

/**
 * Kysely's Migrator does the bookkeeping (a table of applied ids, and on PostgreSQL an advisory lock so nodes
 * starting together migrate once); the registry in ./migrations is the single list of what to run.
 */
/** Where the migrator records what ran (and its lock); they hold no data of the directory. */
export const MIGRATION_TABLES = ['keyway_migrations', 'keyway_migrations_lock'] as const;

function migrator(db: Kysely<Database>, engine: Engine, schema: string | undefined): Migrator {
  return new Migrator({
    db: engine === 'postgres' && schema !== undefined ? pinnedToSchema(db, schema) : db,
    ...(schema !== undefined ? { migrationTableSchema: schema } : {}),
    migrationTableName: MIGRATION_TABLES[0],
    migrationLockTableName: MIGRATION_TABLES[1],
    // Modules number their migrations in their own ranges (0010 SAML, 0030 AWS, …); a database that already
    // ran 0031 must still accept a newly added 0020. Pending ones always run in id order.
    allowUnorderedMigrations: true,
    provider: {
      async getMigrations() {
        const out: Record<string, KyselyMigration> = {};
        for (const m of migrations) out[m.id] = { up: (k) => m.up(k, { engine }) };
        return out;
      },
    },
  });
}

export async function migrationStatus(db: Kysely<Database>, engine: Engine, schema?: string): Promise<MigrationReport> {
  const infos = await migrator(db, engine, schema).getMigrations();
  return {
    applied: infos.filter((i) => i.executedAt !== undefined).map((i) => i.name),
    pending: infos.filter((i) => i.executedAt === undefined).map((i) => i.name),
    ran: [],
  };
}

export async function migrate(
  db: Kysely<Database>,
  engine: Engine,
  schema: string | undefined,
  opts: { dryRun?: boolean } = {},
): Promise<MigrationReport> {
  if (opts.dryRun) return migrationStatus(db, engine, schema);
  const { error, results } = await migrator(db, engine, schema).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(
      `Migration ${failed ?? '(unknown)'} failed: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const status = await migrationStatus(db, engine, schema);
  return { ...status, ran: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}
