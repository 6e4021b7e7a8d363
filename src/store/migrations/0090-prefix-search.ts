// Why: search matches a prefix of user names, display names and emails; PostgreSQL needs byte-order ("C") indexes
// for the range that prefix becomes, since its default collation may sort differently from the bytes.
import { sql } from 'kysely';
import type { Migration } from './types.js';

const COLUMNS = [
  ['users', 'user_name_lower'],
  ['users', 'display_name_lower'],
  ['users', 'email_lower'],
  ['groups', 'display_name_lower'],
] as const;

export const prefixSearch: Migration = {
  id: '0090-prefix-search',
  why: 'byte-order indexes for prefix search on PostgreSQL (SQLite compares bytes already and uses the existing ones)',
  async up(db, { engine }) {
    if (engine !== 'postgres') return;
    for (const [table, column] of COLUMNS) {
      await sql`create index ${sql.id(`${table}_${column}_prefix_ix`)} on ${sql.table(table)} (${sql.ref(column)} collate "C")`.execute(
        db,
      );
    }
  },
};
