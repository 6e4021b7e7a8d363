import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator, identityCenterFactory, silentLogger, type IdentityCenter } from '../../src/aws-emulator/index.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

interface Reply { readonly status: number; readonly json: Record<string, unknown>; readonly headers: Headers }

async function request(base: string, token: string, method: string, path: string, body?: unknown): Promise<Reply> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: res.headers };
}

test('the SCIM endpoint answers over HTTP with AWS\'s error body for expired, revoked and wrong-tenant tokens', async () => {
  let clock = Date.parse('2026-03-01T00:00:00Z');
  let idc: IdentityCenter | undefined;
  const emu = await startEmulator({ logger: silentLogger, now: () => clock, registrations: [identityCenterFactory({}, (x) => { idc = x; })] });
  try {
    const center = idc as IdentityCenter;
    const base = center.scimEndpoint(emu.url);
    const first = center.createScimToken();
    const second = center.createScimToken();
    assert.equal((await request(base, first.token, 'GET', '/ServiceProviderConfig')).status, 200);
    const wrongTenant = await request(`${emu.url}/AAAAAAAAAAA-00000000-0000-0000-0000-000000000000/scim/v2`, first.token, 'GET', '/Users');
    assert.equal(wrongTenant.status, 401);
    assert.deepEqual(Object.keys(wrongTenant.json).sort(), ['detail', 'exceptionRequestId', 'schema', 'status', 'timeStamp']);
    assert.equal(wrongTenant.json.status, '401');
    assert.equal(wrongTenant.headers.get('x-amzn-requestid'), wrongTenant.json.exceptionRequestId);
    center.revokeScimToken(second.info.tokenId);
    assert.equal((await request(base, second.token, 'GET', '/Users')).status, 401);
    assert.deepEqual(center.listScimTokens().map((t) => t.tokenId), [first.info.tokenId]);
    clock += 366 * 24 * 3600 * 1000;
    const expired = await request(base, first.token, 'GET', '/Users');
    assert.equal(expired.status, 401);
    assert.equal(expired.json.status, '401');
  } finally {
    idc?.close();
    await emu.close();
  }
});

/**
 * A client that behaves as Identity Center requires: it honours 429 and Retry-After with bounded retries.
 * Returns the final reply and how many 429s it saw.
 */
async function withRetry(send: () => Promise<Reply>, seen: { throttled: number; bodies: Reply[] }): Promise<Reply> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const r = await send();
    if (r.status !== 429) return r;
    seen.throttled++;
    if (seen.bodies.length < 1) seen.bodies.push(r);
    const after = Number(r.headers.get('retry-after') ?? '1');
    await new Promise((res) => setTimeout(res, Math.min(after, 2) * 250 + Math.random() * 50));
  }
  throw new Error('gave up after 50 throttled attempts');
}

