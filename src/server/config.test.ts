import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, deriveKey, loadConfig, renderDefaultsFile } from './config.js';

const key = 'a'.repeat(64);
const tmp = () => mkdtempSync(join(tmpdir(), 'keyway-config-'));

test('fills every setting with its documented default and derives the base URL from host and port', () => {
  const c = loadConfig({ KEYWAY_MASTER_KEY: key }, { cwd: tmp() });
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.port, 8080);
  assert.equal(c.baseUrl, 'http://127.0.0.1:8080');
  assert.equal(c.secureCookies, false);
  assert.equal(c.sessionIdleMinutes, 60);
  assert.equal(c.lockoutUserLockAfter, 10);
  assert.match(c.databaseUrl, /^sqlite:.*\.keyway\/keyway\.db$/);
  assert.deepEqual(c.warnings, []);
  assert.equal(loadConfig({ KEYWAY_MASTER_KEY: key, PORT: '9090' }, { cwd: tmp() }).baseUrl, 'http://127.0.0.1:9090');
});

test('marks cookies Secure when the public base URL is https and strips the trailing slash', () => {
  const c = loadConfig({ KEYWAY_MASTER_KEY: key, KEYWAY_BASE_URL: 'https://id.example.com/' }, { cwd: tmp() });
  assert.equal(c.baseUrl, 'https://id.example.com');
  assert.equal(c.secureCookies, true);
});

test('reports every invalid value at once, naming the variable, without echoing secrets', () => {
  assert.throws(
    () =>
      loadConfig(
        {
          KEYWAY_MASTER_KEY: 'super-secret-but-short',
          KEYWAY_PORT: 'eighty',
          KEYWAY_LOG_LEVEL: 'loud',
          KEYWAY_BASE_URL: 'ftp://x',
        },
        { cwd: tmp() },
      ),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.problems.length, 4);
      assert.match(e.message, /KEYWAY_PORT: must be a whole number/);
      assert.match(e.message, /KEYWAY_LOG_LEVEL: must be one of/);
      assert.match(e.message, /KEYWAY_MASTER_KEY: invalid value/);
      assert.doesNotMatch(e.message, /super-secret/);
      return true;
    },
  );
});

test('reads secrets from *_FILE variables and values from KEYWAY_CONFIG_FILE, the environment winning', () => {
  const dir = tmp();
  writeFileSync(join(dir, 'key'), `${key}\n`);
  writeFileSync(join(dir, 'keyway.env'), '# comment\nKEYWAY_PORT=7000\nKEYWAY_LOG_LEVEL="debug"\n');
  const c = loadConfig(
    { KEYWAY_MASTER_KEY_FILE: 'key', KEYWAY_CONFIG_FILE: 'keyway.env', KEYWAY_LOG_LEVEL: 'warn' },
    { cwd: dir },
  );
  assert.equal(c.masterKey.toString('hex'), key);
  assert.equal(c.port, 7000);
  assert.equal(c.logLevel, 'warn');
  assert.throws(
    () => loadConfig({ KEYWAY_MASTER_KEY_FILE: 'missing' }, { cwd: dir }),
    /KEYWAY_MASTER_KEY_FILE: cannot read missing \(ENOENT\)/,
  );
  assert.throws(() => loadConfig({ KEYWAY_MASTER_KEY_FILE: 'key', KEYWAY_MASTER_KEY: key }, { cwd: dir }), /both set/);
});

test('generates a private development master key once, reuses it, and warns loudly about it', () => {
  const dir = tmp();
  const a = loadConfig({}, { cwd: dir });
  const b = loadConfig({}, { cwd: dir });
  assert.deepEqual(a.masterKey, b.masterKey);
  assert.equal(statSync(join(dir, '.keyway', 'master.key')).mode & 0o777, 0o600);
  assert.match(a.warnings.join('\n'), /INSECURE: no KEYWAY_MASTER_KEY/);
  assert.throws(
    () => loadConfig({}, { cwd: tmp(), generateMasterKey: false }),
    /KEYWAY_MASTER_KEY or KEYWAY_MASTER_KEY_FILE must be set/,
  );
  assert.match(
    loadConfig({ KEYWAY_MASTER_KEY: key, KEYWAY_HOST: '0.0.0.0' }, { cwd: dir }).warnings.join('\n'),
    /INSECURE: listening on 0.0.0.0/,
  );
});

test('derives distinct per-purpose keys from the master key (RFC 5869)', () => {
  const c = loadConfig({ KEYWAY_MASTER_KEY: key }, { cwd: tmp() });
  assert.notDeepEqual(deriveKey(c, 'csrf'), deriveKey(c, 'other'));
  assert.equal(deriveKey(c, 'csrf').length, 32);
});

test('keyway.defaults.env at the repository root lists every setting exactly as the schema defines it', () => {
  const file = readFileSync(new URL('../../keyway.defaults.env', import.meta.url), 'utf8');
  assert.equal(file, renderDefaultsFile());
});
