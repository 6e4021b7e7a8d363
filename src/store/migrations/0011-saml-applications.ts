// Why: SAML service providers registered as applications, looked up by entity ID on every AuthnRequest.
import type { Migration } from './types.js';

export const samlApplications: Migration = {
  id: '0011-saml-applications',
  why: 'SAML applications: searchable columns plus the validated application document as JSON',
  async up(db) {
    await db.schema
      .createTable('saml_applications')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_lower', 'text', (c) => c.notNull())
      .addColumn('entity_id', 'text', (c) => c.notNull().unique())
      .addColumn('enabled', 'integer', (c) => c.notNull())
      .addColumn('document', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('saml_applications_name_ix')
      .on('saml_applications')
      .columns(['name_lower', 'id'])
      .execute();
  },
};
