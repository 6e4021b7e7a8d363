// Why: a counter the database itself raises with every change to groups, memberships and role bindings, so that
// what the sign-in path derives from them can be remembered between requests and never outlive a change.
import { sql } from 'kysely';
import type { Migration } from './types.js';

/** Every table whose rows decide who is in which group or who may assume which role. */
export const ACCESS_TABLES = ['groups', 'group_user_members', 'group_group_members', 'aws_role_bindings'] as const;

export const accessEpoch: Migration = {
  id: '0050-access-epoch',
  why: 'access_epoch counter raised by triggers on groups, memberships and role bindings (cache validation for sign-in reads)',
  async up(db, { engine }) {
    await db.schema
      .createTable('access_epoch')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('value', 'bigint', (c) => c.notNull())
      .addCheckConstraint('access_epoch_one_row', sql`id = 1`)
      .execute();
    await sql`insert into access_epoch (id, value) values (1, 0)`.execute(db);
    // Triggers rather than code in each write path: no writer (a new module, a bulk import, an operator's SQL)
    // can change access without moving the epoch, and the raise commits or rolls back with the change.
    if (engine === 'sqlite') {
      for (const table of ACCESS_TABLES) {
        for (const op of ['insert', 'update', 'delete'] as const) {
          await sql
            .raw(
              `create trigger access_epoch_${table}_${op} after ${op} on ${table} begin update access_epoch set value = value + 1 where id = 1; end`,
            )
            .execute(db);
        }
      }
      return;
    }
    // The raise is deferred to commit, so the one hot row is locked only while committing. Taken at the change,
    // it would be held for the rest of the transaction and order itself before locks taken later (the
    // membership-graph lock, a user row): two writers taking them in the other order deadlock. A deferred
    // trigger is per row, so the raise is remembered for the transaction and done once.
    await sql
      .raw(
        `create function access_epoch_raise() returns trigger language plpgsql set search_path from current as $$ begin
          if current_setting('keyway.access_epoch_raised', true) is distinct from 'on' then
            update access_epoch set value = value + 1 where id = 1;
            perform set_config('keyway.access_epoch_raised', 'on', true);
          end if;
          return null;
        end $$`,
      )
      .execute(db);
    for (const table of ACCESS_TABLES) {
      await sql
        .raw(
          `create constraint trigger access_epoch_${table} after insert or update or delete on ${table} deferrable initially deferred for each row execute function access_epoch_raise()`,
        )
        .execute(db);
      // Truncate has no row triggers; it takes the table's exclusive lock anyway.
      await sql
        .raw(
          `create trigger access_epoch_${table}_truncate after truncate on ${table} for each statement execute function access_epoch_raise()`,
        )
        .execute(db);
    }
  },
};
