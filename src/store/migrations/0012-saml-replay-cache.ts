// Why: a one-time cache of inbound SAML message IDs shared by all nodes, so a replayed AuthnRequest is refused
// anywhere.
import type { Migration } from './types.js';

export const samlReplayCache: Migration = {
  id: '0012-saml-replay-cache',
  why: 'seen SAML message IDs until they expire (docs/security.md, SAML rule 4)',
  async up(db) {
    await db.schema
      .createTable('saml_replay_cache')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('saml_replay_cache_expires_ix').on('saml_replay_cache').column('expires_at').execute();
  },
};
