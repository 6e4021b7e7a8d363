// Why: Pattern A's access data — AWS accounts Keyway knows and the group → IAM role bindings.
import type { Migration } from './types.js';

export const awsAccess: Migration = {
  id: '0030-aws-access',
  why: 'AWS accounts (id, unique name) and group-to-role bindings, removed with their group',
  async up(db) {
    await db.schema
      .createTable('aws_accounts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_lower', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('aws_role_bindings')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id').onDelete('cascade'))
      .addColumn('account_id', 'text', (c) => c.notNull().references('aws_accounts.id'))
      .addColumn('role_name', 'text', (c) => c.notNull())
      // IAM role names are unique case-insensitively per account.
      .addColumn('role_name_lower', 'text', (c) => c.notNull())
      .addColumn('role_path', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('aws_role_bindings_unique', ['group_id', 'account_id', 'role_name_lower'])
      .execute();
    await db.schema.createIndex('aws_role_bindings_group_ix').on('aws_role_bindings').column('group_id').execute();
    await db.schema
      .createIndex('aws_role_bindings_account_ix')
      .on('aws_role_bindings')
      .columns(['account_id', 'role_name_lower'])
      .execute();
  },
};
