import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DomainError, type Actor, type DirectoryService } from '../core/index.js';
import { enginesUnderTest, uniq } from './contract-harness.js';
import { createAuditLog, type Store } from './index.js';

/** Storage contract (issue 2, DESIGN §6): the same assertions on SQLite and PostgreSQL. */
const actor: Actor = { kind: 'cli', id: 'contract-test', label: 'contract test' };

async function rejectsWith(p: Promise<unknown>, code: DomainError['code'], message?: RegExp): Promise<DomainError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof DomainError, `expected DomainError ${code}, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message, message);
    return e;
  }
  assert.fail(`expected DomainError ${code}, but it resolved`);
}

for (const engine of await enginesUnderTest()) {
  describe(`storage contract on ${engine.name}`, { skip: engine.skip }, () => {
    let store: Store;
    let dir: DirectoryService;
    before(async () => {
      store = await engine.open();
      dir = store.directory;
    });
    after(async () => {
      if (store) await engine.dispose(store);
    });

    describe('users', () => {
      test('creates, reads, updates with a version bump, and deletes a user', async () => {
        const name = uniq('ada');
        const u = await dir.createUser(actor, {
          userName: name,
          givenName: 'Ada',
          emails: [{ value: `${name}@example.com`, primary: true }],
          attributes: { dept: 'eng', tags: ['a', 'b'] },
        });
        assert.equal(u.version, 1);
        assert.equal(u.status, 'active');
        assert.deepEqual(await dir.getUser(u.id), u);
        const v2 = await dir.updateUser(actor, u.id, { familyName: 'Lovelace', givenName: null });
        assert.equal(v2.version, 2);
        assert.equal(v2.familyName, 'Lovelace');
        assert.equal(v2.givenName, null);
        assert.deepEqual(v2.attributes, { dept: 'eng', tags: ['a', 'b'] });
        const s = await dir.setUserStatus(actor, u.id, 'suspended');
        assert.equal(s.status, 'suspended');
        assert.equal(s.version, 3);
        await dir.deleteUser(actor, u.id);
        await rejectsWith(dir.getUser(u.id), 'not_found');
        await rejectsWith(dir.deleteUser(actor, u.id), 'not_found');
      });

      test('rejects a userName differing only in case, on create and on rename (conflict)', async () => {
        const name = uniq('Grace');
        const u = await dir.createUser(actor, { userName: name });
        const e = await rejectsWith(
          dir.createUser(actor, { userName: name.toUpperCase() }),
          'conflict',
          /already exists/,
        );
        assert.equal(e.problems[0]?.at, 'userName');
        const other = await dir.createUser(actor, { userName: uniq('other') });
        await rejectsWith(dir.updateUser(actor, other.id, { userName: name.toLowerCase() }), 'conflict');
        assert.equal((await dir.findUserByUserName(name.toLowerCase()))?.id, u.id);
      });

      test('reports every invalid field at once with its path', async () => {
        const e = await rejectsWith(
          dir.createUser(actor, {
            userName: '  ',
            emails: [{ value: 'not-an-email' }],
            status: 'gone',
            attributes: { '1bad': 'x' },
            colour: 'red',
          } as never),
          'invalid_input',
        );
        const at = e.problems.map((p) => p.at).sort();
        assert.deepEqual(
          at,
          ['1bad', 'colour', 'emails[0].value', 'status', 'userName']
            .map((a) => (a === '1bad' ? 'attributes.1bad' : a))
            .sort(),
        );
      });

      test('rejects an update whose expected version is stale (precondition_failed)', async () => {
        const u = await dir.createUser(actor, { userName: uniq('ver') });
        await dir.updateUser(actor, u.id, { displayName: 'One' }, 1);
        await rejectsWith(dir.updateUser(actor, u.id, { displayName: 'Two' }, 1), 'precondition_failed');
        assert.equal((await dir.getUser(u.id)).displayName, 'One');
      });

      test('pages through users with an opaque cursor, each user exactly once', async () => {
        const prefix = uniq('page');
        const names = Array.from({ length: 7 }, (_, i) => `${prefix}-${String.fromCharCode(103 - i)}`);
        for (const n of names) await dir.createUser(actor, { userName: n });
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let i = 0; i < 10; i++) {
          const page = await dir.listUsers({ search: prefix, limit: 3, ...(cursor ? { cursor } : {}), count: i !== 2 });
          assert.equal(page.total, i === 2 ? undefined : 7, 'counted unless told not to');
          seen.push(...page.items.map((u) => u.userName));
          cursor = page.nextCursor;
          if (!cursor) break;
        }
        assert.deepEqual(seen, [...names].sort());
        const first = await dir.listUsers({ search: prefix, limit: 3 });
        const later = await dir.listUsers({ search: prefix, limit: 3, cursor: first.nextCursor! });
        assert.equal(later.total, undefined, 'a later page counts only when asked');
        await rejectsWith(dir.listUsers({ cursor: 'not-a-cursor' }), 'invalid_input');
        await rejectsWith(dir.listUsers({ limit: 0 }), 'invalid_input');
        await rejectsWith(dir.listUsers({ limit: 501 }), 'invalid_input');
      });

      test('filters by exact userName case-insensitively and by prefix on userName, displayName or email', async () => {
        const name = uniq('Filter');
        const u = await dir.createUser(actor, {
          userName: name,
          displayName: `Zed ${name}`,
          emails: [{ value: `mail-${name}@example.com` }],
        });
        assert.deepEqual(
          (await dir.listUsers({ userName: name.toUpperCase() })).items.map((x) => x.id),
          [u.id],
        );
        assert.deepEqual((await dir.listUsers({ userName: name.slice(0, -1) })).items, []);
        for (const search of [name.slice(0, 12).toUpperCase(), `zed ${name}`, `MAIL-${name}`]) {
          assert.deepEqual(
            (await dir.listUsers({ search })).items.map((x) => x.id),
            [u.id],
            search,
          );
        }
      });

      test('treats SQL-injection strings and LIKE wildcards in every filter as literal text', async () => {
        const marker = uniq('inj');
        await dir.createUser(actor, { userName: `${marker}-plain` });
        const pct = await dir.createUser(actor, { userName: `%${marker}` });
        const hostile = [
          "' OR 1=1 --",
          "' OR '1'='1",
          '%',
          '_',
          '\\',
          "'",
          '"',
          '%%',
          '_%',
          "\\'; DROP TABLE users; --",
          `${marker.slice(0, 3)}_`,
        ];
        for (const h of hostile) {
          assert.deepEqual((await dir.listUsers({ userName: h })).items, [], `users userName=${h}`);
          const found = (await dir.listUsers({ search: h })).items.map((u) => u.id);
          assert.deepEqual(found, h === '%' || h === '%%' ? (h === '%' ? [pct.id] : []) : [], `users search=${h}`);
          assert.deepEqual((await dir.listGroups({ displayName: h })).items, [], `groups displayName=${h}`);
          assert.deepEqual((await dir.listGroups({ search: h })).items, [], `groups search=${h}`);
          assert.equal(await dir.findUserByUserName(h), null);
          assert.equal(await dir.findGroupByDisplayName(h), null);
          assert.deepEqual((await store.audit.query({ actorId: h })).items, []);
          assert.deepEqual((await store.audit.query({ targetId: h })).items, []);
          assert.deepEqual((await store.audit.query({ action: h })).items, []);
        }
        assert.deepEqual(
          (await dir.listUsers({ search: '%' })).items.map((u) => u.id),
          [pct.id],
        );
        assert.ok(((await dir.listUsers({ limit: 500 })).total ?? 0) >= 2, 'the table survived');
      });
    });

    describe('groups and memberships', () => {
      test('creates, renames and deletes a group; displayName is unique case-insensitively', async () => {
        const name = uniq('Eng');
        const g = await dir.createGroup(actor, { displayName: name, description: 'Engineers' });
        await rejectsWith(dir.createGroup(actor, { displayName: name.toLowerCase() }), 'conflict');
        const renamed = await dir.updateGroup(actor, g.id, { displayName: `${name}-x`, description: null });
        assert.equal(renamed.version, 2);
        assert.equal(renamed.description, null);
        assert.equal((await dir.listGroups({ displayName: `${name}-X` })).items[0]?.id, g.id);
        await dir.deleteGroup(actor, g.id);
        await rejectsWith(dir.getGroup(g.id), 'not_found');
      });

      test('computes effective membership through nested groups', async () => {
        const u = await dir.createUser(actor, { userName: uniq('nest') });
        const [a, b, c, other] = await Promise.all(
          ['A', 'B', 'C', 'Other'].map((n) => dir.createGroup(actor, { displayName: uniq(n) })),
        );
        assert.ok(a && b && c && other);
        await dir.addMember(actor, a.id, { kind: 'user', id: u.id });
        await dir.addMember(actor, b.id, { kind: 'group', id: a.id });
        await dir.addMember(actor, c.id, { kind: 'group', id: b.id });
        await dir.addMember(actor, c.id, { kind: 'group', id: a.id });
        assert.deepEqual(
          (await dir.directGroupsOfUser(u.id)).map((g) => g.id),
          [a.id],
        );
        assert.deepEqual(
          new Set((await dir.effectiveGroupsOfUser(u.id)).map((g) => g.id)),
          new Set([a.id, b.id, c.id]),
        );
        const v = await dir.createUser(actor, { userName: uniq('nest-v') });
        await dir.addMember(actor, b.id, { kind: 'user', id: v.id });
        assert.deepEqual(new Set((await dir.effectiveUsersOfGroup(c.id)).map((x) => x.id)), new Set([u.id, v.id]));
        assert.deepEqual(
          (await dir.effectiveUsersOfGroup(a.id)).map((x) => x.id),
          [u.id],
        );
        assert.deepEqual(await dir.effectiveUsersOfGroup(other.id), []);
        await rejectsWith(dir.effectiveUsersOfGroup('no-such-group'), 'not_found');
        assert.deepEqual(
          await dir.listMembers(c.id),
          [
            { kind: 'group', id: a.id },
            { kind: 'group', id: b.id },
          ].sort((x, y) => x.id.localeCompare(y.id)),
        );
        await dir.removeMember(actor, b.id, { kind: 'group', id: a.id });
        assert.deepEqual(new Set((await dir.effectiveGroupsOfUser(u.id)).map((g) => g.id)), new Set([a.id, c.id]));
        assert.equal((await dir.effectiveUsersOfGroup(b.id)).length, 1, 'only v is left in b');
        await rejectsWith(dir.removeMember(actor, b.id, { kind: 'group', id: a.id }), 'not_found');
        await rejectsWith(dir.addMember(actor, a.id, { kind: 'user', id: 'no-such-user' }), 'not_found');
        await dir.deleteUser(actor, u.id);
        assert.deepEqual(await dir.listMembers(a.id), []);
      });

      test('effective groups of a user come once each, in display-name order, through several levels and diamonds', async () => {
        const u = await dir.createUser(actor, { userName: uniq('deep') });
        const tag = uniq('deep');
        const [g1, g2, g3, g4] = await Promise.all(
          ['d', 'c', 'b', 'a'].map((n) => dir.createGroup(actor, { displayName: `${tag}-${n}` })),
        );
        assert.ok(g1 && g2 && g3 && g4);
        await dir.addMember(actor, g1.id, { kind: 'user', id: u.id });
        await dir.addMember(actor, g2.id, { kind: 'group', id: g1.id });
        await dir.addMember(actor, g3.id, { kind: 'group', id: g2.id });
        await dir.addMember(actor, g4.id, { kind: 'group', id: g3.id });
        await dir.addMember(actor, g4.id, { kind: 'group', id: g1.id });
        await dir.addMember(actor, g3.id, { kind: 'user', id: u.id });
        assert.deepEqual(
          (await dir.effectiveGroupsOfUser(u.id)).map((g) => g.displayName),
          ['a', 'b', 'c', 'd'].map((n) => `${tag}-${n}`),
        );
        await rejectsWith(dir.effectiveGroupsOfUser('no-such-user'), 'not_found');
      });

      test('a membership cycle written around the service does not hang the effective-group read', async () => {
        const u = await dir.createUser(actor, { userName: uniq('loop') });
        const [a, b] = await Promise.all(
          ['LoopA', 'LoopB'].map((n) => dir.createGroup(actor, { displayName: uniq(n) })),
        );
        assert.ok(a && b);
        await dir.addMember(actor, a.id, { kind: 'user', id: u.id });
        await dir.addMember(actor, b.id, { kind: 'group', id: a.id });
        // Corrupted data: a → b as well as b → a, which the service itself refuses to write.
        await store.db
          .insertInto('group_group_members')
          .values({ parent_id: a.id, child_id: b.id, created_at: new Date().toISOString() })
          .execute();
        assert.deepEqual(new Set((await dir.effectiveGroupsOfUser(u.id)).map((g) => g.id)), new Set([a.id, b.id]));
        await store.db
          .deleteFrom('group_group_members')
          .where('parent_id', '=', a.id)
          .where('child_id', '=', b.id)
          .execute();
      });

      test('adding the same member twice changes nothing and writes no second event', async () => {
        const u = await dir.createUser(actor, { userName: uniq('twice') });
        const g = await dir.createGroup(actor, { displayName: uniq('Twice') });
        await dir.addMember(actor, g.id, { kind: 'user', id: u.id });
        const seq = await store.outbox.latestSeq();
        await dir.addMember(actor, g.id, { kind: 'user', id: u.id });
        assert.equal(await store.outbox.latestSeq(), seq);
      });

      test('rejects direct and indirect membership cycles (membership_cycle)', async () => {
        const [a, b, c] = await Promise.all(
          ['A', 'B', 'C'].map((n) => dir.createGroup(actor, { displayName: uniq(`cyc${n}`) })),
        );
        assert.ok(a && b && c);
        await rejectsWith(dir.addMember(actor, a.id, { kind: 'group', id: a.id }), 'membership_cycle');
        await dir.addMember(actor, a.id, { kind: 'group', id: b.id });
        await rejectsWith(dir.addMember(actor, b.id, { kind: 'group', id: a.id }), 'membership_cycle');
        await dir.addMember(actor, b.id, { kind: 'group', id: c.id });
        const before = await store.outbox.latestSeq();
        const e = await rejectsWith(
          dir.addMember(actor, c.id, { kind: 'group', id: a.id }),
          'membership_cycle',
          /contain itself/,
        );
        assert.equal(e.problems[0]?.at, 'member.id');
        assert.equal(await store.outbox.latestSeq(), before, 'a rejected change writes no event');
        assert.deepEqual(await dir.listMembers(c.id), []);
      });

      test('two concurrent writers cannot together close a cycle', async () => {
        for (let round = 0; round < 5; round++) {
          const [a, b] = await Promise.all(
            ['A', 'B'].map((n) => dir.createGroup(actor, { displayName: uniq(`race${n}`) })),
          );
          assert.ok(a && b);
          const results = await Promise.allSettled([
            dir.addMember(actor, a.id, { kind: 'group', id: b.id }),
            dir.addMember(actor, b.id, { kind: 'group', id: a.id }),
          ]);
          const ok = results.filter((r) => r.status === 'fulfilled');
          const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
          assert.equal(ok.length, 1, `round ${round}: exactly one edge wins`);
          assert.equal((failed[0]!.reason as DomainError).code, 'membership_cycle');
        }
      });
    });

    describe('outbox and audit (one write path)', () => {
      test('writes a typed outbox event and an audit record with before/after for each change', async () => {
        const start = await store.outbox.latestSeq();
        const u = await dir.createUser(actor, { userName: uniq('evt') });
        const g = await dir.createGroup(actor, { displayName: uniq('Evt') });
        const u2 = await dir.updateUser(actor, u.id, { displayName: 'Eve' });
        await dir.addMember(actor, g.id, { kind: 'user', id: u.id });
        await dir.removeMember(actor, g.id, { kind: 'user', id: u.id });
        await dir.deleteGroup(actor, g.id);
        await dir.deleteUser(actor, u.id);
        const events = await store.outbox.readAfter(start, 100);
        assert.deepEqual(
          events.map((e) => e.event.type),
          [
            'user.created',
            'group.created',
            'user.updated',
            'membership.added',
            'membership.removed',
            'group.deleted',
            'user.deleted',
          ],
        );
        assert.ok(
          events.every((e, i) => i === 0 || e.seq > (events[i - 1]?.seq ?? 0)),
          'seq is monotonic',
        );
        const upd = events[2]?.event;
        assert.ok(upd?.type === 'user.updated');
        assert.equal(upd.before.displayName, null);
        assert.deepEqual(upd.user, u2);

        const audit = await store.audit.query({ targetId: u.id });
        assert.deepEqual(
          audit.items.map((a) => a.action),
          ['user.deleted', 'user.updated', 'user.created'],
        );
        const updated = audit.items[1];
        assert.deepEqual(updated?.before, u);
        assert.deepEqual(updated?.after, u2);
        assert.deepEqual(updated?.actor, actor);
        assert.equal(updated?.target?.label, u.userName);
      });

      test('a failed transaction leaves neither the change, nor its event, nor its audit record', async () => {
        const seq = await store.outbox.latestSeq();
        const auditTotal = (await store.audit.query({})).total;
        const name = uniq('rollback');
        await assert.rejects(
          dir.transaction(async (tx) => {
            await tx.createUser(actor, { userName: name });
            await tx.createGroup(actor, { displayName: name });
            throw new Error('boom after two writes');
          }),
          /boom/,
        );
        assert.equal(await dir.findUserByUserName(name), null);
        assert.equal(await dir.findGroupByDisplayName(name), null);
        assert.equal(await store.outbox.latestSeq(), seq);
        assert.equal((await store.audit.query({})).total, auditTotal);
        await rejectsWith(dir.createUser(actor, { userName: '' }), 'invalid_input');
        const existing = await dir.createUser(actor, { userName: uniq('dupe') });
        const seq2 = await store.outbox.latestSeq();
        await rejectsWith(dir.createUser(actor, { userName: existing.userName.toUpperCase() }), 'conflict');
        assert.equal(await store.outbox.latestSeq(), seq2, 'a conflicting insert writes no event');
      });

      test('directory changes and another module’s writes share one transaction through directoryIn', async () => {
        const name = uniq('joined');
        const marker = { type: 'test', id: uniq('marker') };
        await assert.rejects(
          store.transaction(async (trx) => {
            await store.directoryIn(trx).createUser(actor, { userName: name });
            await createAuditLog(trx).record({ action: 'test.marker', actor, outcome: 'success', target: marker });
            throw new Error('abort both');
          }),
          /abort both/,
        );
        assert.equal(await dir.findUserByUserName(name), null);
        assert.equal((await store.audit.query({ targetId: marker.id })).total, 0);
        const u = await store.transaction(async (trx) => {
          const created = await store.directoryIn(trx).createUser(actor, { userName: name });
          await createAuditLog(trx).record({ action: 'test.marker', actor, outcome: 'success', target: marker });
          return created;
        });
        assert.equal((await dir.getUser(u.id)).userName, name);
        assert.equal((await store.audit.query({ targetId: marker.id })).total, 1);
        assert.equal(
          (await store.outbox.readAfter((await store.outbox.latestSeq()) - 1, 1))[0]?.event.type,
          'user.created',
        );
      });

      test('workers claim each pending event once, lease it, and mark it done', async () => {
        await dir.createUser(actor, { userName: uniq('claim') });
        const pending: number[] = [];
        for (let i = 0; i < 100; i++) {
          const batch = await store.outbox.claim({ worker: 'drain', limit: 500, leaseMs: 60_000 });
          if (batch.length === 0) break;
          pending.push(...batch.map((r) => r.seq));
          assert.equal(
            await store.outbox.markDone(
              'drain',
              batch.map((r) => r.seq),
            ),
            batch.length,
          );
        }
        assert.ok(pending.length > 0);
        for (let i = 0; i < 6; i++) await dir.createGroup(actor, { displayName: uniq('claim') });
        const [w1, w2] = await Promise.all([
          store.outbox.claim({ worker: 'w1', limit: 4, leaseMs: 60_000 }),
          store.outbox.claim({ worker: 'w2', limit: 4, leaseMs: 60_000 }),
        ]);
        const s1 = w1.map((r) => r.seq);
        const s2 = w2.map((r) => r.seq);
        assert.equal(s1.length + s2.length, 6);
        assert.deepEqual(
          s1.filter((s) => s2.includes(s)),
          [],
          'no event is claimed twice',
        );
        assert.equal(await store.outbox.markDone('w2', s1), 0, 'a worker cannot complete another worker’s lease');
        assert.equal(await store.outbox.release('w1', s1), s1.length);
        const again = await store.outbox.claim({ worker: 'w3', limit: 10, leaseMs: 60_000 });
        assert.deepEqual(again.map((r) => r.seq).sort(), [...s1].sort());
        assert.deepEqual(await store.outbox.claim({ worker: 'w4', limit: 10, leaseMs: 60_000 }), []);
      });

      test('an expired lease makes the event claimable again', async () => {
        await dir.createGroup(actor, { displayName: uniq('lease') });
        const first = await store.outbox.claim({ worker: 'short', limit: 1000, leaseMs: 1 });
        assert.ok(first.length >= 1);
        await new Promise((r) => setTimeout(r, 10));
        const again = await store.outbox.claim({ worker: 'next', limit: 1000, leaseMs: 60_000 });
        assert.deepEqual(
          again.map((r) => r.seq),
          first.map((r) => r.seq),
        );
        await store.outbox.markDone(
          'next',
          again.map((r) => r.seq),
        );
      });

      test('queries the audit log by actor, target, action and time range, newest first, with a cursor', async () => {
        const who: Actor = { kind: 'user', id: uniq('admin'), label: 'admin' };
        const t0 = new Date().toISOString();
        await store.audit.record({
          action: 'signin.password',
          actor: who,
          outcome: 'failure',
          reason: 'bad_password',
          target: { type: 'user', id: who.id },
        });
        await store.audit.record({
          action: 'signin.password',
          actor: who,
          outcome: 'success',
          target: { type: 'user', id: who.id },
          details: { ip: '127.0.0.1' },
        });
        const g = await dir.createGroup(who, { displayName: uniq('Aud') });
        const all = await store.audit.query({ actorId: who.id });
        assert.deepEqual(
          all.items.map((a) => a.action),
          ['group.created', 'signin.password', 'signin.password'],
        );
        assert.equal(all.items[2]?.reason, 'bad_password');
        assert.equal(all.items[2]?.outcome, 'failure');
        assert.deepEqual(all.items[1]?.details, { ip: '127.0.0.1' });
        assert.deepEqual(
          (await store.audit.query({ actorId: who.id, action: 'group.created' })).items.map((a) => a.target?.id),
          [g.id],
        );
        const p1 = await store.audit.query({ actorId: who.id, limit: 2 });
        assert.equal(p1.items.length, 2);
        assert.ok(p1.nextCursor);
        const p2 = await store.audit.query({ actorId: who.id, limit: 2, cursor: p1.nextCursor });
        assert.deepEqual(
          p2.items.map((a) => a.id),
          [all.items[2]?.id],
        );
        assert.equal(p2.nextCursor, undefined);
        assert.equal((await store.audit.query({ actorId: who.id, since: t0 })).total, 3);
        assert.equal((await store.audit.query({ actorId: who.id, until: '2000-01-01T00:00:00Z' })).total, 0);
        await rejectsWith(store.audit.query({ since: 'yesterday-ish' }), 'invalid_input');
        await rejectsWith(
          store.audit.query({ since: '2030-01-01T00:00:00Z', until: '2020-01-01T00:00:00Z' }),
          'invalid_input',
        );
        await rejectsWith(store.audit.query({ cursor: "' OR 1=1 --" }), 'invalid_input');
      });
    });

    describe('sign-in state ports', () => {
      test('stores and replaces a password hash per user', async () => {
        const u = await dir.createUser(actor, { userName: uniq('pw') });
        assert.equal(await store.credentials.getPassword(u.id), null);
        await store.credentials.setPassword(u.id, '$argon2id$v=19$m=19456,t=2,p=1$one');
        await store.credentials.setPassword(u.id, '$argon2id$v=19$m=19456,t=2,p=1$two');
        assert.equal((await store.credentials.getPassword(u.id))?.hash, '$argon2id$v=19$m=19456,t=2,p=1$two');
      });

      test('creates, touches, updates and expires sessions', async () => {
        const u = await dir.createUser(actor, { userName: uniq('sess') });
        const base = {
          userId: u.id,
          createdAt: '2026-01-01T00:00:00.000Z',
          lastSeenAt: '2026-01-01T00:00:00.000Z',
          authMethods: ['pwd'],
          csrfSecret: 'c',
          data: {},
        };
        await store.sessions.create({ ...base, idHash: uniq('s1'), expiresAt: '2026-01-01T01:00:00.000Z' });
        const keep = uniq('s2');
        await store.sessions.create({ ...base, idHash: keep, expiresAt: '2026-01-02T00:00:00.000Z' });
        await store.sessions.touch(keep, '2026-01-01T00:30:00.000Z', '2026-01-03T00:00:00.000Z');
        await store.sessions.updateData(keep, { sps: ['urn:amazon:webservices'] });
        const got = await store.sessions.get(keep);
        assert.equal(got?.expiresAt, '2026-01-03T00:00:00.000Z');
        assert.deepEqual(got?.data, { sps: ['urn:amazon:webservices'] });
        assert.deepEqual(got?.authMethods, ['pwd']);
        assert.ok((await store.sessions.deleteExpired('2026-01-01T02:00:00.000Z')) >= 1);
        assert.ok(await store.sessions.get(keep));
        assert.equal(await store.sessions.deleteForUser(u.id), 1);
        assert.equal(await store.sessions.get(keep), null);
      });

      test('finds API tokens by hash, lists, marks use and revokes once', async () => {
        const id = uniq('tok');
        const hash = uniq('hash');
        await store.apiTokens.create({
          id,
          name: 'ci',
          hash,
          createdAt: new Date().toISOString(),
          revokedAt: null,
          lastUsedAt: null,
        });
        assert.equal((await store.apiTokens.findByHash(hash))?.id, id);
        assert.equal(await store.apiTokens.findByHash("' OR 1=1 --"), null);
        await store.apiTokens.markUsed(id, '2026-02-02T00:00:00Z');
        assert.equal((await store.apiTokens.findByHash(hash))?.lastUsedAt, '2026-02-02T00:00:00.000Z');
        assert.ok((await store.apiTokens.list()).some((t) => t.id === id));
        assert.equal(await store.apiTokens.revoke(id, '2026-02-03T00:00:00Z'), true);
        assert.equal(await store.apiTokens.revoke(id, '2026-02-04T00:00:00Z'), false);
        assert.equal((await store.apiTokens.findByHash(hash))?.revokedAt, '2026-02-03T00:00:00.000Z');
      });

      test('upserts and clears throttle counters', async () => {
        const key = `ip:${uniq('10.0.0.1')}`;
        assert.equal(await store.throttle.get(key), null);
        await store.throttle.put({ key, failures: 1, windowStartedAt: '2026-01-01T00:00:00Z', lockedUntil: null });
        await store.throttle.put({
          key,
          failures: 5,
          windowStartedAt: '2026-01-01T00:00:00Z',
          lockedUntil: '2026-01-01T00:15:00Z',
        });
        assert.deepEqual(await store.throttle.get(key), {
          key,
          failures: 5,
          windowStartedAt: '2026-01-01T00:00:00.000Z',
          lockedUntil: '2026-01-01T00:15:00.000Z',
        });
        await store.throttle.clear(key);
        assert.equal(await store.throttle.get(key), null);
      });
    });

    describe('two nodes on one database (DESIGN §6: stateless nodes)', () => {
      // PostgreSQL runs the two nodes' calls truly concurrently. better-sqlite3 is synchronous, so two
      // connections in one process would block each other's event loop; there the calls interleave in turn,
      // which still checks that each node sees the other's commits and the database enforces the rules.
      const both = async <T>(a: () => Promise<T>, b: () => Promise<T>): Promise<PromiseSettledResult<T>[]> =>
        engine.name === 'PostgreSQL'
          ? Promise.allSettled([a(), b()])
          : [...(await Promise.allSettled([a()])), ...(await Promise.allSettled([b()]))];
      let peer: Store;
      before(async () => {
        peer = await engine.openPeer(store);
      });
      after(async () => {
        if (peer) await peer.close();
      });

      test('a userName differing only in case is rejected across nodes', async () => {
        const name = uniq('Node');
        const r = await both(
          () => dir.createUser(actor, { userName: name }),
          () => peer.directory.createUser(actor, { userName: name.toUpperCase() }),
        );
        assert.equal(r.filter((x) => x.status === 'fulfilled').length, 1);
        const failed = r.find((x): x is PromiseRejectedResult => x.status === 'rejected');
        assert.equal((failed!.reason as DomainError).code, 'conflict');
      });

      test('two nodes cannot together close a membership cycle', async () => {
        for (let round = 0; round < 5; round++) {
          const a = await dir.createGroup(actor, { displayName: uniq('nodeA') });
          const b = await peer.directory.createGroup(actor, { displayName: uniq('nodeB') });
          const r = await both(
            () => dir.addMember(actor, a.id, { kind: 'group', id: b.id }),
            () => peer.directory.addMember(actor, b.id, { kind: 'group', id: a.id }),
          );
          assert.equal(r.filter((x) => x.status === 'fulfilled').length, 1, `round ${round}`);
          const failed = r.find((x): x is PromiseRejectedResult => x.status === 'rejected');
          assert.equal((failed!.reason as DomainError).code, 'membership_cycle');
        }
      });

      test('provisioning workers on two nodes never claim the same event', async () => {
        for (let i = 0; i < 100; i++)
          if ((await store.outbox.claim({ worker: 'pre', limit: 1000, leaseMs: 60_000 })).length === 0) break;
        for (let i = 0; i < 12; i++) await dir.createGroup(actor, { displayName: uniq('work') });
        const claimed: number[][] = [[], []];
        for (let round = 0; round < 20; round++) {
          const r = await both(
            () => store.outbox.claim({ worker: 'node1', limit: 2, leaseMs: 60_000 }),
            () => peer.outbox.claim({ worker: 'node2', limit: 2, leaseMs: 60_000 }),
          );
          const got = r.map((x) =>
            x.status === 'fulfilled' ? x.value.map((e) => e.seq) : assert.fail(String(x.reason)),
          );
          claimed[0]?.push(...(got[0] ?? []));
          claimed[1]?.push(...(got[1] ?? []));
          if (got.every((g) => g.length === 0)) break;
        }
        const all = [...(claimed[0] ?? []), ...(claimed[1] ?? [])];
        assert.equal(all.length, 12);
        assert.equal(new Set(all).size, 12, 'no event claimed twice');
      });
    });

    describe('migrations and readiness', () => {
      test('reports every migration applied and none pending; ping is ready', async () => {
        const dry = await store.migrate({ dryRun: true });
        assert.deepEqual(dry.pending, []);
        assert.ok(dry.applied.includes('0001-directory'));
        assert.deepEqual((await store.migrate()).ran, []);
        assert.deepEqual(await store.ping(), { ok: true, detail: 'ok' });
      });
    });
  });
}
