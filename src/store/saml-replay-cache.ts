import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './database.js';
import type { SamlTables } from './saml-tables.js';
import { isUniqueViolation } from './sql-helpers.js';

export interface MessageIdCache {
  /** True the first time a key is seen before it expires; false for a replay. Expired keys are purged on the way. */
  remember(key: string, expiresAt: Date, now: Date): Promise<boolean>;
}

/**
 * Shared by all nodes through the database: the primary key makes "first writer wins" atomic on both engines.
 * Keys are stored as their SHA-256: fixed length, and free of bytes PostgreSQL text refuses (callers join issuer
 * and message ID with a NUL).
 */
export function createMessageIdCache(base: Kysely<Database>): MessageIdCache {
  const db = base.withTables<SamlTables>();
  return {
    async remember(key, expiresAt, now) {
      await db.deleteFrom('saml_replay_cache').where('expires_at', '<=', now.toISOString()).execute();
      try {
        await db
          .insertInto('saml_replay_cache')
          .values({ key: createHash('sha256').update(key, 'utf8').digest('hex'), expires_at: expiresAt.toISOString() })
          .execute();
        return true;
      } catch (e) {
        if (isUniqueViolation(e)) return false;
        throw e;
      }
    },
  };
}
