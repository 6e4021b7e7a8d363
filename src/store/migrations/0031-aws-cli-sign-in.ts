// Why: command-line sign-in for `keyway aws credentials` — bearer tokens and device-code approvals.
import type { Migration } from './types.js';

export const awsCliSignIn: Migration = {
  id: '0031-aws-cli-sign-in',
  why: 'CLI bearer tokens (hashed) and device-code grants for keyway aws credentials',
  async up(db) {
    await db.schema
      .createTable('aws_cli_tokens')
      .addColumn('id_hash', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('auth_methods', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .addColumn('revoked_reason', 'text')
      .execute();
    await db.schema.createIndex('aws_cli_tokens_expiry_ix').on('aws_cli_tokens').column('expires_at').execute();
    await db.schema
      .createTable('aws_cli_device_grants')
      .addColumn('device_code_hash', 'text', (c) => c.primaryKey())
      .addColumn('user_code', 'text', (c) => c.notNull().unique())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute();
  },
};
