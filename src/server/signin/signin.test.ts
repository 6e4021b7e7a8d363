import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { systemActor } from '../../core/index.js';
import { hashPassword, sha256Hex } from '../../auth/index.js';
import { startTestServer } from '../testing.js';
import { missingPostgres } from '../../testing/index.js';
import type { TestServer } from '../testing.js';
import type { ServerModule } from '../deps.js';

type Resp = { statusCode: number; body: string; headers: Record<string, unknown> };

/** A minimal browser: keeps cookies, follows nothing. */
class Browser {
  readonly cookies = new Map<string, string>();
  constructor(private readonly s: TestServer) {}
  private header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  private keep(r: Resp) {
    const set = r.headers['set-cookie'];
    for (const c of Array.isArray(set) ? set : set ? [set] : []) {
      const [pair, ...attrs] = String(c).split(';');
      const [k, ...v] = (pair ?? '').split('=');
      const value = v.join('=');
      if (attrs.some((a) => /^\s*Max-Age=0/i.test(a) || /^\s*Expires=Thu, 01 Jan 1970/i.test(a)) || value === '')
        this.cookies.delete(k as string);
      else this.cookies.set(k as string, value);
    }
    return r;
  }
  async get(url: string, headers: Record<string, string> = {}): Promise<Resp> {
    return this.keep(
      (await this.s.app.inject({
        method: 'GET',
        url,
        headers: { cookie: this.header(), accept: 'text/html', ...headers },
      })) as unknown as Resp,
    );
  }
  async post(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Resp> {
    return this.keep(
      (await this.s.app.inject({
        method: 'POST',
        url,
        payload: new URLSearchParams(form).toString(),
        headers: {
          cookie: this.header(),
          accept: 'text/html',
          'content-type': 'application/x-www-form-urlencoded',
          ...headers,
        },
      })) as unknown as Resp,
    );
  }
  /** Loads the sign-in page and submits it. */
  async signIn(userName: string, password: string, returnTo = '/'): Promise<Resp> {
    const page = await this.get(`/signin?returnTo=${encodeURIComponent(returnTo)}`);
    return this.post('/signin', { userName, password, csrf: csrfOf(page.body), returnTo: returnToOf(page.body) });
  }
}

const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
const returnToOf = (html: string) =>
  /name="returnTo" value="([^"]*)"/
    .exec(html)?.[1]
    ?.replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"') ?? '/';

let clock = new Date('2026-03-01T09:00:00Z');
let s: TestServer;
const tileModule: ServerModule = {
  name: 'test-tiles',
  portalTiles: {
    id: 'test',
    tilesFor: async (user) => [
      { title: `<App> for ${user.userName}`, href: '/apps/x', kind: 'SAML app' },
      { title: 'Launch', href: '/apps/y', method: 'POST' },
    ],
  },
};
const brokenTiles: ServerModule = {
  name: 'broken',
  portalTiles: { id: 'broken', tilesFor: async () => Promise.reject(new Error('provider down')) },
};

const addUser = async (userName: string, password: string) => {
  const u = await s.store.directory.createUser(systemActor('test'), {
    userName,
    displayName: `${userName[0]?.toUpperCase()}${userName.slice(1)} Example`,
  });
  await s.store.credentials.setPassword(u.id, await hashPassword(password));
  return u;
};

before(async () => {
  s = await startTestServer({}, { now: () => clock, extraModules: [tileModule, brokenTiles] });
  await addUser('alice', 'alice-password-1');
});
after(async () => s.close());

