import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../program.js';
import { CredentialCache } from './aws-cache.js';

const doc = {
  version: 1 as const,
  signIns: {
    'http://k': {
      token: 'kwc_SECRET-TOKEN',
      userName: 'alice',
      expiresAt: '2999-01-01T00:00:00Z',
      credentials: {
        'prod/admin': {
          accessKeyId: 'ASIAEXAMPLE',
          secretAccessKey: 'SECRET-KEY',
          sessionToken: 'SESSION-TOKEN',
          expiration: '2999-01-01T00:00:00Z',
          assumedRoleArn: 'arn',
        },
      },
    },
  },
};

test('the credential cache is sealed (AES-256-GCM): no token or key in clear text, files 0600', () => {
  const home = mkdtempSync(join(tmpdir(), 'kw-cache-'));
  try {
    const cache = new CredentialCache({ KEYWAY_CLI_HOME: home });
    cache.write(doc);
    const text = readFileSync(join(home, 'aws-credentials.cache'), 'utf8');
    for (const secret of ['SECRET-TOKEN', 'SECRET-KEY', 'SESSION-TOKEN', 'ASIAEXAMPLE'])
      assert.ok(!text.includes(secret));
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
    assert.deepEqual(new CredentialCache({ ...env, KEYWAY_CLI_CACHE_KEY: 'cd'.repeat(32) }).read(), {
      version: 1,
      signIns: {},
    });
    const file = join(home, 'aws-credentials.cache');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.slice(0, -4) + (text.endsWith('AAAA') ? 'BBBB' : 'AAAA'));
    assert.deepEqual(new CredentialCache(env).read(), { version: 1, signIns: {} });
    assert.throws(() => new CredentialCache({ ...env, KEYWAY_CLI_CACHE_KEY: 'short' }), /64 hex digits/);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('keyway aws credentials serves cached credentials until 5 minutes before they expire, then fetches new ones', async () => {
  const home = mkdtempSync(join(tmpdir(), 'kw-cache-'));
  // Nothing listens on the discard port: any fetch fails at once, so a success proves the cache answered.
  const base = 'http://127.0.0.1:9';
  const run = async (...extra: string[]) => {
    const out = { stdout: '', stderr: '' };
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    stdout.on('data', (c: Buffer) => (out.stdout += c.toString()));
    stderr.on('data', (c: Buffer) => (out.stderr += c.toString()));
    const code = await runCli(['aws', 'credentials', '--account', 'Production', '--role', 'Operator', ...extra], {
      env: { KEYWAY_CLI_HOME: home, KEYWAY_URL: base },
      cwd: home,
      stdout,
      stderr,
      stdin: new PassThrough(),
    });
    return { code, ...out };
  };
  const cacheWith = (expiresInMs: number) =>
    new CredentialCache({ KEYWAY_CLI_HOME: home }).write({
      version: 1,
      signIns: {
        [base]: {
          token: 'kwc_x',
          userName: 'carol',
          expiresAt: '2999-01-01T00:00:00Z',
          credentials: {
            'production/operator': {
              accessKeyId: 'ASIACACHED',
              secretAccessKey: 's',
              sessionToken: 't',
              expiration: new Date(Date.now() + expiresInMs).toISOString(),
              assumedRoleArn: 'arn',
            },
          },
        },
      },
    });
  try {
    cacheWith(10 * 60_000);
    const hit = await run();
    assert.equal(hit.code, 0, hit.stderr);
    assert.equal(JSON.parse(hit.stdout).AccessKeyId, 'ASIACACHED');
    const bypass = await run('--no-cache');
    assert.equal(bypass.code, 1);
    assert.equal(bypass.stdout, '');
    cacheWith(4 * 60_000);
    const stale = await run();
    assert.equal(stale.code, 1, 'within 5 minutes of expiry Keyway is asked again');
    assert.equal(stale.stdout, '');
    assert.match(stale.stderr, /^keyway: .+\n$/);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
