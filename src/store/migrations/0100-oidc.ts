// Why: the OpenID Connect provider keeps its grants, codes, tokens and sessions in the database (nodes stay stateless), and OIDC clients are applications.
import type { Migration } from './types.js';

export const oidcProvider: Migration = {
  id: '0100-oidc',
  why: 'OIDC provider artefacts (codes, tokens, grants, sessions, device codes) and OIDC client applications',
  async up(db) {
    await db.schema
      .createTable('oidc_payloads')
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('grant_id', 'text')
      .addColumn('user_code', 'text')
      .addColumn('uid', 'text')
      .addColumn('expires_at', 'text')
      .addColumn('consumed_at', 'text')
      .addPrimaryKeyConstraint('oidc_payloads_pk', ['model', 'id'])
      .execute();
    await db.schema.createIndex('oidc_payloads_grant_ix').on('oidc_payloads').column('grant_id').execute();
    await db.schema
      .createIndex('oidc_payloads_user_code_ix')
      .on('oidc_payloads')
      .columns(['model', 'user_code'])
      .execute();
    await db.schema.createIndex('oidc_payloads_uid_ix').on('oidc_payloads').columns(['model', 'uid']).execute();
    await db.schema.createIndex('oidc_payloads_expires_ix').on('oidc_payloads').column('expires_at').execute();

    await db.schema
      .createTable('oidc_clients')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('client_id', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_lower', 'text', (c) => c.notNull())
      .addColumn('enabled', 'integer', (c) => c.notNull())
      .addColumn('document', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .execute();
  },
};