describe('sign-in page (WCAG 2.2 accessible authentication)', () => {
  test('renders labelled inputs with autocomplete hints, a CSRF field and a signed double-submit cookie', async () => {
    const b = new Browser(s);
    const r = await b.get('/signin');
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /<label for="userName">User name<\/label>/);
    assert.match(r.body, /<input id="userName" name="userName" type="text" autocomplete="username"/);
    assert.match(r.body, /<input id="password" name="password" type="password" autocomplete="current-password"/);
    assert.match(r.body, /<button type="submit">Sign in<\/button>/);
    assert.ok(csrfOf(r.body).length > 20);
    assert.match(String(r.headers['set-cookie']), /keyway_signin_csrf=[^;]+;.*HttpOnly; SameSite=Lax/);
    assert.match(String(r.headers['content-security-policy']), /frame-ancestors 'none'/);
    assert.doesNotMatch(r.body, /<script/);
  });

  test('escapes user-controlled values placed in the page', async () => {
    const b = new Browser(s);
    const page = await b.get('/signin');
    const r = await b.post('/signin', {
      userName: '"><script>alert(1)</script>',
      password: 'wrong-password',
      csrf: csrfOf(page.body),
      returnTo: '/',
    });
    assert.doesNotMatch(r.body, /<script>alert/);
    assert.match(r.body, /&quot;&gt;&lt;script&gt;/);
  });
});

