import { PostgresAdapter, sql, type Kysely, type Selectable } from 'kysely';
import {
  assertBindingChangeAllowed,
  DomainError,
  foldCase,
  validateNewAccount,
  validateNewBinding,
  type Actor,
  type AwsAccessService,
  type AwsAccount,
  type BoundRole,
  type RoleBinding,
} from '../core/index.js';
import { accessEpochCacheFor } from './access-epoch.js';
import { insertAudit } from './audit-log.js';
import type { Database } from './database.js';
import type { AwsAccessTables, AwsAccountsTable, AwsRoleBindingsTable } from './aws-access-tables.js';
import { isForeignKeyViolation, isUniqueViolation } from './sql-helpers.js';

const toAccount = (r: Selectable<AwsAccountsTable>): AwsAccount => ({
  id: r.id,
  name: r.name,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
const toBinding = (r: Selectable<AwsRoleBindingsTable>): RoleBinding => ({
  id: r.id,
  groupId: r.group_id,
  accountId: r.account_id,
  roleName: r.role_name,
  rolePath: r.role_path,
  createdAt: r.created_at,
});

/** SQLite caps bound parameters per statement; chunks keep large group lists within it on both engines. */
const CHUNK = 500;

type BindingTuple = [
  id: string,
  groupId: string,
  accountId: string,
  roleName: string,
  rolePath: string,
  createdAt: string,
];

const fromTuple = (t: BindingTuple): RoleBinding => ({
  id: t[0],
  groupId: t[1],
  accountId: t[2],
  roleName: t[3],
  rolePath: t[4],
  createdAt: t[5],
});

/**
 * AWS accounts and group → role bindings on SQLite and PostgreSQL. Each change and its audit record commit in
 * one transaction; validation is the domain's (core/access), so the API, the CLI and the demo share it.
 */
export function createAwsAccessService(base: Kysely<Database>, now: () => Date = () => new Date()): AwsAccessService {
  const db = base.withTables<AwsAccessTables>();
  const cache = accessEpochCacheFor(base);
  const accountTarget = (a: AwsAccount) => ({ type: 'aws-account', id: a.id, label: a.name });
  const bindingTarget = (b: RoleBinding) => ({
    type: 'aws-binding',
    id: b.id,
    label: `${b.accountId}:role${b.rolePath}${b.roleName}`,
  });
  // The sign-in path reads a user's bindings as one JSON array in one row: the drivers build each row object
  // field by field, which for hundreds of bindings costs several times the query itself.
  const postgres = base.getExecutor().adapter instanceof PostgresAdapter;
  const bindingsAsJson = postgres
    ? sql`coalesce(json_agg(json_build_array(id, group_id, account_id, role_name, role_path, created_at)), '[]'::json)`
    : sql`json_group_array(json_array(id, group_id, account_id, role_name, role_path, created_at))`;
  // The assertion path needs three short columns of each binding: a third of the JSON to build and parse.
  const rolesAsJson = postgres
    ? sql`coalesce(json_agg(json_build_array(account_id, role_path, role_name)), '[]'::json)`
    : sql`json_group_array(json_array(account_id, role_path, role_name))`;

  return {
    async addAccount(actor: Actor, input) {
      const v = validateNewAccount(input);
      const at = now().toISOString();
      const account: AwsAccount = { id: v.id, name: v.name, createdAt: at, updatedAt: at };
      try {
        await base.transaction().execute(async (trx) => {
          await trx
            .withTables<AwsAccessTables>()
            .insertInto('aws_accounts')
            .values({
              id: account.id,
              name: account.name,
              name_lower: foldCase(account.name),
              created_at: at,
              updated_at: at,
            })
            .execute();
          await insertAudit(
            trx,
            {
              action: 'aws.account.created',
              actor,
              outcome: 'success',
              target: accountTarget(account),
              after: account,
            },
            at,
          );
        });
      } catch (e) {
        if (isUniqueViolation(e))
          throw new DomainError(
            'conflict',
            `an AWS account with id ${account.id} or name ${account.name} is already registered`,
            [{ at: 'id', message: 'already registered' }],
          );
        throw e;
      }
      return account;
    },

    async listAccounts() {
      return (await db.selectFrom('aws_accounts').selectAll().orderBy('name_lower').execute()).map(toAccount);
    },

    async removeAccount(actor, id) {
      await base.transaction().execute(async (trx) => {
        const t = trx.withTables<AwsAccessTables>();
        const row = await t.selectFrom('aws_accounts').selectAll().where('id', '=', id).executeTakeFirst();
        if (!row) throw new DomainError('not_found', `AWS account ${id} is not registered`);
        const used = await t
          .selectFrom('aws_role_bindings')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('account_id', '=', id)
          .executeTakeFirstOrThrow();
        if (Number(used.n) > 0)
          throw new DomainError(
            'conflict',
            `AWS account ${row.name} (${id}) still has ${Number(used.n)} binding(s); remove them first`,
          );
        await t.deleteFrom('aws_accounts').where('id', '=', id).execute();
        await insertAudit(
          trx,
          {
            action: 'aws.account.deleted',
            actor,
            outcome: 'success',
            target: accountTarget(toAccount(row)),
            before: toAccount(row),
          },
          now().toISOString(),
        );
      });
    },

    async addBinding(actor, input) {
      const v = validateNewBinding(input);
      assertBindingChangeAllowed(actor, v.rolePath);
      const at = now().toISOString();
      const binding: RoleBinding = {
        id: globalThis.crypto.randomUUID(),
        groupId: v.groupId,
        accountId: v.accountId,
        roleName: v.roleName,
        rolePath: v.rolePath,
        createdAt: at,
      };
      return base.transaction().execute(async (trx) => {
        const t = trx.withTables<AwsAccessTables>();
        const group = await trx
          .selectFrom('groups')
          .select(['id', 'display_name'])
          .where('id', '=', v.groupId)
          .executeTakeFirst();
        if (!group)
          throw new DomainError('not_found', `group ${v.groupId} does not exist`, [
            { at: 'groupId', message: 'unknown group' },
          ]);
        const account = await t
          .selectFrom('aws_accounts')
          .select('id')
          .where('id', '=', v.accountId)
          .executeTakeFirst();
        if (!account)
          throw new DomainError(
            'not_found',
            `AWS account ${v.accountId} is not registered; add it with keyway aws accounts add`,
            [{ at: 'accountId', message: 'unknown account' }],
          );
        // The same role under two paths cannot exist in IAM; refuse a binding that disagrees with an existing one.
        const other = await t
          .selectFrom('aws_role_bindings')
          .select('role_path')
          .where('account_id', '=', v.accountId)
          .where('role_name_lower', '=', v.roleName.toLowerCase())
          .where('role_path', '!=', v.rolePath)
          .executeTakeFirst();
        if (other)
          throw new DomainError(
            'conflict',
            `role ${v.roleName} in ${v.accountId} is already bound with path ${other.role_path}`,
            [{ at: 'rolePath', message: 'differs from existing bindings' }],
          );
        try {
          await t
            .insertInto('aws_role_bindings')
            .values({
              id: binding.id,
              group_id: binding.groupId,
              account_id: binding.accountId,
              role_name: binding.roleName,
              role_name_lower: binding.roleName.toLowerCase(),
              role_path: binding.rolePath,
              created_at: at,
            })
            .execute();
        } catch (e) {
          if (isUniqueViolation(e))
            throw new DomainError(
              'conflict',
              `group ${group.display_name} is already bound to role ${v.roleName} in ${v.accountId}`,
              [{ at: 'roleName', message: 'already bound' }],
            );
          if (isForeignKeyViolation(e))
            throw new DomainError('not_found', 'the group or account was removed meanwhile');
          throw e;
        }
        await insertAudit(
          trx,
          {
            action: 'aws.binding.created',
            actor,
            outcome: 'success',
            target: bindingTarget(binding),
            after: { ...binding, groupName: group.display_name },
          },
          at,
        );
        return binding;
      });
    },

    async listBindings(query = {}) {
      let q = db.selectFrom('aws_role_bindings').selectAll();
      if (query.groupId) q = q.where('group_id', '=', query.groupId);
      if (query.accountId) q = q.where('account_id', '=', query.accountId);
      return (await q.orderBy('account_id').orderBy('role_path').orderBy('role_name').orderBy('id').execute()).map(
        toBinding,
      );
    },

    async bindingsForGroups(groupIds) {
      const out: RoleBinding[] = [];
      const ids = [...new Set(groupIds)];
      if (ids.length === 0) return out;
      for (let i = 0; i < ids.length; i += CHUNK) {
        const row = await db
          .selectFrom('aws_role_bindings')
          .select(bindingsAsJson.as('bindings'))
          .where('group_id', 'in', ids.slice(i, i + CHUNK))
          .executeTakeFirstOrThrow();
        // PostgreSQL's driver parses json columns itself; SQLite returns the text.
        const tuples = (typeof row.bindings === 'string' ? JSON.parse(row.bindings) : row.bindings) as BindingTuple[];
        for (const t of tuples) out.push(fromTuple(t));
      }
      return out;
    },

    boundRolesForGroups(groupIds) {
      const ids = [...new Set(groupIds)];
      // Remembered per access epoch (access-epoch.ts): a user's groups and their bindings change far less often
      // than the user signs in. Frozen, since every caller with the same groups shares the array.
      return cache.get(`bound-roles:${ids.join(',')}`, async () => {
        const out: BoundRole[] = [];
        for (let i = 0; i < ids.length; i += CHUNK) {
          const row = await db
            .selectFrom('aws_role_bindings')
            .select(rolesAsJson.as('roles'))
            .where('group_id', 'in', ids.slice(i, i + CHUNK))
            .executeTakeFirstOrThrow();
          const tuples = (typeof row.roles === 'string' ? JSON.parse(row.roles) : row.roles) as [
            accountId: string,
            rolePath: string,
            roleName: string,
          ][];
          for (const t of tuples) out.push(Object.freeze({ accountId: t[0], rolePath: t[1], roleName: t[2] }));
        }
        return Object.freeze(out);
      });
    },

    async removeBinding(actor, id) {
      return base.transaction().execute(async (trx) => {
        const t = trx.withTables<AwsAccessTables>();
        const row = await t.selectFrom('aws_role_bindings').selectAll().where('id', '=', id).executeTakeFirst();
        if (!row) throw new DomainError('not_found', `binding ${id} does not exist`);
        assertBindingChangeAllowed(actor, row.role_path);
        await t.deleteFrom('aws_role_bindings').where('id', '=', id).execute();
        const b = toBinding(row);
        await insertAudit(
          trx,
          { action: 'aws.binding.deleted', actor, outcome: 'success', target: bindingTarget(b), before: b },
          now().toISOString(),
        );
        return b;
      });
    },
  };
}
