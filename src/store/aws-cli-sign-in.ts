import type { Kysely, Selectable } from 'kysely';
import type { CliSignInStore, CliToken, DeviceGrant } from '../core/index.js';
import type { Database } from './database.js';
import type { AwsCliDeviceGrantsTable, AwsCliTables, AwsCliTokensTable } from './aws-access-tables.js';
import { fromJson, mapConflict, toJson } from './sql-helpers.js';

const toToken = (r: Selectable<AwsCliTokensTable>): CliToken => ({
  idHash: r.id_hash,
  userId: r.user_id,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  authMethods: fromJson<string[]>(r.auth_methods),
  revokedAt: r.revoked_at,
  revokedReason: r.revoked_reason,
});
const toGrant = (r: Selectable<AwsCliDeviceGrantsTable>): DeviceGrant => ({
  deviceCodeHash: r.device_code_hash,
  userCode: r.user_code,
  status: r.status as DeviceGrant['status'],
  userId: r.user_id,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
});

/** CLI sign-in state on SQLite and PostgreSQL; state changes are single conditional UPDATEs, so racing nodes agree. */
export function createCliSignInStore(base: Kysely<Database>): CliSignInStore {
  const db = base.withTables<AwsCliTables>();
  return {
    async createToken(t) {
      await db
        .insertInto('aws_cli_tokens')
        .values({
          id_hash: t.idHash,
          user_id: t.userId,
          created_at: t.createdAt,
          expires_at: t.expiresAt,
          auth_methods: toJson(t.authMethods),
          revoked_at: t.revokedAt,
          revoked_reason: t.revokedReason,
        })
        .execute();
    },
    async getToken(idHash) {
      const r = await db.selectFrom('aws_cli_tokens').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
      return r ? toToken(r) : null;
    },
    async revokeToken(idHash, at, reason) {
      await db
        .updateTable('aws_cli_tokens')
        .set({ revoked_at: at, revoked_reason: reason })
        .where('id_hash', '=', idHash)
        .where('revoked_at', 'is', null)
        .execute();
    },
    async createDeviceGrant(g) {
      await mapConflict(
        () =>
          db
            .insertInto('aws_cli_device_grants')
            .values({
              device_code_hash: g.deviceCodeHash,
              user_code: g.userCode,
              status: g.status,
              user_id: g.userId,
              created_at: g.createdAt,
              expires_at: g.expiresAt,
            })
            .execute(),
        'user code collision; try again',
        'userCode',
      );
    },
    async getDeviceGrantByUserCode(userCode) {
      const r = await db
        .selectFrom('aws_cli_device_grants')
        .selectAll()
        .where('user_code', '=', userCode)
        .executeTakeFirst();
      return r ? toGrant(r) : null;
    },
    async getDeviceGrant(hash) {
      const r = await db
        .selectFrom('aws_cli_device_grants')
        .selectAll()
        .where('device_code_hash', '=', hash)
        .executeTakeFirst();
      return r ? toGrant(r) : null;
    },
    async decideDeviceGrant(userCode, decision, userId, now) {
      const r = await db
        .updateTable('aws_cli_device_grants')
        .set({ status: decision, user_id: userId })
        .where('user_code', '=', userCode)
        .where('status', '=', 'pending')
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async redeemDeviceGrant(hash) {
      const r = await db
        .updateTable('aws_cli_device_grants')
        .set({ status: 'redeemed' })
        .where('device_code_hash', '=', hash)
        .where('status', '=', 'approved')
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async deleteExpired(now) {
      const a = await db.deleteFrom('aws_cli_tokens').where('expires_at', '<=', now).executeTakeFirst();
      const b = await db.deleteFrom('aws_cli_device_grants').where('expires_at', '<=', now).executeTakeFirst();
      return Number(a.numDeletedRows) + Number(b.numDeletedRows);
    },
  };
}
