import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  startEmulator,
  identityCenterFactory,
  silentLogger,
  type IdentityCenter,
} from '../../src/aws-emulator/index.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

interface Reply {
  readonly status: number;
  readonly json: Record<string, unknown>;
  readonly headers: Headers;
}

async function request(base: string, token: string, method: string, path: string, body?: unknown): Promise<Reply> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: res.headers };
}

test("the SCIM endpoint answers over HTTP with AWS's error body for expired, revoked and wrong-tenant tokens", async () => {
  let clock = Date.parse('2026-03-01T00:00:00Z');
  let idc: IdentityCenter | undefined;
  const emu = await startEmulator({
    logger: silentLogger,
    now: () => clock,
    registrations: [
      identityCenterFactory({}, (x) => {
        idc = x;
      }),
    ],
  });
  try {
    const center = idc as IdentityCenter;
    const base = center.scimEndpoint(emu.url);
    const first = center.createScimToken();
    const second = center.createScimToken();
    assert.equal((await request(base, first.token, 'GET', '/ServiceProviderConfig')).status, 200);
    const wrongTenant = await request(
      `${emu.url}/AAAAAAAAAAA-00000000-0000-0000-0000-000000000000/scim/v2`,
      first.token,
      'GET',
      '/Users',
    );
    assert.equal(wrongTenant.status, 401);
    assert.deepEqual(Object.keys(wrongTenant.json).sort(), [
      'detail',
      'exceptionRequestId',
      'schema',
      'status',
      'timeStamp',
    ]);
    assert.equal(wrongTenant.json.status, '401');
    assert.equal(wrongTenant.headers.get('x-amzn-requestid'), wrongTenant.json.exceptionRequestId);
    center.revokeScimToken(second.info.tokenId);
    assert.equal((await request(base, second.token, 'GET', '/Users')).status, 401);
    assert.deepEqual(
      center.listScimTokens().map((t) => t.tokenId),
      [first.info.tokenId],
    );
    clock += 366 * 24 * 3600 * 1000;
    const expired = await request(base, first.token, 'GET', '/Users');
    assert.equal(expired.status, 401);
    assert.equal(expired.json.status, '401');
  } finally {
    idc?.close();
    await emu.close();
  }
});

function assertThrottled(r: Reply, retryAfter: string): void {
  assert.equal(r.status, 429);
  assert.equal(r.headers.get('retry-after'), retryAfter);
  assert.equal(r.headers.get('x-amzn-errortype'), 'ThrottlingException');
  assert.deepEqual(r.json.schema, ['urn:ietf:params:scim:api:messages:2.0:Error']);
  assert.equal(r.json.status, '429');
  assert.equal(r.headers.get('x-amzn-requestid'), r.json.exceptionRequestId);
}

const userBody = (i: number) => ({
  schemas: [USER],
  userName: `user${i}@example.com`,
  displayName: `User ${i}`,
  externalId: `ext-${i}`,
  name: { givenName: 'User', familyName: String(i) },
  emails: [{ value: `user${i}@example.com`, type: 'work', primary: true }],
});

test('the SCIM rate limit is on by default (burst 20): with the clock standing still, of 40 concurrent creates exactly 20 succeed and 20 answer 429 with Retry-After, writing nothing', async () => {
  let idc: IdentityCenter | undefined;
  const clock = Date.parse('2026-03-01T00:00:00Z');
  const emu = await startEmulator({
    logger: silentLogger,
    now: () => clock,
    registrations: [
      identityCenterFactory({}, (x) => {
        idc = x;
      }),
    ],
  });
  try {
    const center = idc as IdentityCenter;
    const base = center.scimEndpoint(emu.url);
    const { token } = center.createScimToken();
    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, i) => request(base, token, 'POST', '/Users', userBody(i))),
    );
    assert.deepEqual(replies.map((r) => r.status).sort(), [...Array(20).fill(201), ...Array(20).fill(429)]);
    for (const r of replies.filter((x) => x.status === 429)) assertThrottled(r, '1');
    assert.equal(center.instance.store.userCount(), 20);
  } finally {
    idc?.close();
    await emu.close();
  }
});

