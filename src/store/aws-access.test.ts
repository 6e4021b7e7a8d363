import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DomainError, systemActor, type AwsAccessService } from '../core/index.js';
import { enginesUnderTest, uniq, type EngineUnderTest } from './contract-harness.js';
import { createAwsAccessService, createCliSignInStore, type Store } from './index.js';

const actor = systemActor('test');
const isError =
  (code: string, pattern: RegExp) =>
  (e: unknown): boolean =>
    e instanceof DomainError && e.code === code && pattern.test(e.message);

for (const engine of await enginesUnderTest()) {
  describe(`AWS accounts and role bindings on ${engine.name}`, { skip: engine.skip }, () => {
    let store: Store;
    let aws: AwsAccessService;
    before(async () => {
      store = await (engine as EngineUnderTest).open();
      aws = createAwsAccessService(store.db);
    });
    after(async () => {
      await (engine as EngineUnderTest).dispose(store);
    });

    test('accounts have unique ids and case-insensitively unique names; bad ids are refused by value', async () => {
      await aws.addAccount(actor, { id: '111111111111', name: 'Dev' });
      await aws.addAccount(actor, { id: '222222222222', name: 'Prod' });
      await assert.rejects(
        aws.addAccount(actor, { id: '333333333333', name: 'dev' }),
        isError('conflict', /already registered/),
      );
      await assert.rejects(
        aws.addAccount(actor, { id: '111111111111', name: 'Other' }),
        isError('conflict', /already registered/),
      );
      await assert.rejects(
        aws.addAccount(actor, { id: '1234', name: 'x' }),
        isError('invalid_input', /"1234" must be exactly 12 digits/),
      );
      assert.deepEqual(
        (await aws.listAccounts()).map((a) => a.name),
        ['Dev', 'Prod'],
      );
    });

    test('bindings name an existing group and account, are unique per role (case-insensitive) and audited', async () => {
      const g = await store.directory.createGroup(actor, { displayName: uniq('Developers') });
      const b = await aws.addBinding(actor, { groupId: g.id, accountId: '111111111111', roleName: 'ReadOnly' });
      assert.equal(b.rolePath, '/');
      await assert.rejects(
        aws.addBinding(actor, { groupId: g.id, accountId: '111111111111', roleName: 'readonly' }),
        isError('conflict', /already bound/),
      );
      await assert.rejects(
        aws.addBinding(actor, { groupId: 'nope', accountId: '111111111111', roleName: 'X' }),
        isError('not_found', /group nope/),
      );
      await assert.rejects(
        aws.addBinding(actor, { groupId: g.id, accountId: '999999999999', roleName: 'X' }),
        isError('not_found', /not registered/),
      );
      await assert.rejects(
        aws.addBinding(actor, { groupId: g.id, accountId: '111111111111', roleName: 'Bad Name' }),
        isError('invalid_input', /"Bad Name"/),
      );
      const g2 = await store.directory.createGroup(actor, { displayName: uniq('Ops') });
      await assert.rejects(
        aws.addBinding(actor, { groupId: g2.id, accountId: '111111111111', roleName: 'ReadOnly', rolePath: '/x/' }),
        isError('conflict', /already bound with path \//),
      );
      const events = await store.audit.query({ action: 'aws.binding.created', targetId: b.id });
      assert.equal(events.items.length, 1);
      assert.deepEqual(
        (await aws.bindingsForGroups([g.id, g2.id])).map((x) => x.id),
        [b.id],
      );
    });

    test('an account with bindings cannot be removed; removing a binding is audited; deleting the group removes its bindings', async () => {
      const g = await store.directory.createGroup(actor, { displayName: uniq('Temp') });
      const b = await aws.addBinding(actor, { groupId: g.id, accountId: '222222222222', roleName: 'Admin' });
      await assert.rejects(aws.removeAccount(actor, '222222222222'), isError('conflict', /still has 1 binding/));
      await aws.removeBinding(actor, b.id);
      await assert.rejects(aws.removeBinding(actor, b.id), isError('not_found', /does not exist/));
      assert.equal((await store.audit.query({ action: 'aws.binding.deleted', targetId: b.id })).items.length, 1);
      await aws.addBinding(actor, { groupId: g.id, accountId: '222222222222', roleName: 'Admin' });
      await store.directory.deleteGroup(actor, g.id);
      assert.deepEqual(await aws.listBindings({ accountId: '222222222222' }), []);
      await aws.removeAccount(actor, '222222222222');
      assert.deepEqual(
        (await aws.listAccounts()).map((a) => a.id),
        ['111111111111'],
      );
    });

    test('bindingsForGroups reads only the given groups, also for more groups than one statement may bind', async () => {
      const ids = Array.from({ length: 1200 }, (_, i) => `missing-${i}`);
      const g = await store.directory.createGroup(actor, { displayName: uniq('Many') });
      await aws.addBinding(actor, { groupId: g.id, accountId: '111111111111', roleName: 'Many' });
      assert.equal((await aws.bindingsForGroups([...ids, g.id])).length, 1);
    });

    test('bindingsForGroups returns exactly the stored bindings of those groups, every field intact', async () => {
      const [g1, g2, other] = await Promise.all(
        ['Readers', 'Writers', 'Others'].map((n) => store.directory.createGroup(actor, { displayName: uniq(n) })),
      );
      assert.ok(g1 && g2 && other);
      await aws.addAccount(actor, { id: '444444444444', name: 'Shared' });
      await aws.addBinding(actor, {
        groupId: g1.id,
        accountId: '111111111111',
        roleName: 'Read+Only=,.@-_1',
        rolePath: '/team/a-b/',
      });
      await aws.addBinding(actor, { groupId: g2.id, accountId: '111111111111', roleName: 'Writer' });
      await aws.addBinding(actor, { groupId: g2.id, accountId: '444444444444', roleName: 'Writer' });
      await aws.addBinding(actor, { groupId: other.id, accountId: '444444444444', roleName: 'Elsewhere' });
      const expected = [
        ...(await aws.listBindings({ groupId: g1.id })),
        ...(await aws.listBindings({ groupId: g2.id })),
      ];
      const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
      assert.deepEqual(
        [...(await aws.bindingsForGroups([g1.id, g2.id, g2.id, 'no-such-group']))].sort(byId),
        expected.sort(byId),
      );
      assert.deepEqual(await aws.bindingsForGroups([]), []);
      assert.deepEqual(await aws.bindingsForGroups(['no-such-group']), []);
    });

    test("boundRolesForGroups returns the account, path and name of exactly those groups' bindings, one per binding", async () => {
      const [g1, g2, other] = await Promise.all(
        ['BR-Readers', 'BR-Writers', 'BR-Others'].map((n) =>
          store.directory.createGroup(actor, { displayName: uniq(n) }),
        ),
      );
      assert.ok(g1 && g2 && other);
      await aws.addBinding(actor, {
        groupId: g1.id,
        accountId: '111111111111',
        roleName: 'BR+Only=,.@-_1',
        rolePath: '/team/a-b/',
      });
      await aws.addBinding(actor, { groupId: g1.id, accountId: '111111111111', roleName: 'BRWriter' });
      await aws.addBinding(actor, { groupId: g2.id, accountId: '111111111111', roleName: 'BRWriter' });
      await aws.addBinding(actor, { groupId: other.id, accountId: '111111111111', roleName: 'BRElsewhere' });
      const key = (r: { accountId: string; rolePath: string; roleName: string }) =>
        `${r.accountId}${r.rolePath}${r.roleName}`;
      const expected = [
        ...(await aws.listBindings({ groupId: g1.id })),
        ...(await aws.listBindings({ groupId: g2.id })),
      ].map((b) => ({ accountId: b.accountId, rolePath: b.rolePath, roleName: b.roleName }));
      const got = await aws.boundRolesForGroups([g1.id, g2.id, g2.id, 'no-such-group']);
      assert.deepEqual(
        [...got].sort((a, b) => key(a).localeCompare(key(b))),
        expected.sort((a, b) => key(a).localeCompare(key(b))),
      );
      assert.deepEqual(Object.keys(got[0]!).sort(), ['accountId', 'roleName', 'rolePath']);
      assert.deepEqual(await aws.boundRolesForGroups([]), []);
      assert.deepEqual(await aws.boundRolesForGroups(['no-such-group']), []);
      const many = Array.from({ length: 1200 }, (_, i) => `missing-${i}`);
      assert.deepEqual((await aws.boundRolesForGroups([...many, other.id])).map(key), ['111111111111/BRElsewhere']);
    });

    test('the effective groups a sign-in reads come back in display-name order with every field intact (one JSON row)', async () => {
      const u = await store.directory.createUser(actor, { userName: uniq('eg') });
      const tag = uniq('eg');
      const plain = await store.directory.createGroup(actor, { displayName: `${tag}-b "plain"` });
      const full = await store.directory.createGroup(actor, {
        displayName: `${tag}-A ünï ✓ \\ 'x'`,
        description: 'back\\slash "q" <x> & ✓',
        externalId: 'ext-1',
        attributes: { team: 'sre', list: ['a', 'b'] },
      });
      const parent = await store.directory.createGroup(actor, { displayName: `${tag}-c` });
      await store.directory.addMember(actor, plain.id, { kind: 'user', id: u.id });
      await store.directory.addMember(actor, full.id, { kind: 'user', id: u.id });
      await store.directory.addMember(actor, parent.id, { kind: 'group', id: plain.id });
      const expected = await Promise.all([full.id, plain.id, parent.id].map((id) => store.directory.getGroup(id)));
      assert.deepEqual(await store.directory.effectiveGroupsOfUser(u.id), expected);
      const lonely = await store.directory.createUser(actor, { userName: uniq('eg-none') });
      assert.deepEqual(await store.directory.effectiveGroupsOfUser(lonely.id), []);
    });

    test('CLI tokens are stored by hash and revoked with a reason; a device grant is decided once and redeemed once (RFC 8628 3.5)', async () => {
      const cli = createCliSignInStore(store.db);
      const u = await store.directory.createUser(actor, { userName: uniq('cli') });
      const now = new Date();
      const later = new Date(now.getTime() + 60_000).toISOString();
      await cli.createToken({
        idHash: 'h1',
        userId: u.id,
        createdAt: now.toISOString(),
        expiresAt: later,
        authMethods: ['pwd'],
        revokedAt: null,
        revokedReason: null,
      });
      await cli.revokeToken('h1', now.toISOString(), 'user_suspended');
      assert.equal((await cli.getToken('h1'))?.revokedReason, 'user_suspended');
      await cli.createDeviceGrant({
        deviceCodeHash: 'd1',
        userCode: 'ABCD-EFGH',
        status: 'pending',
        userId: null,
        createdAt: now.toISOString(),
        expiresAt: later,
      });
      await assert.rejects(
        cli.createDeviceGrant({
          deviceCodeHash: 'd2',
          userCode: 'ABCD-EFGH',
          status: 'pending',
          userId: null,
          createdAt: now.toISOString(),
          expiresAt: later,
        }),
        isError('conflict', /collision/),
      );
      assert.equal(await cli.redeemDeviceGrant('d1'), false, 'a pending grant cannot be redeemed');
      assert.equal(await cli.decideDeviceGrant('ABCD-EFGH', 'approved', u.id, now.toISOString()), true);
      assert.equal(await cli.decideDeviceGrant('ABCD-EFGH', 'denied', u.id, now.toISOString()), false, 'decided once');
      assert.equal(await cli.redeemDeviceGrant('d1'), true);
      assert.equal(await cli.redeemDeviceGrant('d1'), false, 'single use');
      assert.equal(await cli.deleteExpired(new Date(now.getTime() + 120_000).toISOString()), 2);
    });
  });
}
