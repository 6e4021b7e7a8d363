import type { Kysely, Selectable } from 'kysely';
import type { ApiToken, ApiTokenStore, CredentialStore, Session, SessionStore, ThrottleStore } from '../core/index.js';
import type { ApiTokensTable, Database, SessionsTable } from './database.js';
import { fromJson, iso, toJson } from './sql-helpers.js';

export function createCredentialStore(db: Kysely<Database>, now: () => Date = () => new Date()): CredentialStore {
  return {
    async getPassword(userId) {
      const r = await db
        .selectFrom('password_credentials')
        .selectAll()
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return r ? { userId: r.user_id, hash: r.hash, updatedAt: r.updated_at } : null;
    },
    async setPassword(userId, hash) {
      const updated_at = now().toISOString();
      await db
        .insertInto('password_credentials')
        .values({ user_id: userId, hash, updated_at })
        .onConflict((oc) => oc.column('user_id').doUpdateSet({ hash, updated_at }))
        .execute();
    },
  };
}

const toSession = (r: Selectable<SessionsTable>): Session => ({
  idHash: r.id_hash,
  userId: r.user_id,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  lastSeenAt: r.last_seen_at,
  authMethods: fromJson<string[]>(r.auth_methods),
  csrfSecret: r.csrf_secret,
  data: fromJson<Record<string, unknown>>(r.data),
});

/** The sessions row of a session. */
export const sessionRow = (s: Session) => ({
  id_hash: s.idHash,
  user_id: s.userId,
  created_at: iso(s.createdAt, 'createdAt'),
  expires_at: iso(s.expiresAt, 'expiresAt'),
  last_seen_at: iso(s.lastSeenAt, 'lastSeenAt'),
  auth_methods: toJson(s.authMethods),
  csrf_secret: s.csrfSecret,
  data: toJson(s.data),
});

/** Timestamps are normalised to ISO-8601 UTC so `deleteExpired` can compare them as text on both engines. */
export function createSessionStore(db: Kysely<Database>): SessionStore {
  return {
    async create(s) {
      await db.insertInto('sessions').values(sessionRow(s)).execute();
    },
    async get(idHash) {
      const r = await db.selectFrom('sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
      return r ? toSession(r) : null;
    },
    async touch(idHash, lastSeenAt, expiresAt) {
      await db
        .updateTable('sessions')
        .set({ last_seen_at: iso(lastSeenAt, 'lastSeenAt'), expires_at: iso(expiresAt, 'expiresAt') })
        .where('id_hash', '=', idHash)
        .execute();
    },
    async updateData(idHash, data) {
      await db
        .updateTable('sessions')
        .set({ data: toJson(data) })
        .where('id_hash', '=', idHash)
        .execute();
    },
    async delete(idHash) {
      await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
    },
    async deleteForUser(userId) {
      const r = await db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
    async listForUser(userId, now) {
      const rows = await db
        .selectFrom('sessions')
        .selectAll()
        .where('user_id', '=', userId)
        .where('expires_at', '>', iso(now, 'now'))
        .orderBy('last_seen_at', 'desc')
        .execute();
      return rows.map(toSession);
    },
    async deleteExpired(now) {
      const r = await db.deleteFrom('sessions').where('expires_at', '<=', iso(now, 'now')).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}

const toToken = (r: Selectable<ApiTokensTable>): ApiToken => ({
  id: r.id,
  name: r.name,
  hash: r.hash,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
  lastUsedAt: r.last_used_at,
});

export function createApiTokenStore(db: Kysely<Database>): ApiTokenStore {
  return {
    async create(t) {
      await db
        .insertInto('api_tokens')
        .values({
          id: t.id,
          name: t.name,
          hash: t.hash,
          created_at: iso(t.createdAt, 'createdAt'),
          revoked_at: t.revokedAt === null ? null : iso(t.revokedAt, 'revokedAt'),
          last_used_at: t.lastUsedAt === null ? null : iso(t.lastUsedAt, 'lastUsedAt'),
        })
        .execute();
    },
    async findByHash(hash) {
      const r = await db.selectFrom('api_tokens').selectAll().where('hash', '=', hash).executeTakeFirst();
      return r ? toToken(r) : null;
    },
    async list() {
      const rows = await db.selectFrom('api_tokens').selectAll().orderBy('created_at').orderBy('id').execute();
      return rows.map(toToken);
    },
    async revoke(id, at) {
      const r = await db
        .updateTable('api_tokens')
        .set({ revoked_at: iso(at, 'at') })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async markUsed(id, at) {
      await db
        .updateTable('api_tokens')
        .set({ last_used_at: iso(at, 'at') })
        .where('id', '=', id)
        .execute();
    },
  };
}

export function createThrottleStore(db: Kysely<Database>): ThrottleStore {
  return {
    async get(key) {
      const r = await db.selectFrom('throttle').selectAll().where('key', '=', key).executeTakeFirst();
      return r
        ? {
            key: r.key,
            failures: Number(r.failures),
            windowStartedAt: r.window_started_at,
            lockedUntil: r.locked_until,
          }
        : null;
    },
    async put(s) {
      const row = {
        failures: s.failures,
        window_started_at: iso(s.windowStartedAt, 'windowStartedAt'),
        locked_until: s.lockedUntil === null ? null : iso(s.lockedUntil, 'lockedUntil'),
      };
      await db
        .insertInto('throttle')
        .values({ key: s.key, ...row })
        .onConflict((oc) => oc.column('key').doUpdateSet(row))
        .execute();
    },
    async clear(key) {
      await db.deleteFrom('throttle').where('key', '=', key).execute();
    },
  };
}
