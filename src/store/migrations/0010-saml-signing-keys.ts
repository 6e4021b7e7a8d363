// Why: SAML IdP signing keys live in the database (sealed under the master key) so every node signs with the same key.
import { sql } from 'kysely';
import type { Migration } from './types.js';

export const samlSigningKeys: Migration = {
  id: '0010-saml-signing-keys',
  why: 'SAML signing keys with their rotation state; private keys sealed with AES-256-GCM',
  async up(db) {
    await db.schema
      .createTable('saml_signing_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('algorithm', 'text', (c) => c.notNull())
      .addColumn('bits', 'integer', (c) => c.notNull())
      .addColumn('certificate_pem', 'text', (c) => c.notNull())
      .addColumn('fingerprint', 'text', (c) => c.notNull())
      .addColumn('encrypted_private_key', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('activated_at', 'text')
      .addColumn('retired_at', 'text')
      .execute();
    // At most one current and one next key, whatever nodes race: the database decides, not the code.
    await db.schema
      .createIndex('saml_signing_keys_one_per_state_ux')
      .on('saml_signing_keys')
      .column('state')
      .unique()
      .where(sql.ref('state'), 'in', ['current', 'next'])
      .execute();
  },
};
