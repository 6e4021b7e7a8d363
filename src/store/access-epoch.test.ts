import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { systemActor, type AwsAccessService } from '../core/index.js';
import { createAccessEpochCache } from './access-epoch.js';
import { enginesUnderTest, uniq, type EngineUnderTest } from './contract-harness.js';
import { createAwsAccessService, type Store } from './index.js';

/**
 * What the sign-in path remembers about groups and role bindings never outlives a change, on either engine and
 * from another node (issue 5: "removing the user from the group removes the role from the next assertion").
 */
const actor = systemActor('test');

const epochOf = async (store: Store): Promise<number> =>
  Number(
    (await sql<{ value: number | string }>`select value from access_epoch where id = 1`.execute(store.db)).rows[0]!
      .value,
  );

for (const engine of await enginesUnderTest()) {
  describe(`access epoch on ${engine.name}`, { skip: engine.skip }, () => {
    let store: Store;
    let peer: Store;
    let aws: AwsAccessService;
    let peerAws: AwsAccessService;
    before(async () => {
      store = await (engine as EngineUnderTest).open();
      peer = await (engine as EngineUnderTest).openPeer(store);
      aws = createAwsAccessService(store.db);
      peerAws = createAwsAccessService(peer.db);
      await aws.addAccount(actor, { id: '111111111111', name: 'Dev' });
    });
    after(async () => {
      await peer.close();
      await (engine as EngineUnderTest).dispose(store);
    });

    test('every change to groups, memberships and bindings raises the epoch in its own transaction', async () => {
      const rises = async (what: string, change: () => Promise<unknown>) => {
        const before = await epochOf(store);
        await change();
        assert.ok((await epochOf(store)) > before, `${what} raises the epoch`);
      };
      const user = await store.directory.createUser(actor, { userName: uniq('u') });
      const parent = await store.directory.createGroup(actor, { displayName: uniq('parent') });
      let child = parent;
      await rises(
        'creating a group',
        async () => (child = await store.directory.createGroup(actor, { displayName: uniq('child') })),
      );
      await rises('renaming a group', () =>
        store.directory.updateGroup(actor, child.id, { displayName: uniq('renamed') }),
      );
      await rises('adding a user to a group', () =>
        store.directory.addMember(actor, child.id, { kind: 'user', id: user.id }),
      );
      await rises('nesting a group', () =>
        store.directory.addMember(actor, parent.id, { kind: 'group', id: child.id }),
      );
      await rises('un-nesting a group', () =>
        store.directory.removeMember(actor, parent.id, { kind: 'group', id: child.id }),
      );
      await rises('removing a user from a group', () =>
        store.directory.removeMember(actor, child.id, { kind: 'user', id: user.id }),
      );
      let bindingId = '';
      await rises(
        'binding a role',
        async () =>
          (bindingId = (
            await aws.addBinding(actor, { groupId: child.id, accountId: '111111111111', roleName: 'ReadOnly' })
          ).id),
      );
      await rises('removing a binding', () => aws.removeBinding(actor, bindingId));
      await rises('deleting a group', () => store.directory.deleteGroup(actor, child.id));

      const before = await epochOf(store);
      await assert.rejects(
        store.transaction(async (trx) => {
          await store.directoryIn(trx).createGroup(actor, { displayName: uniq('rolled-back') });
          throw new Error('abort');
        }),
        /abort/,
      );
      assert.equal(await epochOf(store), before, 'a rolled-back change leaves the epoch where it was');
    });

    test('effective groups read through the store follow a change made on another node at once', async () => {
      const user = await store.directory.createUser(actor, { userName: uniq('carol') });
      const outer = await store.directory.createGroup(actor, { displayName: uniq('outer') });
      const inner = await store.directory.createGroup(actor, { displayName: uniq('inner') });
      await store.directory.addMember(actor, inner.id, { kind: 'user', id: user.id });
      await store.directory.addMember(actor, outer.id, { kind: 'group', id: inner.id });
      const ids = async () => (await store.directory.effectiveGroupsOfUser(user.id)).map((g) => g.id).sort();
      assert.deepEqual(await ids(), [inner.id, outer.id].sort());
      assert.deepEqual(await ids(), [inner.id, outer.id].sort(), 'the remembered answer is the same');
      await peer.directory.removeMember(actor, outer.id, { kind: 'group', id: inner.id });
      assert.deepEqual(await ids(), [inner.id], 'un-nesting on the other node is seen by the next read');
      await peer.directory.updateGroup(actor, inner.id, { displayName: 'Renamed-Elsewhere' });
      assert.equal((await store.directory.effectiveGroupsOfUser(user.id))[0]?.displayName, 'Renamed-Elsewhere');
      await peer.directory.removeMember(actor, inner.id, { kind: 'user', id: user.id });
      assert.deepEqual(await ids(), []);
      const groups = await store.directory.effectiveGroupsOfUser(user.id);
      assert.ok(Object.isFrozen(groups), 'shared answers cannot be changed by a caller');
    });

    test('bound roles follow bindings added and removed on another node at once', async () => {
      const g = await store.directory.createGroup(actor, { displayName: uniq('ops') });
      const roles = async () => (await aws.boundRolesForGroups([g.id])).map((r) => r.roleName).sort();
      assert.deepEqual(await roles(), []);
      const b = await peerAws.addBinding(actor, { groupId: g.id, accountId: '111111111111', roleName: 'Operator' });
      assert.deepEqual(await roles(), ['Operator']);
      assert.ok(Object.isFrozen(await aws.boundRolesForGroups([g.id])));
      assert.equal(
        await createAwsAccessService(store.db).boundRolesForGroups([g.id]),
        await aws.boundRolesForGroups([g.id]),
        'services on one store share one cache',
      );
      await peerAws.removeBinding(actor, b.id);
      assert.deepEqual(await roles(), []);
    });

    test('a service opened on a transaction reads through it and remembers nothing', async () => {
      const g = await store.directory.createGroup(actor, { displayName: uniq('in-trx') });
      await store.transaction(async (trx) => {
        const inTrx = createAwsAccessService(trx);
        assert.deepEqual(await inTrx.boundRolesForGroups([g.id]), []);
        await trx
          .insertInto('aws_role_bindings' as never)
          .values({
            id: uniq('b'),
            group_id: g.id,
            account_id: '111111111111',
            role_name: 'Direct',
            role_name_lower: 'direct',
            role_path: '/',
            created_at: new Date().toISOString(),
          } as never)
          .execute();
        assert.ok(
          (await inTrx.boundRolesForGroups([g.id])).some((r) => r.roleName === 'Direct'),
          'its own uncommitted change is visible',
        );
      });
    });

    // Another node's writer; on SQLite the same store, since a second connection in this process would block the
    // event loop in its busy wait while the first one's transaction waits on that loop.
    const otherWriter = () => (engine.name === 'SQLite' ? store : peer);

    test('a transaction raises the epoch once however many rows it changes, and every transaction raises it', async () => {
      const user = await store.directory.createUser(actor, { userName: uniq('jack') });
      for (let i = 0; i < 5; i++) {
        const before = await epochOf(store);
        await store.transaction(async (trx) => {
          const dir = store.directoryIn(trx);
          const g = await dir.createGroup(actor, { displayName: uniq('many') });
          await dir.addMember(actor, g.id, { kind: 'user', id: user.id });
          await dir.updateGroup(actor, g.id, { description: 'x' });
        });
        const after = await epochOf(store);
        // SQLite raises per row; PostgreSQL once per transaction, at its commit.
        if (engine.name === 'PostgreSQL') assert.equal(after, before + 1);
        else assert.ok(after > before);
      }
    });

    test('memberships and bindings removed by a cascade are not served afterwards', async () => {
      const user = await store.directory.createUser(actor, { userName: uniq('dave') });
      const g = await store.directory.createGroup(actor, { displayName: uniq('cascade') });
      await store.directory.addMember(actor, g.id, { kind: 'user', id: user.id });
      await aws.addBinding(actor, { groupId: g.id, accountId: '111111111111', roleName: 'Cascaded' });
      assert.deepEqual(
        (await aws.boundRolesForGroups([g.id])).map((r) => r.roleName),
        ['Cascaded'],
      );
      const before = await epochOf(store);
      // Straight SQL, as an operator would: only the foreign key's cascade removes the membership.
      await sql`delete from users where id = ${user.id}`.execute(store.db);
      assert.ok((await epochOf(store)) > before, 'a membership removed with its user raises the epoch');
      await sql`delete from groups where id = ${g.id}`.execute(peer.db);
      assert.deepEqual(await aws.boundRolesForGroups([g.id]), [], 'a binding removed with its group is gone at once');
    });

    test('emptying a membership table wholesale raises the epoch', async () => {
      const user = await store.directory.createUser(actor, { userName: uniq('erin') });
      const g = await store.directory.createGroup(actor, { displayName: uniq('wiped') });
      await store.directory.addMember(actor, g.id, { kind: 'user', id: user.id });
      assert.equal((await store.directory.effectiveGroupsOfUser(user.id)).length, 1);
      await sql
        .raw(engine.name === 'PostgreSQL' ? 'truncate group_user_members' : 'delete from group_user_members')
        .execute(peer.db);
      assert.deepEqual(await store.directory.effectiveGroupsOfUser(user.id), []);
    });

    test('a change rolled back is never served, inside or after its transaction', async () => {
      const user = await store.directory.createUser(actor, { userName: uniq('frank') });
      const g = await store.directory.createGroup(actor, { displayName: uniq('almost') });
      assert.deepEqual(await store.directory.effectiveGroupsOfUser(user.id), []);
      assert.deepEqual(await aws.boundRolesForGroups([g.id]), []);
      await assert.rejects(
        store.transaction(async (trx) => {
          const dir = store.directoryIn(trx);
          await dir.addMember(actor, g.id, { kind: 'user', id: user.id });
          assert.equal((await dir.effectiveGroupsOfUser(user.id)).length, 1, 'the transaction sees its own change');
          await trx
            .insertInto('aws_role_bindings' as never)
            .values({
              id: uniq('b'),
              group_id: g.id,
              account_id: '111111111111',
              role_name: 'Never',
              role_name_lower: 'never',
              role_path: '/',
              created_at: new Date().toISOString(),
            } as never)
            .execute();
          throw new Error('abort');
        }),
        /abort/,
      );
      assert.deepEqual(await store.directory.effectiveGroupsOfUser(user.id), []);
      assert.deepEqual(await aws.boundRolesForGroups([g.id]), []);
      await store.directory.addMember(actor, g.id, { kind: 'user', id: user.id });
      assert.equal((await store.directory.effectiveGroupsOfUser(user.id)).length, 1);
    });

    test('what a cached group carries cannot be changed by one caller for the next', async () => {
      const user = await store.directory.createUser(actor, { userName: uniq('grace') });
      const g = await store.directory.createGroup(actor, {
        displayName: uniq('attrs'),
        attributes: { costCenter: 'cc-1', tags: ['a', 'b'] },
      });
      await store.directory.addMember(actor, g.id, { kind: 'user', id: user.id });
      const [group] = await store.directory.effectiveGroupsOfUser(user.id);
      assert.ok(group);
      assert.ok(Object.isFrozen(group.attributes), 'attributes are frozen too');
      assert.ok(Object.isFrozen(group.attributes['tags']), 'list attributes are frozen too');
      const bound = await aws.boundRolesForGroups([g.id]);
      assert.ok(Object.isFrozen(bound));
    });

    test('an import that nests groups does not deadlock with an administrator nesting other groups', async () => {
      const [a, b, c, d] = await Promise.all(
        ['a', 'b', 'c', 'd'].map((n) => store.directory.createGroup(actor, { displayName: uniq(`nest-${n}`) })),
      );
      const user = await store.directory.createUser(actor, { userName: uniq('henry') });
      let admin: Promise<void> | undefined;
      const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
      await store.transaction(async (trx) => {
        const dir = store.directoryIn(trx);
        await dir.createGroup(actor, { displayName: uniq('imported') });
        // Meanwhile an administrator on another node nests c in d (membership-graph lock, then the insert).
        admin = otherWriter().directory.addMember(actor, d!.id, { kind: 'group', id: c!.id });
        await sleep(300);
        await dir.addMember(actor, a!.id, { kind: 'group', id: b!.id });
        await dir.addMember(actor, a!.id, { kind: 'user', id: user.id });
      });
      await admin;
      assert.deepEqual(
        (await store.directory.effectiveGroupsOfUser(user.id)).map((g) => g.id),
        [a!.id],
      );
    });

    test('a transaction that changes access and then deletes a user does not deadlock with adding that user to a group', async () => {
      const [a, b] = await Promise.all(
        ['a', 'b'].map((n) => store.directory.createGroup(actor, { displayName: uniq(`del-${n}`) })),
      );
      const user = await store.directory.createUser(actor, { userName: uniq('ivy') });
      let admin: Promise<unknown> | undefined;
      const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
      await store.transaction(async (trx) => {
        const dir = store.directoryIn(trx);
        await dir.updateGroup(actor, a!.id, { description: 'changed' });
        admin = otherWriter()
          .directory.addMember(actor, b!.id, { kind: 'user', id: user.id })
          .catch((e: unknown) => e);
        await sleep(300);
        await dir.deleteUser(actor, user.id);
      });
      const outcome = await admin;
      // Either order is a correct outcome; a deadlock error is not.
      assert.ok(
        outcome === undefined || (outcome instanceof Error && /No user|no longer exists/.test(outcome.message)),
        String(outcome),
      );
    });
  });
}