/**
 * Emulated seconds for clients that honour Retry-After: a throttled client waits for the next second, and the
 * emulator's injected clock moves on by Retry-After only once every running client is waiting. Which requests
 * meet 429 then depends only on the request sequence, never on how fast or loaded the machine is.
 */
class EmulatedWait {
  private waiting: Array<() => void> = [];
  private running: number;
  private pendingSeconds = 0;
  ticks = 0;
  constructor(
    clients: number,
    private readonly advance: (seconds: number) => void,
  ) {
    this.running = clients;
  }
  wait(seconds: number): Promise<void> {
    this.pendingSeconds = Math.max(this.pendingSeconds, seconds);
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.release();
    });
  }
  finished(): void {
    this.running--;
    this.release();
  }
  private release(): void {
    if (this.waiting.length === 0 || this.waiting.length < this.running) return;
    this.advance(this.pendingSeconds);
    this.ticks++;
    this.pendingSeconds = 0;
    const go = this.waiting;
    this.waiting = [];
    for (const resolve of go) resolve();
  }
}

/**
 * What a token bucket of `burst` refilled at `burst`/s answers to `clients` concurrent clients that each send
 * until 429, then wait one second: per second `burst` requests succeed and every client still holding work
 * meets one 429.
 */
function modelThrottling(
  phases: readonly number[],
  clients: number,
  burst: number,
): { throttled: number; seconds: number } {
  let tokens = burst;
  let throttled = 0;
  let seconds = 0;
  for (let remaining of phases) {
    for (;;) {
      const ok = Math.min(tokens, remaining);
      remaining -= ok;
      tokens -= ok;
      if (remaining === 0) break;
      throttled += Math.min(clients, remaining);
      tokens = burst;
      seconds++;
    }
  }
  return { throttled, seconds };
}

test('1,000 users and 100 groups pushed by 8 concurrent clients through SCIM against the default rate limit (20/s, burst 20): the emulator answers exactly the 429s the limit implies, none half-written, and clients honouring Retry-After finish', async () => {
  let clock = Date.parse('2026-03-01T00:00:00Z');
  let idc: IdentityCenter | undefined;
  const emu = await startEmulator({
    logger: silentLogger,
    now: () => clock,
    registrations: [
      identityCenterFactory({}, (x) => {
        idc = x;
      }),
    ],
  });
  try {
    const center = idc as IdentityCenter;
    const base = center.scimEndpoint(emu.url);
    const { token } = center.createScimToken();
    const started = Date.now();
    const startClock = clock;
    let requests = 0;
    let throttled = 0;
    const CLIENTS = 8;
    /** Runs `count` jobs on CLIENTS clients; a throttled request is retried (bounded) after the emulated wait. */
    const push = async (
      count: number,
      send: (i: number) => Promise<Reply>,
      check: (i: number, r: Reply) => void,
    ): Promise<void> => {
      const waits = new EmulatedWait(CLIENTS, (seconds) => {
        clock += seconds * 1000;
      });
      let next = 0;
      const client = async (): Promise<void> => {
        for (let i = next++; i < count; i = next++) {
          let r: Reply;
          for (let attempt = 0; ; attempt++) {
            assert.ok(attempt < 5, 'gave up after 5 throttled attempts');
            requests++;
            r = await send(i);
            if (r.status !== 429) break;
            throttled++;
            assertThrottled(r, '1');
            await waits.wait(Number(r.headers.get('retry-after')));
          }
          check(i, r);
        }
        waits.finished();
      };
      await Promise.all(Array.from({ length: CLIENTS }, client));
    };
    const userIds: string[] = [];
    // A create the limit refused must have written nothing: its retry would otherwise meet 409, not 201.
    await push(
      1000,
      (i) => request(base, token, 'POST', '/Users', userBody(i)),
      (i, r) => {
        assert.equal(r.status, 201, JSON.stringify(r.json));
        userIds[i] = String(r.json.id);
      },
    );
    const groupIds: string[] = [];
    await push(
      100,
      (g) =>
        request(base, token, 'POST', '/Groups', {
          schemas: [GROUP],
          displayName: `Group ${g}`,
          members: userIds.slice(g * 10, g * 10 + 10).map((value) => ({ value })),
        }),
      (g, r) => {
        assert.equal(r.status, 201, JSON.stringify(r.json));
        groupIds[g] = String(r.json.id);
      },
    );
    await push(
      1,
      () => request(base, token, 'GET', '/Users?count=1'),
      (_, r) => assert.equal(r.json.totalResults, 1000),
    );
    await push(
      1,
      () => request(base, token, 'GET', `/Groups?filter=${encodeURIComponent(`members eq "${userIds[0]}"`)}`),
      (_, r) => assert.equal(r.json.totalResults, 1),
    );
    const elapsed = Date.now() - started;
    assert.equal(center.instance.store.userCount(), 1000);
    assert.equal(center.instance.store.groupCount(), 100);
    for (const id of groupIds) assert.equal(center.instance.store.membershipsOfGroup(id).length, 10);
    const expected = modelThrottling([1000, 100, 1, 1], CLIENTS, 20);
    assert.deepEqual(expected, { throttled: 433, seconds: 55 });
    assert.equal(throttled, expected.throttled);
    assert.equal(requests, 1102 + expected.throttled);
    assert.equal((clock - startClock) / 1000, expected.seconds);
    console.log(
      `SCIM push: 1000 users + 100 groups (1000 memberships) by ${CLIENTS} clients: ${requests} requests, ${throttled} answered 429 (default limit 20/s, burst 20), ${expected.seconds} s emulated, ${elapsed} ms wall`,
    );
  } finally {
    idc?.close();
    await emu.close();
  }
});

