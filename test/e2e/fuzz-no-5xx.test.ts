/**
 * Property-based fuzzing of every endpoint that reads outside input (issue 11 finding 4): Keyway's sign-in, SSO,
 * SLO, admin API and CLI endpoints, and the emulator's Query, JSON 1.1, SCIM and sign-in endpoints. Whatever
 * arrives, the answer is never a 5xx, the process keeps serving, and nothing half-written is left behind.
 * Seeded and bounded (fast-check), so a failure replays exactly.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startEmulator } from '../../src/aws-emulator/index.js';
import type { RunningEmulator } from '../../src/aws-emulator/index.js';
import { startTestServer } from '../../src/server/testing.js';
import type { TestServer } from '../../src/server/testing.js';

const SEED = 20261208;
const RUNS = 600;

/** Text with the characters that broke things before: controls, Latin-1, beyond U+00FF, lone surrogates, BOMs. */
const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({
    unit: fc.constantFrom(
      '\u0000',
      '\u0001',
      '\u00e9',
      '\u0101',
      '\ud800',
      '\udfff',
      '\ufeff',
      '\uffff',
      '%',
      '&',
      '<',
      '"',
      '/',
      '\\',
      '=',
      '+',
    ),
    maxLength: 20,
  }),
  fc.constantFrom('', '/', '//evil.example', '/%C4%81', '%', '%E0%A4%A', 'null', '[]', '{}', '__proto__'),
);
/** A percent-encoding of arbitrary bytes (possibly not UTF-8). */
const rawBytes = fc
  .uint8Array({ maxLength: 60 })
  .map((b) => [...b].map((x) => `%${x.toString(16).padStart(2, '0')}`).join(''));
const formBody = fc.dictionary(
  fc.oneof(
    nasty,
    fc.constantFrom(
      'userName',
      'password',
      'csrf',
      'returnTo',
      'SAMLRequest',
      'SAMLResponse',
      'RelayState',
      'Action',
      'Version',
      'SAMLAssertion',
      'RoleArn',
      'PrincipalArn',
    ),
  ),
  fc.oneof(nasty, rawBytes),
  { maxKeys: 6 },
);
const encodeForm = (d: Record<string, string>) =>
  Object.entries(d)
    .map(([k, v]) => {
      const enc = (s: string) => {
        try {
          return encodeURIComponent(s);
        } catch {
          return s.replace(/[^\x21-\x7e]/g, '%FF');
        }
      };
      return `${enc(k)}=${/^(%[0-9a-f]{2})*$/.test(v) ? v : enc(v)}`;
    })
    .join('&');
const jsonish = fc.oneof(
  fc.json({ maxDepth: 3 }),
  nasty,
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ userName: v, displayName: v, emails: v, attributes: v })),
);

const pick = <T>(items: readonly T[]) => fc.constantFrom(...items);

