import type { Kysely } from 'kysely';
import { DomainError, foldCase, pageLimit, type ApplicationStore, type SamlApplication } from '../core/index.js';
import { insertAudit } from './audit-log.js';
import type { Database } from './database.js';
import type { SamlTables } from './saml-tables.js';
import { decodeCursor, encodeCursor, fromJson, likePrefix, mapConflict, toJson } from './sql-helpers.js';

const columns = (a: SamlApplication) => ({
  type: a.type,
  name: a.name,
  name_lower: foldCase(a.name),
  entity_id: a.entityId,
  enabled: a.enabled ? 1 : 0,
  document: toJson(a),
  updated_at: a.updatedAt,
  version: a.version,
});

const taken = (a: SamlApplication) => `an application with entity ID ${a.entityId} already exists`;

export function createApplicationStore(base: Kysely<Database>, now: () => Date = () => new Date()): ApplicationStore {
  const db = base.withTables<SamlTables>();
  return {
    async list(q) {
      const limit = pageLimit(q.limit);
      let query = db.selectFrom('saml_applications');
      if (q.search)
        query = query.where((eb) =>
          eb.or([
            eb('name_lower', 'like', likePrefix(foldCase(q.search ?? ''))),
            eb('entity_id', 'like', likePrefix(q.search ?? '')),
          ]),
        );
      const total = Number((await query.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      let page = query
        .selectAll()
        .orderBy('name_lower')
        .orderBy('id')
        .limit(limit + 1);
      if (q.cursor) {
        const [name, id] = decodeCursor(q.cursor, ['string', 'string']) as [string, string];
        page = page.where((eb) =>
          eb.or([eb('name_lower', '>', name), eb.and([eb('name_lower', '=', name), eb('id', '>', id)])]),
        );
      }
      const rows = await page.execute();
      const items = rows.slice(0, limit).map((r) => fromJson<SamlApplication>(r.document));
      const last = rows[limit - 1];
      return rows.length > limit && last
        ? { items, total, nextCursor: encodeCursor([last.name_lower, last.id]) }
        : { items, total };
    },
    async get(id) {
      const r = await db.selectFrom('saml_applications').select('document').where('id', '=', id).executeTakeFirst();
      return r ? fromJson<SamlApplication>(r.document) : null;
    },
    async findByEntityId(entityId) {
      const r = await db
        .selectFrom('saml_applications')
        .select('document')
        .where('entity_id', '=', entityId)
        .executeTakeFirst();
      return r ? fromJson<SamlApplication>(r.document) : null;
    },
    async listEnabled() {
      const rows = await db
        .selectFrom('saml_applications')
        .select('document')
        .where('enabled', '=', 1)
        .orderBy('name_lower')
        .execute();
      return rows.map((r) => fromJson<SamlApplication>(r.document));
    },
    async insert(app, audit) {
      await mapConflict(
        () =>
          base.transaction().execute(async (trx) => {
            await trx
              .withTables<SamlTables>()
              .insertInto('saml_applications')
              .values({ id: app.id, created_at: app.createdAt, ...columns(app) })
              .execute();
            await insertAudit(trx, audit, now().toISOString());
          }),
        taken(app),
        'entityId',
      );
    },
    async update(app, expectedVersion, audit) {
      await mapConflict(
        () =>
          base.transaction().execute(async (trx) => {
            const r = await trx
              .withTables<SamlTables>()
              .updateTable('saml_applications')
              .set(columns(app))
              .where('id', '=', app.id)
              .where('version', '=', expectedVersion)
              .executeTakeFirst();
            if (Number(r.numUpdatedRows) !== 1)
              throw new DomainError(
                'precondition_failed',
                `application ${app.id} changed meanwhile; read it again and retry`,
              );
            await insertAudit(trx, audit, now().toISOString());
          }),
        taken(app),
        'entityId',
      );
    },
    async delete(id, audit) {
      return base.transaction().execute(async (trx) => {
        const r = await trx
          .withTables<SamlTables>()
          .deleteFrom('saml_applications')
          .where('id', '=', id)
          .executeTakeFirst();
        if (Number(r.numDeletedRows) !== 1) return false;
        await insertAudit(trx, audit, now().toISOString());
        return true;
      });
    },
  };
}