test("over HTTP, each Identity Center SCIM constraint violated once answers AWS's status and error body and changes nothing", async () => {
  let idc: IdentityCenter | undefined;
  const emu = await startEmulator({
    logger: silentLogger,
    registrations: [
      identityCenterFactory({ scimRateLimit: { ratePerSecond: 0, burst: 0 } }, (x) => {
        idc = x;
      }),
    ],
  });
  try {
    const center = idc as IdentityCenter;
    const base = center.scimEndpoint(emu.url);
    const { token } = center.createScimToken();
    const call = (m: string, p: string, b?: unknown) => request(base, token, m, p, b);
    const user = (userName: string, extra: Record<string, unknown> = {}) => ({
      schemas: [USER],
      userName,
      displayName: userName,
      name: { givenName: 'G', familyName: 'F' },
      ...extra,
    });
    const u1 = await call(
      'POST',
      '/Users',
      user('one@example.com', { emails: [{ value: 'one@example.com', primary: true }] }),
    );
    const u2 = await call('POST', '/Users', user('two@example.com'));
    const g = await call('POST', '/Groups', { schemas: [GROUP], displayName: 'G1', members: [{ value: u1.json.id }] });
    const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
    const snapshot = async () =>
      JSON.stringify([
        (await call('GET', '/Users')).json.Resources,
        (await call('GET', `/Groups?filter=${encodeURIComponent(`members eq "${String(u1.json.id)}"`)}`)).json
          .totalResults,
        center.instance.store.membershipsOfGroup(String(g.json.id)).length,
      ]);
    const before = await snapshot();
    const cases: Array<[string, string, string, unknown, number]> = [
      ['missing givenName', 'POST', '/Users', user('x@example.com', { name: { familyName: 'F' } }), 400],
      ['missing displayName', 'POST', '/Users', { ...user('x@example.com'), displayName: undefined }, 400],
      ['missing familyName', 'POST', '/Users', user('x@example.com', { name: { givenName: 'G' } }), 400],
      ['missing userName', 'POST', '/Users', { ...user('x@example.com'), userName: undefined }, 400],
      ['groups on a user', 'POST', '/Users', user('x@example.com', { groups: [{ value: String(g.json.id) }] }), 400],
      [
        'two emails',
        'POST',
        '/Users',
        user('x@example.com', { emails: [{ value: 'a@x', primary: true }, { value: 'b@x' }] }),
        400,
      ],
      ['email not primary', 'POST', '/Users', user('x@example.com', { emails: [{ value: 'a@x' }] }), 400],
      ['forbidden character', 'POST', '/Users', user('x<y@example.com'), 400],
      ['duplicate userName', 'POST', '/Users', user('ONE@example.com'), 409],
      ['duplicate group', 'POST', '/Groups', { schemas: [GROUP], displayName: 'g1' }, 409],
      [
        '101 members on create',
        'POST',
        '/Groups',
        { schemas: [GROUP], displayName: 'Big', members: Array.from({ length: 101 }, () => ({ value: u2.json.id })) },
        400,
      ],
      ['unsupported filter operator', 'GET', `/Users?filter=${encodeURIComponent('userName sw "o"')}`, undefined, 400],
      [
        'unsupported filter attribute',
        'GET',
        `/Users?filter=${encodeURIComponent('displayName eq "x"')}`,
        undefined,
        400,
      ],
      ['startIndex paging', 'GET', '/Users?startIndex=2', undefined, 400],
      ['bulk', 'POST', '/Bulk', {}, 400],
      ['search', 'POST', '/.search', {}, 400],
      ['put group', 'PUT', `/Groups/${String(g.json.id)}`, { schemas: [GROUP], displayName: 'G1' }, 400],
      [
        'filter on a member that does not exist',
        'GET',
        `/Groups?filter=${encodeURIComponent('members eq "0000000000-00000000-0000-0000-0000-000000000000"')}`,
        undefined,
        404,
      ],
      [
        'two operations on active',
        'PATCH',
        `/Users/${String(u1.json.id)}`,
        {
          schemas: [PATCH],
          Operations: [
            { op: 'replace', path: 'active', value: 'false' },
            { op: 'replace', path: 'active', value: 'true' },
          ],
        },
        400,
      ],
      ['me', 'GET', '/Me', undefined, 400],
      [
        'remove without path',
        'PATCH',
        `/Users/${String(u1.json.id)}`,
        { schemas: [PATCH], Operations: [{ op: 'remove' }] },
        400,
      ],
      [
        'remove userName',
        'PATCH',
        `/Users/${String(u1.json.id)}`,
        { schemas: [PATCH], Operations: [{ op: 'remove', path: 'userName' }] },
        400,
      ],
      [
        'replace members',
        'PATCH',
        `/Groups/${String(g.json.id)}`,
        { schemas: [PATCH], Operations: [{ op: 'replace', path: 'members', value: [{ value: u2.json.id }] }] },
        400,
      ],
      [
        'remove all members',
        'PATCH',
        `/Groups/${String(g.json.id)}`,
        { schemas: [PATCH], Operations: [{ op: 'remove', path: 'members' }] },
        400,
      ],
      [
        '101 member changes',
        'PATCH',
        `/Groups/${String(g.json.id)}`,
        {
          schemas: [PATCH],
          Operations: [
            { op: 'add', path: 'members', value: Array.from({ length: 101 }, () => ({ value: u2.json.id })) },
          ],
        },
        400,
      ],
      [
        '101 member changes over two operations',
        'PATCH',
        `/Groups/${String(g.json.id)}`,
        {
          schemas: [PATCH],
          Operations: [
            { op: 'add', path: 'members', value: Array.from({ length: 51 }, () => ({ value: u2.json.id })) },
            { op: 'remove', path: 'members', value: Array.from({ length: 50 }, () => ({ value: u1.json.id })) },
          ],
        },
        400,
      ],
      [
        'prototype path',
        'PATCH',
        `/Users/${String(u1.json.id)}`,
        { schemas: [PATCH], Operations: [{ op: 'add', path: '__proto__.x', value: 1 }] },
        400,
      ],
      ['unknown user', 'GET', '/Users/0000000000-00000000-0000-0000-0000-000000000000', undefined, 404],
    ];
    for (const [name, method, path, body, status] of cases) {
      const r = await call(method, path, body);
      assert.equal(r.status, status, `${name}: ${JSON.stringify(r.json)}`);
      assert.deepEqual(r.json.schema, ['urn:ietf:params:scim:api:messages:2.0:Error'], name);
      assert.equal(r.json.status, String(status), name);
      assert.equal(typeof r.json.detail, 'string', name);
      assert.equal(r.headers.get('content-type'), 'application/json', name);
    }
    assert.equal(await snapshot(), before);
    const ok = await call('PATCH', `/Users/${String(u1.json.id)}`, {
      schemas: [PATCH],
      Operations: [{ op: 'replace', path: 'active', value: 'False' }],
    });
    assert.equal(ok.status, 200);
    assert.equal(ok.json.active, false);
  } finally {
    idc?.close();
    await emu.close();
  }
});