describe('password sign-in and sessions', () => {
  test('signs in with the right password, comes back to returnTo, and stores only the SHA-256 of the session id', async () => {
    const b = new Browser(s);
    const r = await b.signIn('ALICE', 'alice-password-1', '/?tab=apps');
    assert.equal(r.statusCode, 303);
    assert.equal(r.headers.location, '/?tab=apps');
    const cookie = String(r.headers['set-cookie']);
    assert.match(cookie, /keyway_session=[A-Za-z0-9_-]{43}; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax/);
    assert.doesNotMatch(cookie, /Secure/);
    const id = b.cookies.get('keyway_session') as string;
    const stored = await s.store.sessions.get(sha256Hex(id));
    assert.ok(stored);
    assert.deepEqual(stored.authMethods, ['pwd']);
    assert.equal(await s.store.sessions.get(id), null, 'the raw id is not a key');
    const home = await b.get('/');
    assert.equal(home.statusCode, 200);
    assert.match(home.body, /Welcome, Alice Example/);
    assert.match(home.body, /&lt;App&gt; for alice/, 'tiles from registered providers, escaped');
    assert.match(home.body, /<form method="post" action="\/apps\/y"><input type="hidden" name="csrf"/);
    const audit = await s.store.audit.query({ action: 'signin.password', targetId: stored.userId });
    assert.equal(audit.items[0]?.outcome, 'success');
  });

  test('marks cookies Secure with the __Host- prefix when the public base URL is https', async () => {
    const https = await startTestServer({ KEYWAY_BASE_URL: 'https://id.example.com' });
    try {
      const u = await https.store.directory.createUser(systemActor('test'), { userName: 'tls-user' });
      await https.store.credentials.setPassword(u.id, await hashPassword('tls-user-password'));
      const page = await https.app.inject({ method: 'GET', url: '/signin' });
      const csrfCookie = String(page.headers['set-cookie']);
      assert.match(csrfCookie, /^__Host-keyway_signin_csrf=[^;]+;.*Path=\/; HttpOnly; Secure; SameSite=Lax/);
      const r = await https.app.inject({
        method: 'POST',
        url: '/signin',
        headers: { cookie: csrfCookie.split(';')[0] as string, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          userName: 'tls-user',
          password: 'tls-user-password',
          csrf: csrfOf(page.body),
          returnTo: '/',
        }).toString(),
      });
      assert.equal(r.statusCode, 303);
      const cookies = ([] as string[]).concat(r.headers['set-cookie'] as string[]);
      assert.ok(
        cookies.some((c) =>
          /^__Host-keyway_session=[A-Za-z0-9_-]{43};.*Path=\/; HttpOnly; Secure; SameSite=Lax/.test(c),
        ),
        cookies.join('\n'),
      );
      assert.ok(!cookies.some((c) => /Domain=/i.test(c)), '__Host- cookies carry no Domain');
    } finally {
      await https.close();
    }
  });

  test('redirects a signed-out visitor to sign-in with a relative returnTo, and refuses open redirects', async () => {
    const b = new Browser(s);
    const r = await b.get('/?x=1');
    assert.equal(r.statusCode, 303);
    assert.equal(r.headers.location, '/signin?returnTo=%2F%3Fx%3D1');
    for (const evil of ['//evil.example/', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
      const signedIn = await new Browser(s).signIn('alice', 'alice-password-1', evil);
      assert.equal(signedIn.headers.location, '/', evil);
    }
  });

  test('answers a wrong password and an unknown user with the same generic message, audited with their reasons', async () => {
    const wrong = await new Browser(s).signIn('alice', 'not-her-password');
    const unknown = await new Browser(s).signIn('nobody-here', 'whatever-password');
    for (const r of [wrong, unknown]) {
      assert.equal(r.statusCode, 401);
      assert.match(r.body, /role="alert" tabindex="-1" autofocus/);
      assert.match(r.body, /The user name or password is incorrect\./);
      assert.equal(r.headers['set-cookie'] && /keyway_session=/.test(String(r.headers['set-cookie'])), false);
    }
    const reasons = (await s.store.audit.query({ action: 'signin.password', limit: 10 })).items.map((e) => e.reason);
    assert.ok(reasons.includes('bad_password'));
    assert.ok(reasons.includes('unknown_user'));
    await s.store.throttle.clear('user:alice');
    await s.store.throttle.clear('user:nobody-here');
  });

  test('refuses a sign-in whose CSRF token is missing or forged (403), audited as csrf', async () => {
    const b = new Browser(s);
    await b.get('/signin');
    const missing = await b.post('/signin', { userName: 'alice', password: 'alice-password-1' });
    assert.equal(missing.statusCode, 403);
    assert.match(missing.body, /form expired/);
    const forged = await new Browser(s).post(
      '/signin',
      { userName: 'alice', password: 'alice-password-1', csrf: 'forged' },
      { cookie: 'keyway_signin_csrf=attacker' },
    );
    assert.equal(forged.statusCode, 403);
    assert.equal(b.cookies.has('keyway_session'), false);
    assert.equal((await s.store.audit.query({ action: 'signin.password', limit: 1 })).items[0]?.reason, 'csrf');
  });

  test('does not let a suspended user sign in, and ends a suspended user’s existing sessions', async () => {
    const u = await addUser('sam', 'sam-password-1');
    const b = new Browser(s);
    assert.equal((await b.signIn('sam', 'sam-password-1')).statusCode, 303);
    assert.equal((await b.get('/')).statusCode, 200);
    await s.store.directory.setUserStatus(systemActor('test'), u.id, 'suspended');
    assert.equal((await b.get('/')).statusCode, 303, 'the session no longer works');
    const r = await new Browser(s).signIn('sam', 'sam-password-1');
    assert.equal(r.statusCode, 403);
    assert.match(r.body, /suspended/);
    assert.equal((await s.store.audit.query({ action: 'signin.password', limit: 1 })).items[0]?.reason, 'suspended');
  });

  test('signs out only with the session’s CSRF token, then the old cookie is worthless', async () => {
    const b = new Browser(s);
    await b.signIn('alice', 'alice-password-1');
    const home = await b.get('/');
    const id = b.cookies.get('keyway_session') as string;
    const noToken = await b.post('/signout', {});
    assert.equal(noToken.statusCode, 403);
    assert.ok(await s.store.sessions.get(sha256Hex(id)));
    const ok = await b.post('/signout', { csrf: csrfOf(home.body) });
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, '/signin?signedOut=1');
    assert.equal(await s.store.sessions.get(sha256Hex(id)), null);
    const replay = await s.app.inject({ method: 'GET', url: '/', headers: { cookie: `keyway_session=${id}` } });
    assert.equal(replay.statusCode, 303);
  });

  test('every POST form on the signed-in pages refuses a missing or another session’s CSRF token with 403 and changes nothing (issue 2: CSRF on every form)', async () => {
    const b = new Browser(s);
    await b.signIn('alice', 'alice-password-1');
    const other = new Browser(s);
    await other.signIn('alice', 'alice-password-1');
    const otherToken = csrfOf((await other.get('/')).body);
    const actions = new Set(['/account/totp/begin', '/account/totp/confirm', '/account/totp/remove', '/signout']);
    for (const url of ['/', '/account/security']) {
      for (const m of (await b.get(url)).body.matchAll(/<form[^>]*method="post"[^>]*action="([^"]+)"/g))
        actions.add(m[1] as string);
    }
    const served = [...actions].filter((a) => s.app.hasRoute({ method: 'POST', url: a }));
    assert.ok(served.length >= 4, `forms found: ${served.join(', ')}`);
    const auditBefore = (await s.store.audit.query({ action: 'csrf.rejected' })).total ?? 0;
    for (const action of served) {
      const forms: Record<string, string>[] = [
        { code: '123456' },
        { code: '123456', csrf: otherToken },
        { code: '123456', csrf: '' },
      ];
      for (const form of forms) {
        const r = await b.post(action, form);
        assert.equal(r.statusCode, 403, `${action} with ${form.csrf === undefined ? 'no' : 'a wrong'} token`);
      }
    }
    assert.equal((await b.get('/')).statusCode, 200, 'still signed in: sign-out did not happen');
    assert.equal(
      (await b.get('/account/security')).body.includes('/account/totp/confirm'),
      false,
      'no enrolment was started',
    );
    assert.equal(
      (await s.store.audit.query({ action: 'csrf.rejected' })).total,
      auditBefore + served.length * 3,
      'each refusal is audited',
    );
  });

  test('ends a session after the idle timeout', async () => {
    const b = new Browser(s);
    await b.signIn('alice', 'alice-password-1');
    assert.equal((await b.get('/')).statusCode, 200);
    clock = new Date(clock.getTime() + 61 * 60_000);
    assert.equal((await b.get('/')).statusCode, 303);
  });
});

