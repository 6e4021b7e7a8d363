// Why: users, groups and (nested) memberships — the directory every other capability reads.
import { sql } from 'kysely';
import type { Migration } from './types.js';

const sqlStatus = sql`status in ('active', 'suspended')`;
const sqlNotSelf = sql`parent_id <> child_id`;

export const directory: Migration = {
  id: '0001-directory',
  why: 'users, groups and nested memberships; case-insensitive uniqueness through unique indexes on lower-cased columns',
  async up(db) {
    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_name', 'text', (c) => c.notNull())
      .addColumn('user_name_lower', 'text', (c) => c.notNull())
      .addColumn('given_name', 'text')
      .addColumn('family_name', 'text')
      .addColumn('display_name', 'text')
      .addColumn('display_name_lower', 'text')
      .addColumn('email_lower', 'text')
      .addColumn('emails', 'text', (c) => c.notNull())
      .addColumn('external_id', 'text')
      .addColumn('status', 'text', (c) => c.notNull().check(sqlStatus))
      .addColumn('attributes', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('users_user_name_lower_uq').unique().on('users').column('user_name_lower').execute();
    await db.schema.createIndex('users_display_name_lower_ix').on('users').column('display_name_lower').execute();
    await db.schema.createIndex('users_email_lower_ix').on('users').column('email_lower').execute();
    await db.schema.createIndex('users_external_id_ix').on('users').column('external_id').execute();

    await db.schema
      .createTable('groups')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('display_name_lower', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('external_id', 'text')
      .addColumn('attributes', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('groups_display_name_lower_uq')
      .unique()
      .on('groups')
      .column('display_name_lower')
      .execute();
    await db.schema.createIndex('groups_external_id_ix').on('groups').column('external_id').execute();

    await db.schema
      .createTable('group_user_members')
      .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('group_user_members_pk', ['group_id', 'user_id'])
      .execute();
    await db.schema.createIndex('group_user_members_user_ix').on('group_user_members').column('user_id').execute();

    await db.schema
      .createTable('group_group_members')
      .addColumn('parent_id', 'text', (c) => c.notNull().references('groups.id').onDelete('cascade'))
      .addColumn('child_id', 'text', (c) => c.notNull().references('groups.id').onDelete('cascade'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('group_group_members_pk', ['parent_id', 'child_id'])
      .addCheckConstraint('group_group_members_not_self', sqlNotSelf)
      .execute();
    await db.schema.createIndex('group_group_members_child_ix').on('group_group_members').column('child_id').execute();
  },
};
