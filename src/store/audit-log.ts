import { sql, type Kysely, type Selectable } from 'kysely';
import {
  DomainError,
  countPage,
  pageLimit,
  type Actor,
  type AuditEvent,
  type AuditEventInput,
  type AuditLog,
  type AuditOutcome,
  type AuditQuery,
  type Page,
} from '../core/index.js';
import type { AuditEventsTable, Database } from './database.js';
import { decodeCursor, encodeCursor, fromJson, iso, optionalJson, toJson } from './sql-helpers.js';

/** Inserts one audit record on the given handle, so a caller inside a transaction audits inside it. */
export async function insertAudit(db: Kysely<Database>, e: AuditEventInput, at: string): Promise<AuditEvent> {
  const id = globalThis.crypto.randomUUID();
  await db
    .insertInto('audit_events')
    .values(auditRow(e, id, at))
    .execute();
  return { ...e, id, at };
}

/** The audit_events row of one event. */
export const auditRow = (e: AuditEventInput, id: string, at: string) => ({
  id,
  at,
  action: e.action,
  outcome: e.outcome,
  reason: e.reason ?? null,
  actor_kind: e.actor.kind,
  actor_id: e.actor.id,
  actor: toJson(e.actor),
  target_type: e.target?.type ?? null,
  target_id: e.target?.id ?? null,
  target_label: e.target?.label ?? null,
  before: optionalJson(e.before),
  after: optionalJson(e.after),
  details: optionalJson(e.details),
});

function toEvent(r: Selectable<AuditEventsTable>): AuditEvent {
  return {
    id: r.id,
    at: r.at,
    action: r.action,
    outcome: r.outcome as AuditOutcome,
    actor: fromJson<Actor>(r.actor),
    ...(r.reason !== null ? { reason: r.reason } : {}),
    ...(r.target_type !== null && r.target_id !== null
      ? {
          target: {
            type: r.target_type,
            id: r.target_id,
            ...(r.target_label !== null ? { label: r.target_label } : {}),
          },
        }
      : {}),
    ...(r.before !== null ? { before: fromJson<unknown>(r.before) } : {}),
    ...(r.after !== null ? { after: fromJson<unknown>(r.after) } : {}),
    ...(r.details !== null ? { details: fromJson<Record<string, unknown>>(r.details) } : {}),
  };
}

/** Newest first; the cursor is the sequence number of the last record seen. */
export function createAuditLog(db: Kysely<Database>, now: () => Date = () => new Date()): AuditLog {
  return {
    record: (e) => insertAudit(db, e, now().toISOString()),
    async query(q: AuditQuery): Promise<Page<AuditEvent>> {
      const limit = pageLimit(q.limit);
      let base = db.selectFrom('audit_events');
      if (q.actorId !== undefined) base = base.where('actor_id', '=', q.actorId);
      if (q.targetId !== undefined) base = base.where('target_id', '=', q.targetId);
      if (q.action !== undefined) base = base.where('action', '=', q.action);
      if (q.since !== undefined) base = base.where('at', '>=', iso(q.since, 'since'));
      if (q.until !== undefined) base = base.where('at', '<=', iso(q.until, 'until'));
      if (q.since !== undefined && q.until !== undefined && iso(q.since) > iso(q.until)) {
        throw new DomainError('invalid_input', 'since must not be after until', [
          { at: 'since', message: 'is after until' },
        ]);
      }
      const total = countPage(q)
        ? Number((await base.select(sql<number | string>`count(*)`.as('total')).executeTakeFirstOrThrow()).total)
        : undefined;
      let page = base.selectAll();
      if (q.cursor !== undefined) {
        const [seq] = decodeCursor(q.cursor, ['number']) as [number];
        page = page.where('seq', '<', seq);
      }
      const rows = await page
        .orderBy('seq', 'desc')
        .limit(limit + 1)
        .execute();
      const last = rows.length > limit ? rows[limit - 1] : undefined;
      return {
        items: rows.slice(0, limit).map(toEvent),
        ...(total !== undefined ? { total } : {}),
        ...(last ? { nextCursor: encodeCursor([Number(last.seq)]) } : {}),
      };
    },
  };
}
