import type { Kysely, Selectable } from 'kysely';
import type { DirectoryEvent, OutboxClaim, OutboxRecord, OutboxStore } from '../core/index.js';
import type { Database, OutboxTable } from './database.js';
import type { Engine } from './migrations/index.js';
import { fromJson } from './sql-helpers.js';

const MAX_BATCH = 1000;

const toRecord = (r: Selectable<OutboxTable>): OutboxRecord => ({
  seq: Number(r.seq),
  id: r.id,
  event: fromJson<DirectoryEvent>(r.payload),
  createdAt: r.created_at,
});

const batch = (n: number) => Math.max(1, Math.min(MAX_BATCH, Math.floor(n)));

export function createOutbox(db: Kysely<Database>, engine: Engine, now: () => Date = () => new Date()): OutboxStore {
  return {
    async readAfter(seq, limit) {
      const rows = await db
        .selectFrom('outbox')
        .selectAll()
        .where('seq', '>', seq)
        .orderBy('seq')
        .limit(batch(limit))
        .execute();
      return rows.map(toRecord);
    },

    async latestSeq() {
      const r = await db
        .selectFrom('outbox')
        .select((eb) => eb.fn.max('seq').as('max'))
        .executeTakeFirst();
      return r?.max == null ? 0 : Number(r.max);
    },

    async claim({ worker, limit, leaseMs }: OutboxClaim) {
      const at = now();
      const nowIso = at.toISOString();
      const until = new Date(at.getTime() + leaseMs).toISOString();
      return db.transaction().execute(async (trx) => {
        let q = trx
          .selectFrom('outbox')
          .selectAll()
          .where('done_at', 'is', null)
          .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', nowIso)]))
          .orderBy('seq')
          .limit(batch(limit));
        // SQLite has one writer at a time (BEGIN IMMEDIATE), so the select-then-update is already exclusive there.
        if (engine === 'postgres') q = q.forUpdate().skipLocked();
        const rows = await q.execute();
        if (rows.length === 0) return [];
        await trx
          .updateTable('outbox')
          .set((eb) => ({ claimed_by: worker, claimed_until: until, attempts: eb('attempts', '+', 1) }))
          .where(
            'seq',
            'in',
            rows.map((r) => Number(r.seq)),
          )
          .execute();
        return rows.map(toRecord);
      });
    },

    async markDone(worker, seqs) {
      if (seqs.length === 0) return 0;
      const r = await db
        .updateTable('outbox')
        .set({ done_at: now().toISOString(), claimed_until: null })
        .where('seq', 'in', [...seqs])
        .where('claimed_by', '=', worker)
        .where('done_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },

    async release(worker, seqs) {
      if (seqs.length === 0) return 0;
      const r = await db
        .updateTable('outbox')
        .set({ claimed_by: null, claimed_until: null })
        .where('seq', 'in', [...seqs])
        .where('claimed_by', '=', worker)
        .where('done_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
  };
}