describe('fuzz: no 5xx for any input, and the process keeps serving', () => {
  let s: TestServer;
  let emulator: RunningEmulator;
  before(async () => {
    s = await startTestServer();
    emulator = await startEmulator({ registrations: [] });
  });
  after(async () => {
    await s.close();
    await emulator.close();
  });

  test(`Keyway: sign-in, SSO, SLO, admin API and CLI endpoints (${RUNS * 2} cases, seed ${SEED})`, async () => {
    const auth = { authorization: `Bearer ${s.token}` };
    const before = (await s.store.directory.listUsers({ limit: 500 })).items.length;
    const formTargets = [
      '/signin',
      '/signin/otp',
      '/saml/sso',
      '/saml/slo',
      '/saml/logout',
      '/signout',
      '/saml/slo/confirm',
      '/aws/cli/approve',
    ];
    const getTargets = [
      '/signin?returnTo=',
      '/saml/sso?SAMLRequest=',
      '/saml/slo?SAMLRequest=',
      '/saml/slo?SAMLResponse=',
      '/saml/slo/resume?t=',
      '/aws/cli/approve?code=',
    ];
    const jsonTargets = [
      '/api/v1/users',
      '/api/v1/groups',
      '/aws/cli/sign-in',
      '/aws/cli/device',
      '/aws/cli/device/token',
      '/aws/cli/assertion',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({ kind: fc.constant('form' as const), url: pick(formTargets), body: formBody }),
          fc.record({ kind: fc.constant('get' as const), url: pick(getTargets), value: fc.oneof(nasty, rawBytes) }),
          fc.record({ kind: fc.constant('json' as const), url: pick(jsonTargets), body: jsonish, admin: fc.boolean() }),
          fc.record({
            kind: fc.constant('path' as const),
            method: pick(['GET', 'PATCH', 'PUT', 'DELETE'] as const),
            id: fc.oneof(nasty, rawBytes),
            body: jsonish,
          }),
        ),
        async (c) => {
          const r =
            c.kind === 'form'
              ? await s.app.inject({
                  method: 'POST',
                  url: c.url,
                  headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
                  payload: encodeForm(c.body),
                })
              : c.kind === 'get'
                ? await s.app.inject({
                    method: 'GET',
                    url: `${c.url}${/^(%[0-9a-f]{2})*$/.test(c.value) ? c.value : encodeURIComponent(c.value.replace(/[\ud800-\udfff]/g, '?'))}`,
                  })
                : c.kind === 'json'
                  ? await s.app.inject({
                      method: 'POST',
                      url: c.url,
                      headers: { 'content-type': 'application/json', ...(c.admin ? auth : {}) },
                      payload: c.body,
                    })
                  : await s.app.inject({
                      method: c.method,
                      url: `/api/v1/users/${/^(%[0-9a-f]{2})*$/.test(c.id) ? c.id || 'x' : encodeURIComponent(c.id.replace(/[\ud800-\udfff]/g, '?')) || 'x'}`,
                      headers: { 'content-type': 'application/json', ...auth },
                      ...(c.method === 'GET' || c.method === 'DELETE' ? {} : { payload: c.body }),
                    });
          assert.ok(r.statusCode < 500, `${JSON.stringify(c)} → ${r.statusCode} ${r.body.slice(0, 300)}`);
        },
      ),
      { seed: SEED, numRuns: RUNS * 2, endOnFailure: true },
    );
    assert.equal((await s.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200, 'still serving');
    const users = (await s.store.directory.listUsers({ limit: 500 })).items;
    for (const u of users.slice(before)) {
      const audited = await s.store.audit.query({ action: 'user.created', targetId: u.id });
      assert.equal(audited.items.length, 1, `user ${u.id} was created with its audit record`);
    }
  });

  test(`emulator: Query, JSON 1.1, SCIM and sign-in endpoints (${RUNS * 2} cases, seed ${SEED})`, async () => {
    const targets = [
      'AWSOrganizationsV20161128.ListAccounts',
      'SWBExternalService.ListInstances',
      'AWSIdentityStore.ListUsers',
      'Nope.Nothing',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({
            kind: fc.constant('query' as const),
            body: formBody,
            action: pick([
              'AssumeRoleWithSAML',
              'CreateRole',
              'GetRole',
              'CreateSAMLProvider',
              'PutRolePolicy',
              'ListRoles',
              'Nope',
            ]),
            version: pick(['2011-06-15', '2010-05-08', 'x']),
          }),
          fc.record({ kind: fc.constant('json' as const), target: pick(targets), body: jsonish }),
          fc.record({
            kind: fc.constant('scim' as const),
            path: pick(['/t-x/scim/v2/Users', '/t-x/scim/v2/Groups', '/scim/v2/Users']),
            body: jsonish,
            method: pick(['POST', 'PATCH', 'GET'] as const),
            filter: nasty,
          }),
          fc.record({ kind: fc.constant('signin' as const), body: formBody }),
        ),
        async (c) => {
          const url = emulator.url;
          const res =
            c.kind === 'query'
              ? await fetch(`${url}/`, {
                  method: 'POST',
                  headers: { 'content-type': 'application/x-www-form-urlencoded' },
                  body: `Action=${c.action}&Version=${c.version}&${encodeForm(c.body)}`,
                })
              : c.kind === 'json'
                ? await fetch(`${url}/`, {
                    method: 'POST',
                    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': c.target },
                    body: c.body,
                  })
                : c.kind === 'scim'
                  ? await fetch(
                      `${url}${c.path}${c.method === 'GET' ? `?filter=${encodeURIComponent(c.filter.replace(/[\ud800-\udfff]/g, '?'))}` : ''}`,
                      {
                        method: c.method,
                        headers: { 'content-type': 'application/scim+json', authorization: 'Bearer not-a-token' },
                        ...(c.method === 'GET' ? {} : { body: c.body }),
                      },
                    )
                  : await fetch(`${url}/saml`, {
                      method: 'POST',
                      headers: { 'content-type': 'application/x-www-form-urlencoded' },
                      body: encodeForm(c.body),
                    });
          const text = await res.text();
          assert.ok(res.status < 500, `${JSON.stringify(c)} → ${res.status} ${text.slice(0, 300)}`);
        },
      ),
      { seed: SEED, numRuns: RUNS * 2, endOnFailure: true },
    );
    const direct = await fetch(`${emulator.url}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=AssumeRoleWithSAML&Version=2011-06-15&SAMLAssertion=%01',
    });
    assert.equal(direct.status, 400, 'the input from the report');
    assert.match(await direct.text(), /U\+0001|<Code>/);
  });
});
