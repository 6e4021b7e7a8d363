import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IdcInstance, newInstanceIds } from '../instance.js';
import { createScimHandler } from './handler.js';
import { createMemoryStateStore } from '../../state/state-store.js';
import type { EmulatorResponse } from '../../http/contract.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

function setup(opts: { rate?: number; burst?: number } = {}) {
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const now = () => clock;
  const inst = new IdcInstance(
    newInstanceIds(),
    '111111111111',
    'us-east-1',
    'test',
    { ratePerSecond: opts.rate ?? 0, burst: opts.burst ?? 0 },
    now,
    createMemoryStateStore(),
  );
  const { token, info } = inst.scimTokens.create();
  const handle = createScimHandler({ findTenant: (t) => (t === inst.ids.scimTenantId ? inst : undefined), now });
  const base = `/${inst.ids.scimTenantId}/scim/v2`;
  const call = (method: string, path: string, body?: unknown, tok: string | null = token, tenantBase = base) => {
    const headers: Record<string, string> = { 'content-type': 'application/scim+json' };
    if (tok !== null) headers.authorization = `Bearer ${tok}`;
    const [p, q] = path.split('?');
    const res = handle({
      method,
      path: `${tenantBase}${p}`,
      query: new URLSearchParams(q ?? ''),
      headers,
      remoteAddress: '127.0.0.1',
      body: body === undefined ? Buffer.alloc(0) : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    });
    return res;
  };
  return {
    inst,
    token,
    tokenId: info.tokenId,
    call,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

const parse = (r: EmulatorResponse): Record<string, unknown> =>
  r.body === '' ? {} : (JSON.parse(String(r.body)) as Record<string, unknown>);

function user(userName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemas: [USER],
    userName,
    displayName: `${userName} display`,
    name: { givenName: 'Ada', familyName: 'Lovelace' },
    emails: [{ value: `${userName}@example.com`, type: 'work', primary: true }],
    active: true,
    ...extra,
  };
}

function assertAwsError(r: EmulatorResponse, status: number, detail?: RegExp): void {
  assert.equal(r.status, status, String(r.body));
  const b = parse(r);
  assert.deepEqual(b.schema, ['urn:ietf:params:scim:api:messages:2.0:Error']);
  assert.equal(b.status, String(status));
  assert.equal(typeof b.exceptionRequestId, 'string');
  assert.match(String(b.timeStamp), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
  if (detail) assert.match(String(b.detail), detail);
}

test("creates a user with the required attributes and returns Identity Center's representation (SCIMDG createuser)", () => {
  const { call } = setup();
  const r = call(
    'POST',
    '/Users',
    user('ada@example.com', {
      externalId: 'ext-1',
      [ENT]: { department: 'R&D', manager: { value: 'm1', $ref: 'x' } },
      schemas: [USER, ENT],
    }),
  );
  assert.equal(r.status, 201);
  const b = parse(r);
  assert.match(String(b.id), /^[0-9a-f]{10}-[0-9a-f-]{36}$/);
  assert.deepEqual(b.schemas, [USER, ENT]);
  assert.deepEqual((b.meta as Record<string, unknown>).resourceType, 'User');
  assert.equal((b.meta as Record<string, unknown>).location, undefined);
  assert.deepEqual(b[ENT], { department: 'R&D', manager: { value: 'm1' } });
  assert.equal(r.headers['x-amzn-requestid']?.length, 36);
  const got = parse(call('GET', `/Users/${String(b.id)}`));
  assert.equal(got.userName, 'ada@example.com');
});

test("refuses each violated user constraint with a 400 in AWS's error body and stores nothing (SCIMDG createuser, limitations)", () => {
  const { call, inst } = setup();
  const cases: Array<[string, unknown, RegExp]> = [
    ['missing userName', user('x', { userName: undefined }), /userName/],
    ['missing givenName', user('x', { name: { familyName: 'L' } }), /givenName/],
    ['missing familyName', user('x', { name: { givenName: 'A' } }), /familyName/],
    ['missing displayName', user('x', { displayName: undefined }), /displayName/],
    ['empty displayName', user('x', { displayName: '  ' }), /displayName/],
    [
      'two emails',
      user('x', {
        emails: [
          { value: 'a@x', primary: true },
          { value: 'b@x', primary: false },
        ],
      }),
      /single value/,
    ],
    ['email not primary', user('x', { emails: [{ value: 'a@x', type: 'work' }] }), /primary/],
    ['email display', user('x', { emails: [{ value: 'a@x', primary: true, display: 'A' }] }), /display/],
    ['two phone numbers', user('x', { phoneNumbers: [{ value: '1' }, { value: '2' }] }), /single value/],
    ['two addresses', user('x', { addresses: [{ locality: 'a' }, { locality: 'b' }] }), /single value/],
    ['groups on user', user('x', { groups: [{ value: 'g' }] }), /groups/],
    ['password', user('x', { password: 'hunter2' }), /password/],
    ['ims', user('x', { ims: [{ value: 'x' }] }), /ims/],
    ['unknown attribute', user('x', { favouriteColour: 'blue' }), /not supported/],
    [
      'manager displayName',
      user('x', { schemas: [USER, ENT], [ENT]: { manager: { value: 'm', displayName: 'M' } } }),
      /manager.displayName/,
    ],
    ['forbidden character in userName', user('a<b'), /not allowed/],
    ['forbidden character in displayName', user('x', { displayName: 'A;B' }), /not allowed/],
    ['control character', user('x', { title: 'a\tb' }), /control character/],
    ['space in userName on create', user('a b'), /spaces/],
    ['userName too long', user('u'.repeat(129)), /128/],
    ['missing schemas', user('x', { schemas: undefined }), /schemas/],
    ['roles with display', user('x', { roles: [{ value: 'r', display: 'R' }] }), /not supported/],
    ['non-boolean active', user('x', { active: 'yes' }), /boolean/],
    [
      '__proto__ key',
      '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"p","__proto__":{"polluted":1}}',
      /not allowed/,
    ],
    ['invalid JSON', '{"userName":', /unparsable/],
    ['array body', '[]', /JSON object/],
    ['deep JSON', `{"a":${'['.repeat(40)}${']'.repeat(40)}}`, /deeper/],
  ];
  for (const [name, body, detail] of cases) {
    const r = call('POST', '/Users', body);
    assert.equal(r.status, 400, `${name}: ${String(r.body)}`);
    assertAwsError(r, 400, detail);
  }
  assert.equal(inst.store.userCount(), 0);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('refuses an oversized body before parsing it', () => {
  const { call } = setup();
  assertAwsError(call('POST', '/Users', `{"x":"${'a'.repeat(300 * 1024)}"}`), 400, /exceeds/);
});

test('answers 409 ConflictException for a duplicate userName, case-insensitively, and for a duplicate group displayName', () => {
  const { call, inst } = setup();
  assert.equal(call('POST', '/Users', user('bob@example.com')).status, 201);
  assertAwsError(call('POST', '/Users', user('BOB@example.com')), 409, /User already exists/);
  assert.equal(call('POST', '/Groups', { schemas: [GROUP], displayName: 'Admins' }).status, 201);
  assertAwsError(call('POST', '/Groups', { schemas: [GROUP], displayName: 'admins' }), 409, /Group already exists/);
  assert.equal(inst.store.userCount(), 1);
  assert.equal(inst.store.groupCount(), 1);
});

test('authenticates only a live token of the right tenant, answering 401 otherwise (SCIMDG, SSOUG provision-automatically)', () => {
  const { call, inst, advance, tokenId, token } = setup();
  assertAwsError(call('GET', '/Users', undefined, null), 401);
  assertAwsError(call('GET', '/Users', undefined, 'not-a-token'), 401);
  assertAwsError(call('GET', '/Users', undefined, ''), 401);
  assertAwsError(call('GET', '/Users', undefined, token, '/wrongtenant-0000/scim/v2'), 401);
  assert.equal(call('GET', '/Users').status, 200);
  // A second token works alongside the first (rotation), and a third is refused by the quota.
  const second = inst.scimTokens.create();
  assert.equal(call('GET', '/Users', undefined, second.token).status, 200);
  assert.throws(() => inst.scimTokens.create(), /maximum number/);
  // Revocation takes effect at once.
  assert.equal(inst.scimTokens.revoke(second.info.tokenId), true);
  assertAwsError(call('GET', '/Users', undefined, second.token), 401);
  // Expiry after one year.
  assert.equal(
    inst.scimTokens.list().find((t) => t.tokenId === tokenId)?.expiresAt,
    Date.parse('2027-01-01T00:00:00Z'),
  );
  advance(365 * 24 * 3600 * 1000 - 1);
  assert.equal(call('GET', '/Users').status, 200);
  advance(1);
  assertAwsError(call('GET', '/Users'), 401);
});

test('supports only eq filters on the documented attribute combinations (SCIMDG limitations, listusers, listgroups)', () => {
  const { call } = setup();
  const u = parse(call('POST', '/Users', user('carol@example.com', { externalId: 'c-1' })));
  const g = parse(
    call('POST', '/Groups', { schemas: [GROUP], displayName: 'Devs', externalId: 'g-1', members: [{ value: u.id }] }),
  );
  const list = (p: string) => parse(call('GET', p));
  assert.equal(list('/Users?filter=userName eq "CAROL@example.com"').totalResults, 1);
  assert.equal(list('/Users?filter=externalId eq "c-1"').totalResults, 1);
  assert.equal(list('/Users?filter=userName eq "nobody"').totalResults, 0);
  assert.equal(list(`/Groups?filter=${encodeURIComponent(`displayName eq "devs"`)}`).totalResults, 1);
  assert.equal(list(`/Groups?filter=${encodeURIComponent(`members eq "${String(u.id)}"`)}`).totalResults, 1);
  assert.equal(
    list(`/Groups?filter=${encodeURIComponent(`id eq "${String(g.id)}" and members eq "${String(u.id)}"`)}`)
      .totalResults,
    1,
  );
  for (const f of [
    'userName co "c"',
    'userName eq "a" or userName eq "b"',
    'not (userName eq "a")',
    'emails[type eq "work"]',
    'title eq "x"',
    'userName pr',
    'userName eq 5',
    '(userName eq "a"',
    'userName eq "a" and externalId eq "b"',
    'userName eq "unterminated',
  ]) {
    assertAwsError(call('GET', `/Users?filter=${encodeURIComponent(f)}`), 400);
  }
  assertAwsError(
    call('GET', `/Users?filter=${encodeURIComponent(`${'('.repeat(20)}userName eq "a"${')'.repeat(20)}`)}`),
    400,
    /deeper/,
  );
  assertAwsError(
    call('GET', `/Users?filter=${encodeURIComponent(`userName eq "${'a'.repeat(2000)}"`)}`),
    400,
    /exceeds/,
  );
  assertAwsError(
    call('GET', `/Groups?filter=${encodeURIComponent('members eq "00000000-0000-0000-0000-000000000000"')}`),
    404,
  );
});

test('pages with count ≤100 in the classic form and with cursor in the cursor form (SCIMDG listusers)', () => {
  const { call } = setup();
  for (let i = 0; i < 130; i++) assert.equal(call('POST', '/Users', user(`u${i}@example.com`)).status, 201);
  const classic = parse(call('GET', '/Users?count=500'));
  assert.equal(classic.totalResults, 130);
  assert.equal(classic.itemsPerPage, 100);
  assert.equal(classic.startIndex, 1);
  const seen = new Set<string>();
  let cursor = '';
  for (let i = 0; i < 10; i++) {
    const page = parse(call('GET', `/Users?count=50&cursor=${encodeURIComponent(cursor)}`));
    assert.equal(page.totalResults, undefined);
    for (const r of page.Resources as Array<{ id: string }>) seen.add(r.id);
    if (page.nextCursor === undefined) break;
    cursor = String(page.nextCursor);
  }
  assert.equal(seen.size, 130);
  assertAwsError(call('GET', '/Users?startIndex=101'), 400, /cursor/);
  assert.equal(call('GET', '/Users?startIndex=1&count=2').status, 200);
  assertAwsError(call('GET', '/Users?count=0'), 400);
  assertAwsError(call('GET', '/Users?cursor=%%%'), 400, /cursor/);
  assert.equal(call('GET', '/Groups?excludedAttributes=members').status, 200);
});

test('refuses /Bulk, /Me, /Search and PUT on groups as unsupported operations', () => {
  const { call } = setup();
  for (const [m, p] of [
    ['POST', '/Bulk'],
    ['GET', '/Me'],
    ['POST', '/.search'],
    ['POST', '/Users/.search'],
    ['PUT', '/Groups/abc'],
  ] as const) {
    assertAwsError(call(m, p, {}), 400, /not supported/);
  }
  assert.equal(
    parse(call('GET', '/ServiceProviderConfig')).documentationUri,
    'https://docs.aws.amazon.com/singlesignon/latest/userguide/manage-your-identity-source-idp.html',
  );
  assert.equal((parse(call('GET', '/ResourceTypes')).Resources as unknown[]).length, 2);
  assert.equal(parse(call('GET', `/Schemas/${USER}`)).id, USER);
});

test('patches users with string booleans, filtered paths and the enterprise extension (SCIMDG patchuser)', () => {
  const { call } = setup();
  const u = parse(call('POST', '/Users', user('dan@example.com')));
  const r = call('PATCH', `/Users/${String(u.id)}`, {
    schemas: [PATCH],
    Operations: [
      { op: 'Replace', path: 'active', value: 'False' },
      { op: 'add', path: 'emails[type eq "work"].value', value: 'new@example.com' },
      { op: 'replace', path: 'name.givenName', value: 'Daniel' },
      { op: 'add', path: `${ENT}:manager`, value: 'mgr-1' },
      { op: 'replace', value: { title: 'Engineer', nickName: 'D' } },
      { op: 'remove', path: 'nickName' },
    ],
  });
  assert.equal(r.status, 200, String(r.body));
  const b = parse(r);
  assert.equal(b.active, false);
  assert.deepEqual(b.emails, [{ value: 'new@example.com', primary: true, type: 'work' }]);
  assert.equal((b.name as Record<string, unknown>).givenName, 'Daniel');
  assert.deepEqual(b[ENT], { manager: { value: 'mgr-1' } });
  assert.equal(b.title, 'Engineer');
  assert.equal(b.nickName, undefined);
});

test('refuses each violated PATCH user rule and leaves the user untouched (SCIMDG patchuser)', () => {
  const { call } = setup();
  const u = parse(call('POST', '/Users', user('eve@example.com')));
  const before = call('GET', `/Users/${String(u.id)}`).body;
  const cases: Array<[string, unknown[], RegExp]> = [
    ['remove without path', [{ op: 'remove' }], /requires a 'path'/],
    ['add without value', [{ op: 'add', path: 'title' }], /requires a 'value'/],
    ['missing op', [{ path: 'title', value: 'x' }], /'op'/],
    ['unknown op', [{ op: 'move', path: 'title', value: 'x' }], /add, replace or remove/],
    ['remove userName', [{ op: 'remove', path: 'userName' }], /cannot be removed/],
    ['remove active', [{ op: 'remove', path: 'active' }], /cannot be removed/],
    [
      'two ops on active',
      [
        { op: 'replace', path: 'active', value: false },
        { op: 'replace', path: 'active', value: true },
      ],
      /Only one operation/,
    ],
    ['read-only id', [{ op: 'replace', path: 'id', value: 'other' }], /read-only/],
    ['read-only meta in value', [{ op: 'replace', value: { meta: { created: 'x' } } }], /read-only/],
    ['groups', [{ op: 'add', path: 'groups', value: [{ value: 'g' }] }], /read-only/],
    ['__proto__ path', [{ op: 'add', path: '__proto__.polluted', value: 1 }], /does not exist/],
    ['constructor path', [{ op: 'add', path: 'constructor', value: 1 }], /does not exist/],
    ['unknown attribute', [{ op: 'add', path: 'shoeSize', value: '9' }], /does not exist/],
    ['non-eq path filter', [{ op: 'replace', path: 'emails[type co "w"].value', value: 'x@y' }], /only "eq"/],
    ['second email', [{ op: 'add', path: 'emails[type eq "home"].value', value: 'h@y' }], /single value/],
    ['remove required givenName', [{ op: 'remove', path: 'name.givenName' }], /givenName/],
    ['forbidden char', [{ op: 'replace', path: 'displayName', value: 'a%b' }], /not allowed/],
    [
      'valid then invalid',
      [
        { op: 'replace', path: 'title', value: 'Boss' },
        { op: 'replace', path: 'active', value: 'maybe' },
      ],
      /boolean/,
    ],
  ];
  for (const [name, ops, detail] of cases) {
    const r = call('PATCH', `/Users/${String(u.id)}`, { schemas: [PATCH], Operations: ops });
    assert.equal(r.status, 400, `${name}: ${String(r.body)}`);
    assertAwsError(r, 400, detail);
  }
  assert.deepEqual(parse(call('GET', `/Users/${String(u.id)}`)), JSON.parse(String(before)));
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assertAwsError(
    call('PATCH', '/Users/0000000000-00000000-0000-0000-0000-000000000000', {
      schemas: [PATCH],
      Operations: [{ op: 'replace', path: 'title', value: 'x' }],
    }),
    404,
  );
});

test('PUT replaces a user, allows spaces in userName and answers 409 on a rename onto another user', () => {
  const { call } = setup();
  const a = parse(call('POST', '/Users', user('a@example.com')));
  call('POST', '/Users', user('b@example.com'));
  const r = call('PUT', `/Users/${String(a.id)}`, user('a with space'));
  assert.equal(r.status, 200);
  assert.equal(parse(r).userName, 'a with space');
  assertAwsError(call('PUT', `/Users/${String(a.id)}`, user('B@example.com')), 409);
  assert.equal(parse(call('GET', `/Users/${String(a.id)}`)).userName, 'a with space');
});

test("manages group membership within Identity Center's PATCH rules and returns groups without members (SCIMDG patchgroup, getgroup)", () => {
  const { call, inst } = setup();
  const ids = Array.from({ length: 102 }, (_, i) =>
    String(parse(call('POST', '/Users', user(`m${i}@example.com`))).id),
  );
  assertAwsError(
    call('POST', '/Groups', {
      schemas: [GROUP],
      displayName: 'TooBig',
      members: ids.slice(0, 101).map((value) => ({ value })),
    }),
    400,
    /at most 100/,
  );
  assertAwsError(call('POST', '/Groups', { schemas: [GROUP] }), 400, /displayName/);
  assertAwsError(
    call('POST', '/Groups', {
      schemas: [GROUP],
      displayName: 'Ghost',
      members: [{ value: '0000000000-00000000-0000-0000-0000-000000000000' }],
    }),
    404,
  );
  assert.equal(inst.store.groupCount(), 0);
  const g = parse(
    call('POST', '/Groups', {
      schemas: [GROUP],
      displayName: 'Ops',
      members: ids.slice(0, 2).map((value) => ({ value })),
    }),
  );
  assert.deepEqual(g.members, []);
  assert.deepEqual(parse(call('GET', `/Groups/${String(g.id)}`)).members, []);
  const gid = String(g.id);
  const patch = (ops: unknown[]) => call('PATCH', `/Groups/${gid}`, { schemas: [PATCH], Operations: ops });
  assert.equal(
    patch([
      { op: 'add', path: 'members', value: [{ value: ids[2] }] },
      { op: 'remove', path: `members[value eq "${ids[0]}"]` },
    ]).status,
    204,
  );
  assert.equal(patch([{ op: 'remove', path: 'members', value: [{ value: ids[1] }] }]).status, 204);
  assert.equal(patch([{ op: 'replace', value: { id: gid, displayName: 'Operations' } }]).status, 204);
  assert.deepEqual(
    inst.store.membershipsOfGroup(gid).map((m) => m.userId),
    [ids[2]],
  );
  assert.equal(inst.store.getGroup(gid)?.displayName, 'Operations');
  const bad: Array<[unknown[], number, RegExp]> = [
    [[{ op: 'replace', path: 'members', value: [{ value: ids[3] }] }], 400, /Replacing group members/],
    [[{ op: 'remove', path: 'members' }], 400, /Removing all/],
    [[{ op: 'add', path: 'members', value: ids.slice(0, 101).map((value) => ({ value })) }], 400, /at most 100/],
    [
      [
        { op: 'add', path: 'members', value: [{ value: ids[5] }] },
        { op: 'add', path: 'members', value: [{ value: '0000000000-00000000-0000-0000-0000-000000000000' }] },
      ],
      404,
      /not found/,
    ],
    [
      [
        { op: 'replace', path: 'displayName', value: 'x' },
        { op: 'remove', path: 'displayName' },
      ],
      400,
      /required/,
    ],
    [[{ op: 'add', path: 'description', value: 'x' }], 400, /does not exist/],
    [[{ op: 'replace', value: { id: 'someone-else' } }], 400, /read-only/],
  ];
  for (const [ops, status, detail] of bad) assertAwsError(patch(ops), status, detail);
  call('POST', '/Groups', { schemas: [GROUP], displayName: 'Taken' });
  assertAwsError(
    patch([
      { op: 'add', path: 'members', value: [{ value: ids[6] }] },
      { op: 'replace', path: 'displayName', value: 'TAKEN' },
    ]),
    409,
  );
  assert.deepEqual(
    inst.store.membershipsOfGroup(gid).map((m) => m.userId),
    [ids[2]],
  );
  assert.equal(inst.store.getGroup(gid)?.displayName, 'Operations');
  assertAwsError(
    call('PATCH', '/Groups/0000000000-00000000-0000-0000-0000-000000000000', {
      schemas: [PATCH],
      Operations: [{ op: 'add', path: 'members', value: [{ value: ids[0] }] }],
    }),
    404,
  );
  assert.equal(call('DELETE', `/Groups/${gid}`).status, 204);
  assertAwsError(call('DELETE', `/Groups/${gid}`), 404);
});

test('deleting a user removes it from its groups', () => {
  const { call, inst } = setup();
  const u = parse(call('POST', '/Users', user('f@example.com')));
  const g = parse(call('POST', '/Groups', { schemas: [GROUP], displayName: 'G', members: [{ value: u.id }] }));
  assert.equal(call('DELETE', `/Users/${String(u.id)}`).status, 204);
  assert.equal(inst.store.membershipsOfGroup(String(g.id)).length, 0);
  assertAwsError(call('GET', `/Users/${String(u.id)}`), 404);
});

test('answers 429 ThrottlingException with Retry-After when a tenant exceeds its request rate', () => {
  const { call, advance } = setup({ rate: 5, burst: 3 });
  const statuses = Array.from({ length: 5 }, () => call('GET', '/Users').status);
  assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
  const r = call('GET', '/Users');
  assertAwsError(r, 429, /Rate exceeded/);
  assert.equal(r.headers['retry-after'], '1');
  advance(400);
  assert.equal(call('GET', '/Users').status, 200);
});