describe('lockout and back-off (OWASP Authentication Cheat Sheet)', () => {
  test('backs off after 5 failures, locks after 10 within the window, even for the right password, and unlocks later', async () => {
    await addUser('mallory-target', 'target-password-1');
    const attempt = (password: string) => new Browser(s).signIn('mallory-target', password);
    for (let i = 1; i <= 4; i++) assert.equal((await attempt('wrong-password')).statusCode, 401, `failure ${i}`);
    assert.equal((await attempt('wrong-password')).statusCode, 401, 'fifth failure is counted');
    const backedOff = await attempt('target-password-1');
    assert.equal(backedOff.statusCode, 429);
    assert.match(backedOff.body, /Too many failed attempts\. Wait 1 second, then try again\./);
    assert.equal(backedOff.headers['retry-after'], '1');
    for (let i = 6; i <= 10; i++) {
      clock = new Date(clock.getTime() + 120_000);
      assert.equal((await attempt('wrong-password')).statusCode, 401, `failure ${i}`);
    }
    clock = new Date(clock.getTime() + 120_000);
    const locked = await attempt('target-password-1');
    assert.equal(locked.statusCode, 429);
    assert.match(locked.body, /Try again in \d+ minutes/);
    assert.equal((await s.store.audit.query({ action: 'signin.password', limit: 1 })).items[0]?.reason, 'locked_out');
    clock = new Date(clock.getTime() + 16 * 60_000);
    assert.equal((await attempt('target-password-1')).statusCode, 303, 'unlocked after the lock period');
  });

  test('locks a client address that fails across many userNames, and a spoofed X-Forwarded-For does not evade it', async () => {
    const ipServer = await startTestServer({ KEYWAY_LOCKOUT_IP_BACKOFF_AFTER: '3', KEYWAY_LOCKOUT_IP_LOCK_AFTER: '4' });
    try {
      const attempt = async (userName: string, i: number) => {
        const b = new Browser(ipServer);
        const page = await b.get('/signin');
        return b.post(
          '/signin',
          { userName, password: 'some-password', csrf: csrfOf(page.body), returnTo: '/' },
          { 'x-forwarded-for': `10.0.0.${i}` },
        );
      };
      for (let i = 0; i < 4; i++) await attempt(`spray-${i}`, i);
      assert.equal((await attempt('spray-new', 99)).statusCode, 429);
    } finally {
      await ipServer.close();
    }
  });
});

