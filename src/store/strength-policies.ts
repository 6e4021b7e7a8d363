/** Authentication strength demanded by applications and groups (core StrengthPolicyStore). */
import type { Kysely } from 'kysely';
import type { AuthStrength, StrengthPolicy, StrengthPolicyStore } from '../core/index.js';
import { insertAudit } from './audit-log.js';
import type { Database } from './database.js';

export type StrengthTables = {
  auth_strength_policies: { subject_type: string; subject_id: string; strength: string; updated_at: string };
};

const toPolicy = (r: StrengthTables['auth_strength_policies']): StrengthPolicy => ({
  type: r.subject_type as StrengthPolicy['type'],
  id: r.subject_id,
  strength: r.strength as AuthStrength,
  updatedAt: r.updated_at,
});

export function createStrengthPolicyStore(
  base: Kysely<Database>,
  now: () => Date = () => new Date(),
): StrengthPolicyStore {
  const db = base.withTables<StrengthTables>();
  return {
    async list() {
      return (
        await db
          .selectFrom('auth_strength_policies')
          .selectAll()
          .orderBy('subject_type')
          .orderBy('subject_id')
          .execute()
      ).map(toPolicy);
    },
    async forAccess(applicationId, groupIds) {
      const rows = await db
        .selectFrom('auth_strength_policies')
        .selectAll()
        .where((eb) =>
          eb.or([
            eb.and([eb('subject_type', '=', 'application'), eb('subject_id', '=', applicationId)]),
            ...(groupIds.length
              ? [eb.and([eb('subject_type', '=', 'group'), eb('subject_id', 'in', [...groupIds])])]
              : []),
          ]),
        )
        .execute();
      return rows.map(toPolicy);
    },
    async set(p, audit) {
      await base.transaction().execute(async (trx) => {
        const row = { strength: p.strength, updated_at: p.updatedAt };
        await trx
          .withTables<StrengthTables>()
          .insertInto('auth_strength_policies')
          .values({ subject_type: p.type, subject_id: p.id, ...row })
          .onConflict((oc) => oc.columns(['subject_type', 'subject_id']).doUpdateSet(row))
          .execute();
        await insertAudit(trx, audit, now().toISOString());
      });
    },
    async remove(s, audit) {
      return base.transaction().execute(async (trx) => {
        const r = await trx
          .withTables<StrengthTables>()
          .deleteFrom('auth_strength_policies')
          .where('subject_type', '=', s.type)
          .where('subject_id', '=', s.id)
          .executeTakeFirst();
        if (Number(r.numDeletedRows) !== 1) return false;
        await insertAudit(trx, audit, now().toISOString());
        return true;
      });
    },
  };
}
