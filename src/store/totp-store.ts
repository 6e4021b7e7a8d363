import type { Kysely } from 'kysely';
import type { Database } from './database.js';

export type TotpTables = {
  totp_factors: {
    user_id: string;
    sealed_secret: string;
    created_at: string;
    confirmed_at: string | null;
    last_used_step: number | string | null;
  };
};

export interface TotpFactor {
  readonly userId: string;
  /** Sealed by the caller (src/auth seal); the store never sees the seed. */
  readonly sealedSecret: string;
  readonly createdAt: string;
  /** Null while enrolment waits for the first valid code; only confirmed factors are asked at sign-in. */
  readonly confirmedAt: string | null;
  readonly lastUsedStep: number | null;
}

export interface TotpStore {
  get(userId: string): Promise<TotpFactor | null>;
  /** Starts (or restarts) enrolment with a new unconfirmed seed, replacing any earlier factor. */
  begin(userId: string, sealedSecret: string, at: string): Promise<void>;
  confirm(userId: string, at: string, step: number): Promise<boolean>;
  /**
   * Records `step` as used only if it is newer than the stored one, atomically, so two nodes cannot both
   * accept the same code. False when another request used this step (or a later one) first.
   */
  useStep(userId: string, step: number): Promise<boolean>;
  remove(userId: string): Promise<boolean>;
}

const toFactor = (r: TotpTables['totp_factors']): TotpFactor => ({
  userId: r.user_id,
  sealedSecret: r.sealed_secret,
  createdAt: r.created_at,
  confirmedAt: r.confirmed_at,
  lastUsedStep: r.last_used_step === null ? null : Number(r.last_used_step),
});

export function createTotpStore(base: Kysely<Database>): TotpStore {
  const db = base.withTables<TotpTables>();
  return {
    async get(userId) {
      const row = await db.selectFrom('totp_factors').selectAll().where('user_id', '=', userId).executeTakeFirst();
      return row ? toFactor(row) : null;
    },
    async begin(userId, sealedSecret, at) {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('totp_factors').where('user_id', '=', userId).execute();
        await trx
          .insertInto('totp_factors')
          .values({
            user_id: userId,
            sealed_secret: sealedSecret,
            created_at: at,
            confirmed_at: null,
            last_used_step: null,
          })
          .execute();
      });
    },
    async confirm(userId, at, step) {
      const r = await db
        .updateTable('totp_factors')
        .set({ confirmed_at: at, last_used_step: step })
        .where('user_id', '=', userId)
        .where('confirmed_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async useStep(userId, step) {
      const r = await db
        .updateTable('totp_factors')
        .set({ last_used_step: step })
        .where('user_id', '=', userId)
        .where((eb) => eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', step)]))
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async remove(userId) {
      const r = await db.deleteFrom('totp_factors').where('user_id', '=', userId).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
