import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CredentialCache } from './aws-cache.js';

const doc = { version: 1 as const, signIns: { 'http://k': { token: 'kwc_SECRET-TOKEN', userName: 'alice', expiresAt: '2999-01-01T00:00:00Z', credentials: { 'prod/admin': { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'SECRET-KEY', sessionToken: 'SESSION-TOKEN', expiration: '2999-01-01T00:00:00Z', assumedRoleArn: 'arn' } } } } };

test('the credential cache is sealed (AES-256-GCM): no token or key in clear text, files 0600', () => {
  const home = mkdtempSync(join(tmpdir(), 'kw-cache-'));
  try {
    const cache = new CredentialCache({ KEYWAY_CLI_HOME: home });
    cache.write(doc);
    const text = readFileSync(join(home, 'aws-credentials.cache'), 'utf8');
    for (const secret of ['SECRET-TOKEN', 'SECRET-KEY', 'SESSION-TOKEN', 'ASIAEXAMPLE']) assert.ok(!text.includes(secret));
    assert.equal(statSync(join(home, 'aws-credentials.cache')).mode & 0o777, 0o600);
    assert.equal(statSync(join(home, 'cli-cache.key')).mode & 0o777, 0o600);
    assert.deepEqual(new CredentialCache({ KEYWAY_CLI_HOME: home }).read(), doc);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('with KEYWAY_CLI_CACHE_KEY no key is written to disk; another key or a tampered file reads as empty', () => {
  const home = mkdtempSync(join(tmpdir(), 'kw-cache-'));
  try {
    const env = { KEYWAY_CLI_HOME: home, KEYWAY_CLI_CACHE_KEY: 'ab'.repeat(32) };
    new CredentialCache(env).write(doc);
    assert.throws(() => statSync(join(home, 'cli-cache.key')));
    assert.deepEqual(new CredentialCache(env).read(), doc);
    assert.deepEqual(new CredentialCache({ ...env, KEYWAY_CLI_CACHE_KEY: 'cd'.repeat(32) }).read(), { version: 1, signIns: {} });
    const file = join(home, 'aws-credentials.cache');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.slice(0, -4) + (text.endsWith('AAAA') ? 'BBBB' : 'AAAA'));
    assert.deepEqual(new CredentialCache(env).read(), { version: 1, signIns: {} });
    assert.throws(() => new CredentialCache({ ...env, KEYWAY_CLI_CACHE_KEY: 'short' }), /64 hex digits/);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
