/** OIDC client applications: the whole OidcApplication as JSON, with copies of the columns it is looked up by. */
import type { Kysely } from 'kysely';
import { DomainError, foldCase, pageLimit, type OidcApplication, type OidcApplicationStore } from '../core/index.js';
import { insertAudit } from './audit-log.js';
import type { Database } from './database.js';
import { decodeCursor, encodeCursor, fromJson, likePrefix, mapConflict, toJson } from './sql-helpers.js';

export type OidcClientTables = {
  oidc_clients: {
    id: string;
    client_id: string;
    name: string;
    name_lower: string;
    enabled: number;
    document: string;
    created_at: string;
    updated_at: string;
    version: number;
  };
};

const columns = (a: OidcApplication) => ({
  client_id: a.clientId,
  name: a.name,
  name_lower: foldCase(a.name),
  enabled: a.enabled ? 1 : 0,
  document: toJson(a),
  updated_at: a.updatedAt,
  version: a.version,
});

export function createOidcApplicationStore(
  base: Kysely<Database>,
  now: () => Date = () => new Date(),
): OidcApplicationStore {
  const db = base.withTables<OidcClientTables>();
  const taken = (a: OidcApplication) => `an OIDC application with client id ${a.clientId} already exists`;
  return {
    async list(q) {
      const limit = pageLimit(q.limit);
      let query = db.selectFrom('oidc_clients');
      if (q.search) query = query.where('name_lower', 'like', likePrefix(foldCase(q.search)));
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
      const items = rows.slice(0, limit).map((r) => fromJson<OidcApplication>(r.document));
      const last = rows[limit - 1];
      return rows.length > limit && last
        ? { items, total, nextCursor: encodeCursor([last.name_lower, last.id]) }
        : { items, total };
    },
    async get(id) {
      const r = await db.selectFrom('oidc_clients').select('document').where('id', '=', id).executeTakeFirst();
      return r ? fromJson<OidcApplication>(r.document) : null;
    },
    async findByClientId(clientId) {
      const r = await db
        .selectFrom('oidc_clients')
        .select('document')
        .where('client_id', '=', clientId)
        .executeTakeFirst();
      return r ? fromJson<OidcApplication>(r.document) : null;
    },
    async insert(app, audit) {
      await mapConflict(
        () =>
          base.transaction().execute(async (trx) => {
            await trx
              .withTables<OidcClientTables>()
              .insertInto('oidc_clients')
              .values({ id: app.id, created_at: app.createdAt, ...columns(app) })
              .execute();
            await insertAudit(trx, audit, now().toISOString());
          }),
        taken(app),
        'clientId',
      );
    },
    async update(app, expectedVersion, audit) {
      await base.transaction().execute(async (trx) => {
        const r = await trx
          .withTables<OidcClientTables>()
          .updateTable('oidc_clients')
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
      });
    },
    async delete(id, audit) {
      return base.transaction().execute(async (trx) => {
        const r = await trx
          .withTables<OidcClientTables>()
          .deleteFrom('oidc_clients')
          .where('id', '=', id)
          .executeTakeFirst();
        if (Number(r.numDeletedRows) !== 1) return false;
        await insertAudit(trx, audit, now().toISOString());
        return true;
      });
    },
  };
}