describe('operations', () => {
  test('serves /healthz, /readyz and Prometheus metrics including sign-in outcomes', async () => {
    assert.deepEqual(JSON.parse((await s.app.inject({ method: 'GET', url: '/healthz' })).body), { status: 'ok' });
    assert.deepEqual(JSON.parse((await s.app.inject({ method: 'GET', url: '/readyz' })).body), { status: 'ready' });
    const m = { body: await s.metrics() };
    assert.match(m.body, /keyway_signin_attempts_total\{outcome="success"\} \d+/);
    assert.match(m.body, /keyway_signin_attempts_total\{outcome="bad_credentials"\} \d+/);
    assert.match(m.body, /keyway_http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/healthz"\}/);
  });

  test('answers unknown pages with an HTML 404 and echoes a safe request id', async () => {
    const r = await s.app.inject({
      method: 'GET',
      url: '/nope',
      headers: { accept: 'text/html', 'x-request-id': 'abc-123' },
    });
    assert.equal(r.statusCode, 404);
    assert.match(r.body, /Page not found/);
    assert.equal(r.headers['x-request-id'], 'abc-123');
    const unsafe = await s.app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'bad id\nwith newline' },
    });
    assert.match(String(unsafe.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });

  test('never writes tokens, cookies or passwords into the logs', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write: (chunk: Buffer, _e, cb) => {
        lines.push(chunk.toString());
        cb();
      },
    });
    const { buildServer } = await import('../build.js');
    const app = await buildServer(
      { config: { ...s.config, logLevel: 'info' }, store: s.store },
      { logger: (await import('../ops/logging.js')).createLogger({ logLevel: 'info' }, sink) },
    );
    try {
      await app.inject({
        method: 'GET',
        url: '/api/v1/users',
        headers: { authorization: `Bearer ${s.token}`, cookie: 'keyway_session=secret-session-id' },
      });
      await app.inject({
        method: 'POST',
        url: '/signin',
        payload: 'userName=alice&password=hunter2-secret&csrf=x',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      await app.inject({
        method: 'GET',
        url: '/api/v1/users?token=leaky',
        headers: { authorization: 'Bearer kw_wrong' },
      });
      const text = lines.join('');
      assert.ok(text.length > 0);
      assert.match(text, /token=%5BRedacted%5D/);
      for (const secret of [s.token, 'secret-session-id', 'hunter2-secret', 'kw_wrong', 'leaky'])
        assert.ok(!text.includes(secret), secret);
    } finally {
      await app.close();
    }
  });
});

describe('password sign-in on PostgreSQL (the same statements on the scale-out engine)', async () => {
  const skip = await missingPostgres();
  test('counts a failure with its audit record, then signs in with one session and forgets the failures', {
    skip,
  }, async () => {
    const pgServer = await startTestServer({}, { engine: 'postgres' });
    try {
      const u = await pgServer.store.directory.createUser(systemActor('test'), { userName: 'Pat' });
      await pgServer.store.credentials.setPassword(u.id, await hashPassword('pat-password-1'));
      const b = new Browser(pgServer);
      const wrong = await b.signIn('pat', 'not-pat-password');
      assert.equal(wrong.statusCode, 401);
      const [userCounter] = await pgServer.store.db
        .selectFrom('throttle')
        .selectAll()
        .where('key', '=', 'user:pat')
        .execute();
      assert.equal(Number(userCounter?.failures), 1);
      const ok = await b.signIn('PAT', 'pat-password-1');
      assert.equal(ok.statusCode, 303);
      const session = await pgServer.store.sessions.get(sha256Hex(b.cookies.get('keyway_session') as string));
      assert.equal(session?.userId, u.id);
      assert.equal(await pgServer.store.throttle.get('user:pat'), null);
      const outcomes = (await pgServer.store.audit.query({ action: 'signin.password' })).items.map(
        (e) => e.reason ?? e.outcome,
      );
      assert.deepEqual(outcomes, ['success', 'bad_password']);
    } finally {
      await pgServer.close();
    }
  });
});
