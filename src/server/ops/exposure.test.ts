import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemActor } from '../../core/index.js';
import { hashPassword } from '../../auth/index.js';
import { startServer } from '../build.js';
import { loadConfig } from '../config.js';
import { startTestServer, testMetricsToken } from '../testing.js';

/** The metric series of a Prometheus text, minus process/runtime gauges and durations (they move on their own). */
const series = (text: string): Map<string, number> =>
  new Map(
    text
      .split('\n')
      .filter((l) => l.startsWith('keyway_') && !/^keyway_(process|nodejs|http_request_duration)/.test(l))
      .map((l) => {
        const at = l.lastIndexOf(' ');
        return [l.slice(0, at), Number(l.slice(at + 1))] as const;
      }),
  );

const changed = (before: Map<string, number>, after: Map<string, number>): string[] =>
  [...after].filter(([k, v]) => before.get(k) !== v).map(([k]) => k);

test('a failed sign-in for an existing user and for an unknown one change the same metric series (issue 11 finding 2)', async () => {
  const s = await startTestServer();
  try {
    const carol = await s.store.directory.createUser(systemActor('test'), { userName: 'carol' });
    await s.store.credentials.setPassword(carol.id, await hashPassword('carol the right password'));
    const signIn = (userName: string) =>
      s.app.inject({ method: 'POST', url: '/aws/cli/sign-in', payload: { userName, password: 'a wrong guess' } });
    await signIn('warm-up');
    const m0 = series(await s.metrics());
    assert.equal((await signIn('carol')).statusCode, 401);
    const m1 = series(await s.metrics());
    assert.equal((await signIn('nobody-by-this-name')).statusCode, 401);
    const m2 = series(await s.metrics());
    assert.deepEqual(changed(m0, m1), changed(m1, m2), 'the same series moved');
    assert.ok(changed(m0, m1).includes('keyway_signin_attempts_total{outcome="bad_credentials"}'));
    assert.doesNotMatch(await s.metrics(), /unknown_user|bad_password/);
  } finally {
    await s.close();
  }
});

test('/metrics on the main listener needs the metrics token, and is not served at all without one (issue 11 finding 2)', async () => {
  const s = await startTestServer();
  try {
    const none = await s.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(none.statusCode, 401);
    assert.equal(none.headers['www-authenticate'], 'Bearer realm="keyway-metrics"');
    assert.doesNotMatch(none.body, /keyway_/);
    const wrong = await s.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${testMetricsToken.slice(0, -1)}x` },
    });
    assert.equal(wrong.statusCode, 401);
    const right = await s.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${testMetricsToken}` },
    });
    assert.equal(right.statusCode, 200);
    assert.match(right.headers['content-type'] as string, /^text\/plain/);
  } finally {
    await s.close();
  }
  const untokened = await startTestServer({ KEYWAY_METRICS_TOKEN: '' });
  try {
    assert.equal((await untokened.app.inject({ method: 'GET', url: '/metrics' })).statusCode, 404);
  } finally {
    await untokened.close();
  }
});

test('the management listener serves metrics and probes without a token, and nothing else (issue 11 finding 2)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keyway-management-'));
  const config = loadConfig(
    {
      KEYWAY_PORT: '0',
      KEYWAY_MANAGEMENT_PORT: '0',
      KEYWAY_LOG_LEVEL: 'silent',
      KEYWAY_MASTER_KEY: '66'.repeat(32),
      KEYWAY_DATABASE_URL: `sqlite:${join(dir, 'keyway.db')}`,
    },
    { cwd: dir },
  );
  const server = await startServer(config, { handleSignals: false });
  try {
    assert.ok(server.managementUrl, 'the management listener is up');
    assert.notEqual(server.managementUrl, server.url);
    const metrics = await fetch(`${server.managementUrl}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(await metrics.text(), /keyway_http_requests_total/);
    assert.equal((await fetch(`${server.managementUrl}/readyz`)).status, 200);
    assert.equal((await fetch(`${server.managementUrl}/signin`)).status, 404, 'no user-facing route');
    assert.equal((await fetch(`${server.url}/metrics`)).status, 404, 'the main listener has no metrics');
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(
    await fetch(`${server.managementUrl}/healthz`).then(
      () => 'open',
      () => 'closed',
    ),
    'closed',
    'the management listener closes with the server',
  );
});

test('every response carries Strict-Transport-Security with the configured max-age when the base URL is https (RFC 6797; issue 11 finding 5)', async () => {
  const https = await startTestServer({
    KEYWAY_BASE_URL: 'https://id.example.com',
    KEYWAY_HSTS_MAX_AGE_SECONDS: '600',
  });
  try {
    for (const [method, url] of [
      ['GET', '/healthz'],
      ['GET', '/signin'],
      ['GET', '/no-such-page'],
      ['GET', '/api/v1/users'],
      ['POST', '/aws/cli/sign-in'],
      ['GET', '/saml/metadata'],
    ] as const) {
      const r = await https.app.inject({ method, url });
      assert.equal(r.headers['strict-transport-security'], 'max-age=600', `${method} ${url} (${r.statusCode})`);
    }
  } finally {
    await https.close();
  }
  const defaults = await startTestServer({ KEYWAY_BASE_URL: 'https://id.example.com' });
  try {
    const r = await defaults.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(r.headers['strict-transport-security'], 'max-age=31536000');
  } finally {
    await defaults.close();
  }
  const plain = await startTestServer();
  try {
    const r = await plain.app.inject({ method: 'GET', url: '/signin' });
    assert.equal(r.headers['strict-transport-security'], undefined, 'never over plain http (RFC 6797 7.2)');
  } finally {
    await plain.close();
  }
});
