import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CompiledQuery, type Kysely } from 'kysely';
import { encodeCursor } from './sql-helpers.js';
import { enginesUnderTest } from './contract-harness.js';
import type { Database } from './database.js';
import { groupPageQuery, userPageQuery } from './directory-repository.js';
import type { Store } from './index.js';

/**
 * Listing and search read through indexes on both engines: a later page seeks to the cursor instead of scanning
 * the rows before it, and a search prefix becomes a range on the name, display-name and email indexes. Checked on
 * the query plans, which do not depend on the machine's speed.
 */

interface PlanReader {
  /** Every table access in the plan, as the engine names it (e.g. `SEARCH users USING INDEX …`, `Index Scan`). */
  accesses(q: CompiledQuery<unknown>): Promise<string[]>;
}

const sqlitePlans = (db: Kysely<Database>): PlanReader => ({
  async accesses(q) {
    const { rows } = await db.executeQuery(CompiledQuery.raw(`explain query plan ${q.sql}`, [...q.parameters]));
    return (rows as { detail: string }[]).map((r) => r.detail).filter((d) => /^(SCAN|SEARCH) /.test(d));
  },
});

interface PgPlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PgPlanNode[];
}

const flatten = (n: PgPlanNode): PgPlanNode[] => [n, ...(n.Plans ?? []).flatMap(flatten)];

// A test table is tiny, and PostgreSQL rightly reads a tiny table whole; with sequential scans priced out the
// planner shows whether an index can answer the query at all, which is what a large directory relies on.
const postgresPlans = (db: Kysely<Database>): PlanReader => ({
  accesses: (q) =>
    db.transaction().execute(async (trx) => {
      await trx.executeQuery(CompiledQuery.raw('set local enable_seqscan = off'));
      const { rows } = await trx.executeQuery(CompiledQuery.raw(`explain (format json) ${q.sql}`, [...q.parameters]));
      const plan = (rows[0] as { 'QUERY PLAN': { Plan: PgPlanNode }[] })['QUERY PLAN'][0]!.Plan;
      return flatten(plan)
        .filter((n) => /Scan/.test(n['Node Type']))
        .map((n) => `${n['Node Type']}${n['Index Name'] ? ` ${n['Index Name']}` : ''} ${n['Index Cond'] ?? ''}`);
    }),
});

for (const engine of await enginesUnderTest()) {
  describe(`directory list and search plans on ${engine.name}`, { skip: engine.skip }, () => {
    let store: Store;
    let plans: PlanReader;
    before(async () => {
      store = await engine.open();
      plans = store.engine === 'sqlite' ? sqlitePlans(store.db) : postgresPlans(store.db);
      // Enough rows that the planners' statistics tell a selective prefix from a broad one, as in a real directory.
      const at = new Date().toISOString();
      const rows = Array.from({ length: 3000 }, (_, i) => ({
        id: `plan-user-${i}`,
        user_name: `user-${i}`,
        user_name_lower: `user-${i}`,
        given_name: null,
        family_name: null,
        display_name: `Person ${i}`,
        display_name_lower: `person ${i}`,
        email_lower: `p${i}@example.com`,
        emails: JSON.stringify([{ value: `p${i}@example.com` }]),
        external_id: null,
        status: 'active',
        attributes: '{}',
        created_at: at,
        updated_at: at,
        version: 1,
      }));
      for (let i = 0; i < rows.length; i += 500)
        await store.db
          .insertInto('users')
          .values(rows.slice(i, i + 500))
          .execute();
      const groups = Array.from({ length: 3000 }, (_, i) => ({
        id: `plan-group-${i}`,
        display_name: `team-${i}`,
        display_name_lower: `team-${i}`,
        description: null,
        external_id: null,
        attributes: '{}',
        created_at: at,
        updated_at: at,
        version: 1,
      }));
      for (let i = 0; i < groups.length; i += 500)
        await store.db
          .insertInto('groups')
          .values(groups.slice(i, i + 500))
          .execute();
      await store.db.executeQuery(CompiledQuery.raw('analyze'));
    });
    after(async () => {
      if (store) await engine.dispose(store);
    });

    const noScan = (accesses: string[]) => {
      assert.ok(accesses.length > 0, 'the plan reads a table');
      for (const a of accesses) assert.doesNotMatch(a, /^SCAN |Seq Scan/, `reads the whole table: ${a}`);
    };

    test('a later page of users seeks to the name after the cursor on the unique name index', async () => {
      const q = userPageQuery(store.db, store.engine, { limit: 50, cursor: encodeCursor(['user-5', 'x']) }).compile();
      const accesses = await plans.accesses(q);
      noScan(accesses);
      assert.ok(
        accesses.some((a) => /users_user_name_lower_uq/.test(a) && /user_name_lower ?>/.test(a)),
        `seeks on the name index: ${accesses.join(' | ')}`,
      );
    });

    test('a later page of groups seeks to the name after the cursor on the unique name index', async () => {
      const q = groupPageQuery(store.db, store.engine, { limit: 50, cursor: encodeCursor(['team-5', 'x']) }).compile();
      const accesses = await plans.accesses(q);
      noScan(accesses);
      assert.ok(
        accesses.some((a) => /groups_display_name_lower_uq/.test(a) && /display_name_lower ?>/.test(a)),
        `seeks on the name index: ${accesses.join(' | ')}`,
      );
    });

    test('a user search reads the name, display-name and email indexes as ranges', async () => {
      const accesses = await plans.accesses(
        userPageQuery(store.db, store.engine, { limit: 50, search: 'Person 123' }).compile(),
      );
      noScan(accesses);
      const byIndex = accesses.join(' | ');
      for (const column of ['user_name_lower', 'display_name_lower', 'email_lower'])
        assert.match(byIndex, new RegExp(`${column}[^|]*>=?`), `a range on ${column}: ${byIndex}`);
    });

    test('a group search reads the display-name index as a range', async () => {
      const accesses = await plans.accesses(
        groupPageQuery(store.db, store.engine, { limit: 50, search: 'team-123' }).compile(),
      );
      noScan(accesses);
      assert.match(accesses.join(' | '), /display_name_lower[^|]*>=?/);
    });

    test('search finds by any prefix of name, display name or email, and only those, whatever the characters', async () => {
      const actor = { kind: 'cli' as const, id: 'plans' };
      await store.directory.createUser(actor, { userName: 'zoë_%', displayName: 'Ünïcode Person' });
      await store.directory.createUser(actor, { userName: 'zoe-plain' });
      const names = async (search: string) =>
        (await store.directory.listUsers({ search })).items.map((u) => u.userName).sort();
      assert.deepEqual(await names('ZOË'), ['zoë_%']);
      assert.deepEqual(await names('zoë_%'), ['zoë_%']);
      assert.deepEqual(await names('zo'), ['zoe-plain', 'zoë_%']);
      assert.deepEqual(await names('ünï'), ['zoë_%']);
      assert.deepEqual(await names('p1999@'), ['user-1999']);
      assert.deepEqual(await names('\u{10ffff}'), []);
    });
  });
}
