import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import type { EmulatorRequest } from './contract.js';
import { parseAuthorization, SigV4Failure, verifySigV4 } from './sigv4.js';
import type { KnownCredential } from './sigv4.js';

const KEY = { accessKeyId: 'AKIAEXAMPLEKEY000001', secretAccessKey: 'example-secret-key-0001' };
const known: KnownCredential = {
  secretAccessKey: KEY.secretAccessKey,
  principal: { accountId: '111111111111', principalArn: 'arn:aws:iam::111111111111:root', userId: '111111111111' },
};
const lookup = (id: string): KnownCredential | undefined => (id === KEY.accessKeyId ? known : undefined);
const NOW = Date.UTC(2024, 0, 2, 3, 4, 5);

/**
 * Headers exactly as AWS CLI 2.9.19 sends a Query call (captured from the real client): no x-amz-content-sha256,
 * Python-style header case.
 */
async function cliStyleRequest(body: string, service = 'iam', at = NOW): Promise<EmulatorRequest> {
  const headers: Record<string, string> = {
    host: '127.0.0.1:4566',
    'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
  };
  const signer = new SignatureV4({
    credentials: KEY,
    region: 'us-east-1',
    service,
    sha256: Sha256,
    applyChecksum: false,
  });
  const signed = await signer.sign(
    { method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port: 4566, path: '/', query: {}, headers, body },
    { signingDate: new Date(at) },
  );
  const lower: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) lower[k.toLowerCase()] = v;
  return {
    method: 'POST',
    path: '/',
    query: new URLSearchParams(),
    headers: {
      ...lower,
      'user-agent': 'aws-cli/2.9.19',
      'accept-encoding': 'identity',
      'content-length': String(Buffer.byteLength(body)),
    },
    body: Buffer.from(body),
    remoteAddress: '127.0.0.1',
  };
}

async function failure(req: EmulatorRequest, service = 'iam', now = NOW): Promise<SigV4Failure> {
  try {
    await verifySigV4(req, service, lookup, now);
  } catch (e) {
    assert.ok(e instanceof SigV4Failure);
    return e;
  }
  assert.fail('verification passed');
}

