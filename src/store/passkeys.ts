/**
 * WebAuthn credentials (passkeys) and recovery codes. Public keys are public; recovery codes are stored as
 * SHA-256 hashes and each is used once, atomically (two nodes cannot both accept the same code).
 */
import type { Kysely } from 'kysely';
import type { Database } from './database.js';

export type PasskeyTables = {
  webauthn_credentials: {
    id: string;
    user_id: string;
    name: string;
    public_key: string;
    sign_count: number | string;
    transports: string;
    device_type: string;
    backed_up: number;
    created_at: string;
    last_used_at: string | null;
  };
  recovery_codes: { user_id: string; code_hash: string; created_at: string; used_at: string | null };
};

export interface StoredPasskey {
  /** The credential id, base64url. */
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  /** COSE public key, base64url. */
  readonly publicKey: string;
  readonly signCount: number;
  readonly transports: readonly string[];
  readonly deviceType: 'singleDevice' | 'multiDevice';
  readonly backedUp: boolean;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
}

export interface PasskeyStore {
  listForUser(userId: string): Promise<readonly StoredPasskey[]>;
  get(id: string): Promise<StoredPasskey | null>;
  add(p: StoredPasskey): Promise<void>;
  /** Records a use; false when the stored counter moved meanwhile (another node used it at the same time). */
  recordUse(id: string, expectedCount: number, newCount: number, at: string): Promise<boolean>;
  rename(userId: string, id: string, name: string): Promise<boolean>;
  remove(userId: string, id: string): Promise<boolean>;
  /** Replaces the user's recovery codes with these hashes. */
  replaceRecoveryCodes(userId: string, hashes: readonly string[], at: string): Promise<void>;
  /** Marks the code used if it is the user's and unused; true exactly once per code. */
  useRecoveryCode(userId: string, hash: string, at: string): Promise<boolean>;
  unusedRecoveryCodes(userId: string): Promise<number>;
}

const toPasskey = (r: PasskeyTables['webauthn_credentials']): StoredPasskey => ({
  id: r.id,
  userId: r.user_id,
  name: r.name,
  publicKey: r.public_key,
  signCount: Number(r.sign_count),
  transports: JSON.parse(r.transports) as string[],
  deviceType: r.device_type === 'multiDevice' ? 'multiDevice' : 'singleDevice',
  backedUp: r.backed_up === 1,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
});

export function createPasskeyStore(base: Kysely<Database>): PasskeyStore {
  const db = base.withTables<PasskeyTables>();
  return {
    async listForUser(userId) {
      return (
        await db
          .selectFrom('webauthn_credentials')
          .selectAll()
          .where('user_id', '=', userId)
          .orderBy('created_at')
          .execute()
      ).map(toPasskey);
    },
    async get(id) {
      const r = await db.selectFrom('webauthn_credentials').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? toPasskey(r) : null;
    },
    async add(p) {
      await db
        .insertInto('webauthn_credentials')
        .values({
          id: p.id,
          user_id: p.userId,
          name: p.name,
          public_key: p.publicKey,
          sign_count: p.signCount,
          transports: JSON.stringify(p.transports),
          device_type: p.deviceType,
          backed_up: p.backedUp ? 1 : 0,
          created_at: p.createdAt,
          last_used_at: null,
        })
        .execute();
    },
    async recordUse(id, expectedCount, newCount, at) {
      const r = await db
        .updateTable('webauthn_credentials')
        .set({ sign_count: newCount, last_used_at: at })
        .where('id', '=', id)
        .where('sign_count', '=', expectedCount)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async rename(userId, id, name) {
      const r = await db
        .updateTable('webauthn_credentials')
        .set({ name })
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async remove(userId, id) {
      const r = await db
        .deleteFrom('webauthn_credentials')
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },
    async replaceRecoveryCodes(userId, hashes, at) {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
        if (hashes.length)
          await trx
            .insertInto('recovery_codes')
            .values(hashes.map((h) => ({ user_id: userId, code_hash: h, created_at: at, used_at: null })))
            .execute();
      });
    },
    async useRecoveryCode(userId, hash, at) {
      const r = await db
        .updateTable('recovery_codes')
        .set({ used_at: at })
        .where('user_id', '=', userId)
        .where('code_hash', '=', hash)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async unusedRecoveryCodes(userId) {
      const r = await db
        .selectFrom('recovery_codes')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('user_id', '=', userId)
        .where('used_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}