test('1,000 users and 100 groups pushed through SCIM against the rate limit: the emulator answers 429s and a well-behaved client still finishes', async () => {
  let idc: IdentityCenter | undefined;
  // A burst of 5 against 16 clients starting together guarantees 429s even on a slow machine.
  const emu = await startEmulator({ logger: silentLogger, registrations: [identityCenterFactory({ scimRateLimit: { ratePerSecond: 200, burst: 5 } }, (x) => { idc = x; })] });
  try {
    const center = idc as IdentityCenter;
    const base = center.scimEndpoint(emu.url);
    const { token } = center.createScimToken();
    const seen = { throttled: 0, bodies: [] as Reply[] };
    const userIds: string[] = [];
    const jobs = Array.from({ length: 1000 }, (_, i) => i);
    const started = Date.now();
    let requests = 0;
    const worker = async () => {
      for (let i = jobs.shift(); i !== undefined; i = jobs.shift()) {
        const r = await withRetry(() => {
          requests++;
          return request(base, token, 'POST', '/Users', {
            schemas: [USER], userName: `user${i}@example.com`, displayName: `User ${i}`, externalId: `ext-${i}`,
            name: { givenName: 'User', familyName: String(i) }, emails: [{ value: `user${i}@example.com`, type: 'work', primary: true }],
          });
        }, seen);
        assert.equal(r.status, 201, JSON.stringify(r.json));
        userIds[i] = String(r.json.id);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    const groupJobs = Array.from({ length: 100 }, (_, i) => i);
    const groupWorker = async () => {
      for (let g = groupJobs.shift(); g !== undefined; g = groupJobs.shift()) {
        const members = userIds.slice(g * 10, g * 10 + 10).map((value) => ({ value }));
        const r = await withRetry(() => { requests++; return request(base, token, 'POST', '/Groups', { schemas: [GROUP], displayName: `Group ${g}`, members }); }, seen);
        assert.equal(r.status, 201, JSON.stringify(r.json));
      }
    };
    await Promise.all(Array.from({ length: 16 }, groupWorker));
    const elapsed = Date.now() - started;
    assert.equal(center.instance.store.userCount(), 1000);
    assert.equal(center.instance.store.groupCount(), 100);
    assert.ok(seen.throttled > 0, 'the rate limit answered no 429');
    const throttled = seen.bodies[0] as Reply;
    assert.equal(throttled.json.status, '429');
    assert.deepEqual(throttled.json.schema, ['urn:ietf:params:scim:api:messages:2.0:Error']);
    const total = await withRetry(() => request(base, token, 'GET', '/Users?count=1'), seen);
    assert.equal(total.json.totalResults, 1000);
    const g0 = await withRetry(() => request(base, token, 'GET', `/Groups?filter=${encodeURIComponent(`members eq "${userIds[0]}"`)}`), seen);
    assert.equal(g0.json.totalResults, 1);
    console.log(`SCIM push: 1000 users + 100 groups (1000 memberships) in ${elapsed} ms, ${requests} requests, ${seen.throttled} answered 429 (limit 200/s, burst 5)`);
  } finally {
    idc?.close();
    await emu.close();
  }
});

test('over HTTP, each Identity Center SCIM constraint violated once answers AWS\'s status and error body and changes nothing', async () => {
  let idc: IdentityCenter | undefined;
  const emu = await startEmulator({ logger: silentLogger, registrations: [identityCenterFactory({ scimRateLimit: { ratePerSecond: 0, burst: 0 } }, (x) => { idc = x; })] });
  try {
    const center = idc as IdentityCenter;
    const base = center.scimEndpoint(emu.url);
    const { token } = center.createScimToken();
    const call = (m: string, p: string, b?: unknown) => request(base, token, m, p, b);
    const user = (userName: string, extra: Record<string, unknown> = {}) => ({ schemas: [USER], userName, displayName: userName, name: { givenName: 'G', familyName: 'F' }, ...extra });
    const u1 = await call('POST', '/Users', user('one@example.com', { emails: [{ value: 'one@example.com', primary: true }] }));
    const u2 = await call('POST', '/Users', user('two@example.com'));
    const g = await call('POST', '/Groups', { schemas: [GROUP], displayName: 'G1', members: [{ value: u1.json.id }] });
    const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
    const snapshot = async () => JSON.stringify([(await call('GET', '/Users')).json.Resources, (await call('GET', `/Groups?filter=${encodeURIComponent(`members eq "${String(u1.json.id)}"`)}`)).json.totalResults, center.instance.store.membershipsOfGroup(String(g.json.id)).length]);
    const before = await snapshot();
    const cases: Array<[string, string, string, unknown, number]> = [
      ['missing givenName', 'POST', '/Users', user('x@example.com', { name: { familyName: 'F' } }), 400],
      ['missing displayName', 'POST', '/Users', { ...user('x@example.com'), displayName: undefined }, 400],
      ['two emails', 'POST', '/Users', user('x@example.com', { emails: [{ value: 'a@x', primary: true }, { value: 'b@x' }] }), 400],
      ['email not primary', 'POST', '/Users', user('x@example.com', { emails: [{ value: 'a@x' }] }), 400],
      ['forbidden character', 'POST', '/Users', user('x<y@example.com'), 400],
      ['duplicate userName', 'POST', '/Users', user('ONE@example.com'), 409],
      ['duplicate group', 'POST', '/Groups', { schemas: [GROUP], displayName: 'g1' }, 409],
      ['101 members on create', 'POST', '/Groups', { schemas: [GROUP], displayName: 'Big', members: Array.from({ length: 101 }, () => ({ value: u2.json.id })) }, 400],
      ['unsupported filter operator', 'GET', `/Users?filter=${encodeURIComponent('userName sw "o"')}`, undefined, 400],
      ['unsupported filter attribute', 'GET', `/Users?filter=${encodeURIComponent('displayName eq "x"')}`, undefined, 400],
      ['startIndex paging', 'GET', '/Users?startIndex=2', undefined, 400],
      ['bulk', 'POST', '/Bulk', {}, 400],
      ['me', 'GET', '/Me', undefined, 400],
      ['remove without path', 'PATCH', `/Users/${String(u1.json.id)}`, { schemas: [PATCH], Operations: [{ op: 'remove' }] }, 400],
      ['remove userName', 'PATCH', `/Users/${String(u1.json.id)}`, { schemas: [PATCH], Operations: [{ op: 'remove', path: 'userName' }] }, 400],
      ['replace members', 'PATCH', `/Groups/${String(g.json.id)}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'members', value: [{ value: u2.json.id }] }] }, 400],
      ['remove all members', 'PATCH', `/Groups/${String(g.json.id)}`, { schemas: [PATCH], Operations: [{ op: 'remove', path: 'members' }] }, 400],
      ['101 member changes', 'PATCH', `/Groups/${String(g.json.id)}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: Array.from({ length: 101 }, () => ({ value: u2.json.id })) }] }, 400],
      ['prototype path', 'PATCH', `/Users/${String(u1.json.id)}`, { schemas: [PATCH], Operations: [{ op: 'add', path: '__proto__.x', value: 1 }] }, 400],
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
    const ok = await call('PATCH', `/Users/${String(u1.json.id)}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: 'False' }] });
    assert.equal(ok.status, 200);
    assert.equal(ok.json.active, false);
  } finally {
    idc?.close();
    await emu.close();
  }
});
