/**
 * The router under hostile input: a seeded stream of random requests (methods, targets, form bodies with stray
 * escapes, garbled Authorization headers) must each get a 4xx answer in the protocol's own format, never a 5xx
 * or a thrown error, and the emulator must still answer a valid request afterwards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DOMParser } from '@xmldom/xmldom';
import { createEmulator } from '../emulator.js';
import { silentLogger } from '../log.js';
import { buildWorld } from '../world/world.js';
import type { EmulatorRequest } from './contract.js';

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = [
  'Action',
  'Version',
  '2010-05-08',
  '2011-06-15',
  'ListRoles',
  'GetRole',
  'RoleName',
  'CreateRole',
  'GetCallerIdentity',
  'AssumeRoleWithSAML',
  '%',
  '%2',
  '%zz',
  '%00',
  '&',
  '=',
  '+',
  '\u00e9',
  '\ud83d\ude00',
  '<',
  '"',
  'member.1',
  'Tags.member.1.Key',
  'MaxItems',
  '-1',
  '99999999999999999999',
  '__proto__',
  'constructor',
  '',
];
const TARGETS = [
  undefined,
  'AWSOrganizationsV20161128.ListAccounts',
  'AWSOrganizationsV20161128.',
  '.',
  'x',
  'AWSOrganizationsV20161128.hasOwnProperty',
  'a.b.c',
];
const AUTHS = [
  undefined,
  'AWS4-HMAC-SHA256',
  'AWS4-HMAC-SHA256 Credential=AKIAEMULATORDEMO0001/20240101/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=' +
    'a'.repeat(64),
  'AWS4-HMAC-SHA256 Credential=/////, SignedHeaders=, Signature=',
  'Basic Zm9vOmJhcg==',
  'AWS4-HMAC-SHA256 Credential=AKIAEMULATORDEMO0001/x/y/z/w, SignedHeaders=host, Signature=zz',
];

test('random malformed requests get 4xx answers in the protocol format and never break the router', async () => {
  const world = buildWorld({
    organization: { id: 'o-abcdefghij', rootId: 'r-ab12', managementAccountId: '111111111111' },
    accounts: [{ id: '111111111111', name: 'M', email: 'm@example.com' }],
  });
  const emulator = createEmulator({ world, logger: silentLogger });
  const rand = prng(20240101);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  for (let i = 0; i < 600; i++) {
    const body = Array.from({ length: Math.floor(rand() * 12) }, () => pick(TOKENS)).join(pick(['', '&', '=']));
    const target = pick(TARGETS);
    const auth = pick(AUTHS);
    const headers: Record<string, string> = {
      host: '127.0.0.1:4566',
      'content-type': pick(['application/x-www-form-urlencoded', 'application/x-amz-json-1.1', 'text/plain', '']),
      ...(target !== undefined ? { 'x-amz-target': target } : {}),
      ...(auth !== undefined ? { authorization: auth } : {}),
      ...(rand() < 0.5 ? { 'x-amz-date': pick(['20240101T000000Z', 'yesterday', '20241301T250000Z']) } : {}),
    };
    const req: EmulatorRequest = {
      method: pick(['POST', 'GET', 'PUT', 'DELETE']),
      path: pick(['/', '/x', '/?Action=ListRoles']),
      query: new URLSearchParams(rand() < 0.3 ? body : ''),
      headers,
      body: Buffer.from(body),
      remoteAddress: '127.0.0.1',
    };
    const res = await emulator.handle(req);
    assert.ok(
      res.status >= 400 && res.status < 500,
      `${res.status} for ${JSON.stringify({ ...req, body })}: ${String(res.body)}`,
    );
    const text = String(res.body);
    if (res.headers['content-type'] === 'text/xml') {
      const doc = new DOMParser({ onError: () => assert.fail(`unparseable XML: ${text}`) }).parseFromString(
        text,
        'text/xml',
      );
      assert.equal(doc.documentElement?.localName, 'ErrorResponse');
    } else {
      assert.equal(typeof (JSON.parse(text) as { __type?: unknown }).__type, 'string', text);
    }
  }
  const ok = await emulator.handle({
    method: 'POST',
    path: '/',
    query: new URLSearchParams(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: Buffer.from('Action=ListRoles&Version=2010-05-08'),
    remoteAddress: '127.0.0.1',
  });
  assert.equal(ok.status, 403, 'a well-formed unsigned request still reaches SigV4 (MissingAuthenticationToken)');
  emulator.close();
});
