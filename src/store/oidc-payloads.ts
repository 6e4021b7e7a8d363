/**
 * Storage of the OIDC provider's artefacts (authorization and device codes, access and refresh tokens, grants,
 * sessions, interactions): one row per (model, id) with the library's payload as JSON, plus the lookup columns
 * the library asks by (grant id, user code, uid). Expired rows read as absent and are pruned by `sweep`.
 */
import type { Kysely } from 'kysely';
import type { Database } from './database.js';

export type OidcTables = {
  oidc_payloads: {
    model: string;
    id: string;
    payload: string;
    grant_id: string | null;
    user_code: string | null;
    uid: string | null;
    expires_at: string | null;
    consumed_at: string | null;
  };
};

export interface OidcStoredPayload {
  readonly payload: Readonly<Record<string, unknown>>;
  readonly consumedAt: string | null;
}

export interface OidcPayloadStore {
  upsert(
    model: string,
    id: string,
    payload: Readonly<Record<string, unknown>>,
    keys: { grantId?: string; userCode?: string; uid?: string; expiresAt?: string },
  ): Promise<void>;
  find(model: string, id: string): Promise<OidcStoredPayload | null>;
  findBy(model: string, column: 'user_code' | 'uid', value: string): Promise<OidcStoredPayload | null>;
  consume(model: string, id: string, at: string): Promise<void>;
  destroy(model: string, id: string): Promise<void>;
  /** Every artefact of a grant, whatever its model (refresh token reuse revokes the whole grant). */
  revokeByGrantId(grantId: string): Promise<void>;
  sweep(now: string): Promise<number>;
}

export function createOidcPayloadStore(base: Kysely<Database>, now: () => Date = () => new Date()): OidcPayloadStore {
  const db = base.withTables<OidcTables>();
  const live = (r: OidcTables['oidc_payloads'] | undefined): OidcStoredPayload | null => {
    if (!r || (r.expires_at !== null && r.expires_at <= now().toISOString())) return null;
    return { payload: JSON.parse(r.payload) as Record<string, unknown>, consumedAt: r.consumed_at };
  };
  return {
    async upsert(model, id, payload, keys) {
      const row = {
        payload: JSON.stringify(payload),
        grant_id: keys.grantId ?? null,
        user_code: keys.userCode ?? null,
        uid: keys.uid ?? null,
        expires_at: keys.expiresAt ?? null,
      };
      await db
        .insertInto('oidc_payloads')
        .values({ model, id, consumed_at: null, ...row })
        .onConflict((oc) => oc.columns(['model', 'id']).doUpdateSet(row))
        .execute();
    },
    async find(model, id) {
      return live(
        await db
          .selectFrom('oidc_payloads')
          .selectAll()
          .where('model', '=', model)
          .where('id', '=', id)
          .executeTakeFirst(),
      );
    },
    async findBy(model, column, value) {
      return live(
        await db
          .selectFrom('oidc_payloads')
          .selectAll()
          .where('model', '=', model)
          .where(column, '=', value)
          .executeTakeFirst(),
      );
    },
    async consume(model, id, at) {
      await db
        .updateTable('oidc_payloads')
        .set({ consumed_at: at })
        .where('model', '=', model)
        .where('id', '=', id)
        .execute();
    },
    async destroy(model, id) {
      await db.deleteFrom('oidc_payloads').where('model', '=', model).where('id', '=', id).execute();
    },
    async revokeByGrantId(grantId) {
      await db.deleteFrom('oidc_payloads').where('grant_id', '=', grantId).execute();
    },
    async sweep(at) {
      const r = await db.deleteFrom('oidc_payloads').where('expires_at', '<=', at).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
