import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { systemActor } from '../../core/index.js';
import { hashPassword, sha256Hex, totpCode } from '../../auth/index.js';
import { createTotpStore } from '../../store/index.js';
import { startTestServer } from '../testing.js';
import type { TestServer } from '../testing.js';

type Resp = { statusCode: number; body: string; headers: Record<string, unknown> };

class Browser {
  readonly cookies = new Map<string, string>();
  constructor(private readonly s: TestServer) {}
  private keep(r: Resp) {
    const set = r.headers['set-cookie'];
    for (const c of Array.isArray(set) ? set : set ? [set] : []) {
      const [pair, ...attrs] = String(c).split(';');
      const [k, ...v] = (pair ?? '').split('=');
      if (attrs.some((a) => /Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(a)) || v.join('=') === '')
        this.cookies.delete(k as string);
      else this.cookies.set(k as string, v.join('='));
    }
    return r;
  }
  private cookie = () => [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  async get(url: string): Promise<Resp> {
    return this.keep(
      (await this.s.app.inject({
        method: 'GET',
        url,
        headers: { cookie: this.cookie(), accept: 'text/html' },
      })) as unknown as Resp,
    );
  }
  async post(url: string, form: Record<string, string>): Promise<Resp> {
    return this.keep(
      (await this.s.app.inject({
        method: 'POST',
        url,
        payload: new URLSearchParams(form).toString(),
        headers: { cookie: this.cookie(), accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
      })) as unknown as Resp,
    );
  }
}
const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

let clock = new Date('2026-04-01T08:00:05Z');
const tick = (seconds = 30) => (clock = new Date(clock.getTime() + seconds * 1000));
let s: TestServer;
let seed = '';
let userId = '';

const passwordStep = async (b: Browser, password = 'otp-user-password') => {
  const page = await b.get('/signin');
  return b.post('/signin', { userName: 'otp-user', password, csrf: csrfOf(page.body), returnTo: '/?from=otp' });
};

before(async () => {
  s = await startTestServer({}, { now: () => clock });
  const u = await s.store.directory.createUser(systemActor('test'), { userName: 'otp-user' });
  userId = u.id;
  await s.store.credentials.setPassword(u.id, await hashPassword('otp-user-password'));
});
after(async () => s.close());

describe('TOTP second factor (RFC 6238)', () => {
  test('sets up an authenticator from account security, confirmed by one valid code, with the seed sealed at rest', async () => {
    const b = new Browser(s);
    await passwordStep(b);
    const account = await b.get('/account/security');
    assert.match(account.body, /Authenticator app: <strong>off<\/strong>/);
    const noCsrf = await b.post('/account/totp/begin', {});
    assert.equal(noCsrf.statusCode, 403);
    const begin = await b.post('/account/totp/begin', { csrf: csrfOf(account.body) });
    assert.equal(begin.statusCode, 200);
    seed = (/id="totp-secret">([A-Z2-7 ]+)</.exec(begin.body)?.[1] ?? '').replace(/ /g, '');
    assert.equal(seed.length, 32);
    assert.match(begin.body, /href="otpauth:\/\/totp\//);
    const stored = await createTotpStore(s.store.db).get(userId);
    assert.ok(stored && !stored.sealedSecret.includes(seed), 'the seed is not stored in the clear');

    const wrong = await b.post('/account/totp/confirm', { csrf: csrfOf(account.body), code: '000000' });
    assert.equal(wrong.statusCode, 400);
    const ok = await b.post('/account/totp/confirm', { csrf: csrfOf(account.body), code: totpCode(seed, clock) });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.match(ok.body, /authenticator app is on/);
    assert.equal((await s.store.audit.query({ action: 'totp.enrolled', limit: 1 })).items[0]?.outcome, 'success');
  });

  test('asks for a code after the password, and only then starts a session with authMethods pwd+otp', async () => {
    tick();
    const b = new Browser(s);
    const afterPassword = await passwordStep(b);
    assert.equal(afterPassword.statusCode, 200);
    assert.match(afterPassword.body, /autocomplete="one-time-code"/);
    assert.equal(b.cookies.has('keyway_session'), false);
    assert.ok(b.cookies.has('keyway_signin_pending'));
    const wrong = await b.post('/signin/otp', { csrf: csrfOf(afterPassword.body), code: '123456' });
    assert.equal(wrong.statusCode, 401);
    assert.match(wrong.body, /role="alert"/);
    const ok = await b.post('/signin/otp', { csrf: csrfOf(wrong.body), code: totpCode(seed, clock) });
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, '/?from=otp');
    const session = await s.store.sessions.get(sha256Hex(b.cookies.get('keyway_session') as string));
    assert.deepEqual(session?.authMethods, ['pwd', 'otp']);
    const reasons = (await s.store.audit.query({ action: 'signin.otp', limit: 2 })).items.map(
      (e) => e.reason ?? e.outcome,
    );
    assert.deepEqual(reasons, ['success', 'bad_otp']);
    const metrics = await s.metrics();
    assert.match(metrics, /keyway_signin_second_factor_attempts_total\{outcome="success"\} 1/);
    assert.match(metrics, /keyway_signin_second_factor_attempts_total\{outcome="bad_otp"\} 1/);
  });

  test('refuses a code that was already used (replay), and a forged or missing pending cookie', async () => {
    const used = totpCode(seed, clock);
    const b = new Browser(s);
    const page = await passwordStep(b);
    const replay = await b.post('/signin/otp', { csrf: csrfOf(page.body), code: used });
    assert.equal(replay.statusCode, 401);
    const forged = new Browser(s);
    forged.cookies.set('keyway_signin_pending', `${userId}.9999999999.Lw.forged`);
    const formPage = await forged.get('/signin');
    const r = await forged.post('/signin/otp', { csrf: csrfOf(formPage.body), code: totpCode(seed, tick()) });
    assert.equal(r.statusCode, 401);
    assert.match(r.body, /sign in again/);
    assert.equal(forged.cookies.has('keyway_session'), false);
    assert.equal((await new Browser(s).get('/signin/otp')).statusCode, 303);
  });

  test('counts wrong codes toward the lockout, which a correct password does not reset', async () => {
    tick();
    for (let i = 0; i < 10; i++) {
      const b = new Browser(s);
      const page = await passwordStep(b);
      if (page.statusCode === 429) break;
      await b.post('/signin/otp', { csrf: csrfOf(page.body), code: '000000' });
      tick(20);
    }
    const b = new Browser(s);
    const page = await passwordStep(b);
    const locked =
      page.statusCode === 429
        ? page
        : await b.post('/signin/otp', { csrf: csrfOf(page.body), code: totpCode(seed, clock) });
    assert.equal(locked.statusCode, 429);
    tick(16 * 60);
    await s.store.throttle.clear('ip:127.0.0.1');
  });

  test('lets an admin remove a lost authenticator through the API, after which the password alone signs in', async () => {
    const r = await s.app.inject({
      method: 'DELETE',
      url: `/api/v1/users/${userId}/totp`,
      headers: { authorization: `Bearer ${s.token}` },
    });
    assert.equal(r.statusCode, 204);
    const again = await s.app.inject({
      method: 'DELETE',
      url: `/api/v1/users/${userId}/totp`,
      headers: { authorization: `Bearer ${s.token}` },
    });
    assert.equal(again.statusCode, 404);
    const b = new Browser(s);
    const signedIn = await passwordStep(b);
    assert.equal(signedIn.statusCode, 303);
    assert.deepEqual((await s.store.sessions.get(sha256Hex(b.cookies.get('keyway_session') as string)))?.authMethods, [
      'pwd',
    ]);
  });

  test('turns the authenticator off from account security only with a current code', async () => {
    const b = new Browser(s);
    await passwordStep(b);
    const account = await b.get('/account/security');
    const begin = await b.post('/account/totp/begin', { csrf: csrfOf(account.body) });
    const seed2 = (/id="totp-secret">([A-Z2-7 ]+)</.exec(begin.body)?.[1] ?? '').replace(/ /g, '');
    assert.match(
      (await b.get('/account/security')).body,
      /<strong>off<\/strong>/,
      'an unconfirmed enrolment does not count',
    );
    await b.post('/account/totp/confirm', { csrf: csrfOf(account.body), code: totpCode(seed2, clock) });
    assert.match((await b.get('/account/security')).body, /<strong>on<\/strong>/);
    tick();
    const wrong = await b.post('/account/totp/remove', { csrf: csrfOf(account.body), code: '000000' });
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /stays on/);
    const off = await b.post('/account/totp/remove', { csrf: csrfOf(account.body), code: totpCode(seed2, clock) });
    assert.equal(off.statusCode, 200);
    assert.match(off.body, /<strong>off<\/strong>/);
    assert.equal(await createTotpStore(s.store.db).get(userId), null);
  });
});
