import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../testing.js';
import { missingPostgres } from '../../testing/index.js';
import type { TestEngine, TestServer } from '../testing.js';

let s: TestServer;
const auth = () => ({ authorization: `Bearer ${s.token}` });
const call = (
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  url: string,
  payload?: unknown,
  headers: Record<string, string> = {},
) =>
  s.app.inject({
    method,
    url,
    headers: { ...auth(), ...headers },
    ...(payload === undefined ? {} : { payload: payload as string }),
  });
const body = (r: { body: string }) =>
  JSON.parse(r.body) as Record<string, unknown> & {
    code?: string;
    items?: Record<string, unknown>[];
    problems?: { at: string; message: string }[];
  };
const createUser = async (userName: string, extra: Record<string, unknown> = {}) => {
  const r = await call('POST', '/api/v1/users', { userName, ...extra });
  assert.equal(r.statusCode, 201, r.body);
  return body(r) as { id: string; userName: string; version: number };
};
const createGroup = async (displayName: string) => {
  const r = await call('POST', '/api/v1/groups', { displayName });
  assert.equal(r.statusCode, 201, r.body);
  return body(r) as { id: string; displayName: string };
};

const pgSkip = await missingPostgres();
for (const [engine, skip] of [
  ['sqlite', false],
  ['postgres', pgSkip],
] as [TestEngine, string | false][])
  describe(`admin API on ${engine}`, { skip }, () => {
    before(async () => {
      s = await startTestServer({ KEYWAY_BODY_LIMIT_BYTES: '4096' }, { engine });
    });
    after(async () => s?.close());

    describe('admin API authentication (Bearer admin API tokens)', () => {
      test('refuses a missing, malformed, unknown or revoked token with 401 unauthenticated and a WWW-Authenticate challenge', async () => {
        const { issueApiToken, revokeApiToken } = await import('./tokens.js');
        const { systemActor } = await import('../../core/index.js');
        const issued = await issueApiToken(s.store, systemActor('t'), 'to-revoke');
        assert.equal(
          (
            await s.app.inject({
              method: 'GET',
              url: '/api/v1/users',
              headers: { authorization: `Bearer ${issued.token}` },
            })
          ).statusCode,
          200,
        );
        await revokeApiToken(s.store, systemActor('t'), issued.record.id);
        const cases: Record<string, string | undefined> = {
          missing: undefined,
          malformed: 'Bearer not-a-token',
          basic: `Basic ${Buffer.from('a:b').toString('base64')}`,
          unknown: `Bearer kw_${'A'.repeat(43)}`,
          revoked: `Bearer ${issued.token}`,
          empty: 'Bearer ',
        };
        for (const [name, header] of Object.entries(cases)) {
          const r = await s.app.inject({
            method: 'GET',
            url: '/api/v1/users',
            headers: header === undefined ? {} : { authorization: header },
          });
          assert.equal(r.statusCode, 401, name);
          assert.equal(body(r).code, 'unauthenticated', name);
          assert.match(String(r.headers['www-authenticate']), /^Bearer/);
        }
        const audit = await s.store.audit.query({ action: 'api.authenticate' });
        assert.deepEqual(
          new Set(audit.items.map((e) => e.reason)),
          new Set(['malformed_token', 'unknown_token', 'revoked_token']),
        );
      });

      test('records the token id as the actor of a change and tracks when the token was last used', async () => {
        const user = await createUser('token-actor');
        const events = await s.store.audit.query({ targetId: user.id, action: 'user.created' });
        const tokens = await s.store.apiTokens.list();
        const test = tokens.find((t) => t.name === 'test');
        assert.equal(events.items[0]?.actor.kind, 'api-token');
        assert.equal(events.items[0]?.actor.id, test?.id);
        assert.ok(test?.lastUsedAt);
      });

      test('serves the OpenAPI document without a token, generated from the route schemas', async () => {
        const r = await s.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
        assert.equal(r.statusCode, 200);
        const doc = JSON.parse(r.body) as {
          openapi: string;
          paths: Record<
            string,
            Record<
              string,
              { requestBody?: { content: Record<string, { schema: { additionalProperties?: boolean } }> } }
            >
          >;
        };
        assert.equal(doc.openapi, '3.1.0');
        for (const p of [
          '/api/v1/users',
          '/api/v1/users/{id}',
          '/api/v1/users/{id}/password',
          '/api/v1/groups',
          '/api/v1/groups/{id}/members',
          '/api/v1/groups/{id}/members/{kind}/{memberId}',
          '/api/v1/audit',
        ])
          assert.ok(doc.paths[p], p);
        assert.equal(
          doc.paths['/api/v1/users']?.post?.requestBody?.content['application/json']?.schema.additionalProperties,
          false,
        );
        assert.ok(
          !Object.keys(doc.paths).some((p) => !p.startsWith('/api/v1/')),
          'only admin API routes are documented',
        );
      });
    });

    describe('users', () => {
      test('creates, reads, patches with If-Match, suspends, activates and deletes a user', async () => {
        const created = await createUser('Ada', {
          givenName: 'Ada',
          familyName: 'Lovelace',
          emails: [{ value: 'ada@example.com', primary: true }],
          attributes: { costCenter: '42', teams: ['a', 'b'] },
        });
        const got = await call('GET', `/api/v1/users/${created.id}`);
        assert.equal(got.statusCode, 200);
        assert.equal(got.headers.etag, '"1"');
        assert.deepEqual(body(got).attributes, { costCenter: '42', teams: ['a', 'b'] });

        const patched = await call(
          'PATCH',
          `/api/v1/users/${created.id}`,
          { displayName: 'Ada L.' },
          { 'if-match': '"1"' },
        );
        assert.equal(patched.statusCode, 200, patched.body);
        assert.equal(body(patched).displayName, 'Ada L.');
        const stale = await call(
          'PATCH',
          `/api/v1/users/${created.id}`,
          { displayName: 'stale' },
          { 'if-match': '"1"' },
        );
        assert.equal(stale.statusCode, 412);
        assert.equal(body(stale).code, 'precondition_failed');
        const badIfMatch = await call(
          'PATCH',
          `/api/v1/users/${created.id}`,
          { displayName: 'x' },
          { 'if-match': 'yesterday' },
        );
        assert.equal(badIfMatch.statusCode, 400);

        const suspended = await call('POST', `/api/v1/users/${created.id}/suspend`);
        assert.equal(body(suspended).status, 'suspended');
        assert.equal(body(await call('POST', `/api/v1/users/${created.id}/activate`)).status, 'active');

        assert.equal((await call('DELETE', `/api/v1/users/${created.id}`)).statusCode, 204);
        const gone = await call('GET', `/api/v1/users/${created.id}`);
        assert.equal(gone.statusCode, 404);
        assert.equal(body(gone).code, 'not_found');
        assert.equal((await call('DELETE', `/api/v1/users/${created.id}`)).statusCode, 404);
      });

      test('lists users a page at a time with a cursor and filters by userName, search and status', async () => {
        for (const n of ['page-a', 'page-b', 'page-c', 'page-d', 'page-e']) await createUser(n);
        await call('POST', `/api/v1/users/${(await createUser('paged-suspended')).id}/suspend`);
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let i = 0; i < 10; i++) {
          const r = await call(
            'GET',
            `/api/v1/users?search=page-&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}${i === 1 ? '&count=true' : ''}`,
          );
          assert.equal(r.statusCode, 200, r.body);
          const page = body(r) as { items: { userName: string }[]; nextCursor?: string; total?: number };
          assert.equal(page.total, i < 2 ? 5 : undefined, 'counted on the first page and when asked, not otherwise');
          seen.push(...page.items.map((u) => u.userName));
          cursor = page.nextCursor;
          if (!cursor) break;
        }
        assert.deepEqual(seen.sort(), ['page-a', 'page-b', 'page-c', 'page-d', 'page-e']);
        assert.deepEqual(
          body(await call('GET', '/api/v1/users?userName=PAGE-C')).items?.map((u) => u.userName),
          ['page-c'],
        );
        assert.deepEqual(
          body(await call('GET', '/api/v1/users?status=suspended&search=paged')).items?.map((u) => u.userName),
          ['paged-suspended'],
        );
        const badLimit = await call('GET', '/api/v1/users?limit=100000');
        assert.equal(badLimit.statusCode, 400);
        assert.equal(body(badLimit).code, 'invalid_input');
        const badStatus = await call('GET', '/api/v1/users?status=deleted');
        assert.equal(badStatus.statusCode, 400);
        const badCursor = await call('GET', '/api/v1/users?cursor=not-a-cursor');
        assert.equal(badCursor.statusCode, 400);
      });

      test('refuses a userName that differs from an existing one only in case with 409 conflict, leaving one user', async () => {
        await createUser('grace');
        const r = await call('POST', '/api/v1/users', { userName: 'GRACE' });
        assert.equal(r.statusCode, 409);
        assert.equal(body(r).code, 'conflict');
        assert.match(String(body(r).message), /case-insensitive/);
        const list = body(await call('GET', '/api/v1/users?userName=grace'));
        assert.equal(list.items?.length, 1);
        assert.equal(list.items?.[0]?.userName, 'grace');
      });

      test('sets a password only when it meets the policy, and never returns or logs it', async () => {
        const u = await createUser('pw-user');
        const short = await call('PUT', `/api/v1/users/${u.id}/password`, { password: 'short' });
        assert.equal(short.statusCode, 400);
        assert.equal(body(short).code, 'invalid_input');
        assert.equal(await s.store.credentials.getPassword(u.id), null, 'nothing written for a refused password');
        const ok = await call('PUT', `/api/v1/users/${u.id}/password`, { password: 'a long enough password' });
        assert.equal(ok.statusCode, 204);
        assert.match((await s.store.credentials.getPassword(u.id))?.hash ?? '', /^\$argon2id\$/);
        const missing = await call('PUT', '/api/v1/users/no-such-user/password', {
          password: 'a long enough password',
        });
        assert.equal(missing.statusCode, 404);
      });

      test("lists a user's direct and effective (nested) groups", async () => {
        const u = await createUser('nested-member');
        const outer = await createGroup('Outer');
        const inner = await createGroup('Inner');
        await call('POST', `/api/v1/groups/${outer.id}/members`, { kind: 'group', id: inner.id });
        await call('POST', `/api/v1/groups/${inner.id}/members`, { kind: 'user', id: u.id });
        const direct = body(await call('GET', `/api/v1/users/${u.id}/groups`));
        assert.deepEqual(
          direct.items?.map((g) => g.displayName),
          ['Inner'],
        );
        const effective = body(await call('GET', `/api/v1/users/${u.id}/groups?effective=true`));
        assert.deepEqual(effective.items?.map((g) => g.displayName).sort(), ['Inner', 'Outer']);
      });
    });

    describe('groups and memberships', () => {
      test('creates, renames, lists by displayName, and deletes a group', async () => {
        const g = await createGroup('Platform');
        const dup = await call('POST', '/api/v1/groups', { displayName: 'PLATFORM' });
        assert.equal(dup.statusCode, 409);
        const renamed = await call('PATCH', `/api/v1/groups/${g.id}`, {
          displayName: 'Platform Team',
          description: 'runs the platform',
        });
        assert.equal(renamed.statusCode, 200, renamed.body);
        assert.deepEqual(
          body(await call('GET', '/api/v1/groups?displayName=platform%20team')).items?.map((x) => x.id),
          [g.id],
        );
        assert.deepEqual(
          body(await call('GET', '/api/v1/groups?search=platf')).items?.map((x) => x.id),
          [g.id],
        );
        assert.equal((await call('DELETE', `/api/v1/groups/${g.id}`)).statusCode, 204);
        assert.equal((await call('GET', `/api/v1/groups/${g.id}`)).statusCode, 404);
      });

      test('adds, lists and removes user and group members', async () => {
        const g = await createGroup('Members');
        const sub = await createGroup('Members-Sub');
        const u = await createUser('member-1');
        assert.equal(
          (await call('POST', `/api/v1/groups/${g.id}/members`, { kind: 'user', id: u.id })).statusCode,
          204,
        );
        assert.equal(
          (await call('POST', `/api/v1/groups/${g.id}/members`, { kind: 'group', id: sub.id })).statusCode,
          204,
        );
        const members = body(await call('GET', `/api/v1/groups/${g.id}/members`)).items ?? [];
        assert.deepEqual(members.map((m) => `${m.kind}:${m.id}`).sort(), [`group:${sub.id}`, `user:${u.id}`].sort());
        assert.equal((await call('DELETE', `/api/v1/groups/${g.id}/members/user/${u.id}`)).statusCode, 204);
        assert.deepEqual(
          body(await call('GET', `/api/v1/groups/${g.id}/members`)).items?.map((m) => m.id),
          [sub.id],
        );
        const missingUser = await call('POST', `/api/v1/groups/${g.id}/members`, { kind: 'user', id: 'nobody' });
        assert.equal(missingUser.statusCode, 404);
        const badKind = await call('POST', `/api/v1/groups/${g.id}/members`, { kind: 'robot', id: u.id });
        assert.equal(badKind.statusCode, 400);
        assert.equal((await call('GET', '/api/v1/groups/nope/members')).statusCode, 404);
      });

      test('refuses a membership that would make a group contain itself (409 membership_cycle) and writes no edge', async () => {
        const a = await createGroup('Cycle-A');
        const b = await createGroup('Cycle-B');
        const c = await createGroup('Cycle-C');
        await call('POST', `/api/v1/groups/${a.id}/members`, { kind: 'group', id: b.id });
        await call('POST', `/api/v1/groups/${b.id}/members`, { kind: 'group', id: c.id });
        for (const [parent, child] of [
          [c, a],
          [a, a],
        ] as const) {
          const r = await call('POST', `/api/v1/groups/${parent.id}/members`, { kind: 'group', id: child.id });
          assert.equal(r.statusCode, 409, r.body);
          assert.equal(body(r).code, 'membership_cycle');
        }
        assert.deepEqual(body(await call('GET', `/api/v1/groups/${c.id}/members`)).items, []);
        assert.deepEqual(
          body(await call('GET', `/api/v1/groups/${a.id}/members`)).items?.map((m) => m.id),
          [b.id],
        );
      });
    });

    describe('bad input (issue 2): a clear 4xx, the process keeps running, nothing half-written', () => {
      const countUsers = async () => Number(body(await call('GET', '/api/v1/users?limit=1')).total);

      test('answers malformed and empty JSON with 400 malformed_json', async () => {
        const before = await countUsers();
        for (const payload of ['{"userName": ', '{userName: "x"}', '[', 'null garbage']) {
          const r = await call('POST', '/api/v1/users', payload, { 'content-type': 'application/json' });
          assert.equal(r.statusCode, 400, payload);
          assert.equal(body(r).code, 'malformed_json', payload);
        }
        const empty = await call('POST', '/api/v1/users', '', { 'content-type': 'application/json' });
        assert.equal(empty.statusCode, 400);
        assert.equal(await countUsers(), before);
      });

      test('refuses a prototype-polluting body and leaves Object.prototype untouched', async () => {
        const r = await call('POST', '/api/v1/users', '{"userName":"proto","__proto__":{"polluted":true}}', {
          'content-type': 'application/json',
        });
        assert.equal(r.statusCode, 400);
        assert.equal(({} as Record<string, unknown>).polluted, undefined);
      });

      test('answers a body over the configured limit with 413 payload_too_large before parsing it', async () => {
        const before = await countUsers();
        const r = await call('POST', '/api/v1/users', { userName: 'big', displayName: 'x'.repeat(10_000) });
        assert.equal(r.statusCode, 413);
        assert.equal(body(r).code, 'payload_too_large');
        assert.equal(await countUsers(), before);
      });

      test('refuses unknown fields (additionalProperties false) and wrong types without coercion, naming each problem', async () => {
        const before = await countUsers();
        const r = await call('POST', '/api/v1/users', {
          userName: 'mass-assign',
          id: 'chosen-id',
          version: 99,
          isAdmin: true,
        });
        assert.equal(r.statusCode, 400);
        assert.equal(body(r).code, 'invalid_input');
        assert.deepEqual(
          body(r)
            .problems?.map((p) => p.at)
            .sort(),
          ['body.id', 'body.isAdmin', 'body.version'],
        );
        const typed = await call('POST', '/api/v1/users', { userName: 12345 });
        assert.equal(typed.statusCode, 400);
        assert.deepEqual(
          body(typed).problems?.map((p) => p.at),
          ['body.userName'],
        );
        const nestedUnknown = await call('POST', '/api/v1/users', {
          userName: 'n',
          emails: [{ value: 'a@b.c', verified: true }],
        });
        assert.equal(nestedUnknown.statusCode, 400);
        const missing = await call('POST', '/api/v1/users', {});
        assert.deepEqual(body(missing).problems, [{ at: 'body.userName', message: 'is required' }]);
        const emptyPatch = await call('PATCH', '/api/v1/groups/whatever', {});
        assert.equal(emptyPatch.statusCode, 400);
        const unknownQuery = await call('GET', '/api/v1/users?role=admin');
        assert.equal(unknownQuery.statusCode, 400);
        assert.equal(await countUsers(), before);
      });

      test('answers a body that is not JSON with 415 unsupported_media_type', async () => {
        const r = await call('POST', '/api/v1/users', 'userName=x', { 'content-type': 'text/plain' });
        assert.equal(r.statusCode, 415);
        assert.equal(body(r).code, 'unsupported_media_type');
      });

      test('treats SQL-injection strings in every filter and path as plain data', async () => {
        await createUser('sqli-victim');
        const before = await countUsers();
        const attacks = [
          "' OR '1'='1",
          "'; DROP TABLE users; --",
          '%',
          '_',
          '\\',
          '" OR 1=1 --',
          "x') UNION SELECT * FROM api_tokens --",
        ];
        for (const a of attacks) {
          const q = encodeURIComponent(a);
          for (const url of [
            `/api/v1/users?userName=${q}`,
            `/api/v1/users?search=${q}`,
            `/api/v1/groups?displayName=${q}`,
            `/api/v1/groups?search=${q}`,
            `/api/v1/audit?actor=${q}`,
            `/api/v1/audit?target=${q}`,
            `/api/v1/audit?action=${q}`,
          ]) {
            const r = await call('GET', url);
            assert.equal(r.statusCode, 200, `${url}: ${r.body}`);
            assert.equal(body(r).items?.length, 0, url);
          }
          for (const url of [`/api/v1/users?status=${q}`, `/api/v1/users?cursor=${q}`, `/api/v1/audit?since=${q}`]) {
            const r = await call('GET', url);
            assert.equal(r.statusCode, 400, url);
          }
          assert.equal((await call('GET', `/api/v1/users/${q}`)).statusCode, 404);
          assert.equal((await call('DELETE', `/api/v1/groups/${q}`)).statusCode, 404);
        }
        assert.equal(await countUsers(), before);
        assert.equal(body(await call('GET', '/api/v1/users?userName=sqli-victim')).items?.length, 1);
      });

      test('answers an unknown API route with a JSON 404 and keeps serving', async () => {
        const r = await call('GET', '/api/v1/nothing-here');
        assert.equal(r.statusCode, 404);
        assert.equal(body(r).code, 'not_found');
        assert.equal((await s.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
      });
    });

    describe('audit log API', () => {
      test('filters the audit log by actor, target, action and time', async () => {
        const start = new Date().toISOString();
        const u = await createUser('audited');
        await call('PATCH', `/api/v1/users/${u.id}`, { displayName: 'Audited' });
        const byTarget = body(await call('GET', `/api/v1/audit?target=${u.id}`));
        assert.deepEqual(
          byTarget.items?.map((e) => e.action),
          ['user.updated', 'user.created'],
        );
        const updated = byTarget.items?.[0] as {
          before?: { displayName: unknown };
          after?: { displayName: unknown };
          actor: { id: string };
        };
        assert.equal(updated.before?.displayName, null);
        assert.equal(updated.after?.displayName, 'Audited');
        const byAction = body(await call('GET', `/api/v1/audit?action=user.created&target=${u.id}`));
        assert.equal(byAction.items?.length, 1);
        const byActor = body(
          await call(
            'GET',
            `/api/v1/audit?actor=${encodeURIComponent(updated.actor.id)}&since=${encodeURIComponent(start)}`,
          ),
        );
        assert.ok((byActor.items?.length ?? 0) >= 2);
        const future = body(await call('GET', `/api/v1/audit?since=2999-01-01T00:00:00Z`));
        assert.equal(future.items?.length, 0);
        const past = body(await call('GET', `/api/v1/audit?until=2000-01-01T00:00:00Z`));
        assert.equal(past.items?.length, 0);
      });
    });
  });