describe('SigV4 verification (AWS General Reference, Signature Version 4)', () => {
  test('accepts a signature over exactly the signed headers, ignoring unsigned ones the client adds', async () => {
    const req = await cliStyleRequest('Action=ListRoles&Version=2010-05-08');
    assert.match(req.headers.authorization ?? '', /SignedHeaders=content-type;host;x-amz-date,/);
    const verified = await verifySigV4(req, 'iam', lookup, NOW + 60_000);
    assert.equal(verified.principal.accountId, '111111111111');
    assert.equal(verified.region, 'us-east-1');
  });

  test('rejects a changed body, a changed signed header and a wrong secret as mismatch', async () => {
    const req = await cliStyleRequest('Action=ListRoles&Version=2010-05-08');
    assert.equal(
      (await failure({ ...req, body: Buffer.from('Action=ListRoles&Version=2010-05-09') })).kind,
      'mismatch',
    );
    assert.equal((await failure({ ...req, headers: { ...req.headers, host: 'evil:1' } })).kind, 'mismatch');
    const wrong = { ...known, secretAccessKey: 'other' };
    await assert.rejects(
      verifySigV4(req, 'iam', () => wrong, NOW),
      (e: SigV4Failure) => e.kind === 'mismatch',
    );
  });

  test('refuses an x-amz-content-sha256 that is not the body hash, UNSIGNED-PAYLOAD included, so the body is always signed', async () => {
    const body = 'Action=ListRoles&Version=2010-05-08';
    const signer = new SignatureV4({
      credentials: KEY,
      region: 'us-east-1',
      service: 'iam',
      sha256: Sha256,
      applyChecksum: false,
    });
    const signedWith = async (payloadHash: string): Promise<EmulatorRequest> => {
      const headers = {
        host: '127.0.0.1:4566',
        'content-type': 'application/x-www-form-urlencoded',
        'x-amz-content-sha256': payloadHash,
      };
      const signed = await signer.sign(
        { method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port: 4566, path: '/', query: {}, headers, body },
        { signingDate: new Date(NOW) },
      );
      return {
        method: 'POST',
        path: '/',
        query: new URLSearchParams(),
        headers: signed.headers as Record<string, string>,
        body: Buffer.from(body),
        remoteAddress: '127.0.0.1',
      };
    };
    const honest = await signedWith(createHash('sha256').update(body).digest('hex'));
    assert.equal(
      (await verifySigV4(honest, 'iam', lookup, NOW)).principal.accountId,
      '111111111111',
      'the SDK form (real body hash) verifies',
    );
    const unsigned = await signedWith('UNSIGNED-PAYLOAD');
    assert.equal((await failure(unsigned)).kind, 'mismatch');
    assert.equal(
      (await failure({ ...unsigned, body: Buffer.from('Action=DeleteRole&Version=2010-05-08&RoleName=Admin') })).kind,
      'mismatch',
    );
  });

  test('checks the credential scope: service, date and terminator', async () => {
    const req = await cliStyleRequest('Action=GetCallerIdentity&Version=2011-06-15', 'sts');
    assert.match((await failure(req, 'iam')).message, /scoped to correct service: 'iam'/);
    const otherDate = {
      ...req,
      headers: { ...req.headers, authorization: (req.headers.authorization ?? '').replace('/20240102/', '/20240101/') },
    };
    assert.match((await failure(otherDate, 'sts')).message, /Date in Credential scope does not match/);
  });

  test('allows 15 minutes of clock skew either way, then reports "Signature expired"', async () => {
    const req = await cliStyleRequest('Action=ListRoles&Version=2010-05-08');
    await verifySigV4(req, 'iam', lookup, NOW + 14 * 60_000);
    await verifySigV4(req, 'iam', lookup, NOW - 14 * 60_000);
    assert.match(
      (await failure(req, 'iam', NOW + 16 * 60_000)).message,
      /^Signature expired: 20240102T030405Z is now earlier than/,
    );
    assert.match((await failure(req, 'iam', NOW - 16 * 60_000)).message, /^Signature not yet current/);
  });

  test('classifies missing, incomplete and unknown credentials', async () => {
    const req = await cliStyleRequest('Action=ListRoles&Version=2010-05-08');
    const { authorization: _a, ...noAuth } = req.headers;
    assert.equal((await failure({ ...req, headers: noAuth })).kind, 'missing');
    const { 'x-amz-date': _d, ...noDate } = req.headers;
    assert.equal((await failure({ ...req, headers: noDate })).kind, 'incomplete');
    assert.equal(
      (await failure({ ...req, headers: { ...req.headers, 'x-amz-date': '2024-01-02' } })).kind,
      'incomplete',
    );
    const unknownKey = {
      ...req,
      headers: {
        ...req.headers,
        authorization: (req.headers.authorization ?? '').replace(KEY.accessKeyId, 'AKIAUNKNOWN'),
      },
    };
    assert.equal((await failure(unknownKey)).kind, 'unknown-key');
  });

  test('temporary credentials need the exact session token and must not be expired', async () => {
    const temp: KnownCredential = { ...known, sessionToken: 'token-abc', expiration: NOW + 1000 };
    const req = await cliStyleRequest('Action=ListRoles&Version=2010-05-08');
    await assert.rejects(
      verifySigV4(req, 'iam', () => temp, NOW),
      (e: SigV4Failure) => e.kind === 'invalid-token',
    );
    const withToken = { ...req, headers: { ...req.headers, 'x-amz-security-token': 'token-abc' } };
    await assert.rejects(
      verifySigV4(withToken, 'iam', () => temp, NOW + 1000),
      (e: SigV4Failure) => e.kind === 'expired-token',
    );
    await verifySigV4(withToken, 'iam', () => temp, NOW);
    await assert.rejects(
      verifySigV4(withToken, 'iam', lookup, NOW),
      (e: SigV4Failure) => e.kind === 'invalid-token',
      'a token next to a long-term key',
    );
  });

  test('parses Authorization headers strictly', () => {
    assert.throws(
      () => parseAuthorization('AWS4-HMAC-SHA1 Credential=a/b/c/d/e, SignedHeaders=host, Signature=00'),
      /Unsupported AWS 'algorithm'/,
    );
    assert.throws(
      () => parseAuthorization('AWS4-HMAC-SHA256 SignedHeaders=host'),
      /requires 'Credential' parameter.*requires 'Signature' parameter/,
    );
    assert.throws(
      () => parseAuthorization(`AWS4-HMAC-SHA256 Credential=a/b/c, SignedHeaders=host, Signature=${'0'.repeat(64)}`),
      /5 slash-delimited/,
    );
    const parsed = parseAuthorization(
      `AWS4-HMAC-SHA256 Credential=AKIA/20240102/eu-west-1/sso/aws4_request,SignedHeaders=host;x-amz-date,Signature=${'a'.repeat(64)}`,
    );
    assert.deepEqual(
      [parsed.service, parsed.region, parsed.signedHeaders],
      ['sso', 'eu-west-1', ['host', 'x-amz-date']],
    );
  });
});