describe('the access epoch cache', () => {
  const fakeDb = (epoch: { value: number }) =>
    ({ executeQuery: async () => ({ rows: [{ value: epoch.value }] }) }) as unknown as Parameters<
      typeof createAccessEpochCache
    >[0];

  test('loads once per epoch, again when the epoch moves or the entry expires, and forgets the least recently used', async () => {
    const epoch = { value: 1 };
    let now = 0;
    const cache = createAccessEpochCache(fakeDb(epoch), { maxEntries: 2, ttlMs: 1000, clock: () => now });
    let loads = 0;
    const load = (v: string) => async () => {
      loads++;
      return v;
    };
    assert.equal(await cache.get('a', load('a1')), 'a1');
    assert.equal(await cache.get('a', load('a2')), 'a1');
    assert.equal(loads, 1);
    epoch.value = 2;
    assert.equal(await cache.get('a', load('a3')), 'a3');
    now = 1001;
    assert.equal(await cache.get('a', load('a4')), 'a4', 'expired after ttlMs');
    await cache.get('b', load('b1'));
    await cache.get('a', load('x'));
    await cache.get('c', load('c1'));
    assert.equal(await cache.get('a', load('a5')), 'a4', 'a was used more recently than b and stays');
    assert.equal(await cache.get('b', load('b2')), 'b2', 'b was the least recently used and was dropped');
  });

  test('a database without the migration is a clear error, not an empty answer', async () => {
    const cache = createAccessEpochCache({ executeQuery: async () => ({ rows: [] }) } as unknown as Parameters<
      typeof createAccessEpochCache
    >[0]);
    await assert.rejects(
      cache.get('k', async () => 1),
      /0050-access-epoch migration has not run/,
    );
  });
});
