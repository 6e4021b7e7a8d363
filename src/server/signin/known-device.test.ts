/**
 * Lockout an attacker cannot turn against the owner (issue 11 finding 3; OWASP "Slow Down Online Guessing Attacks
 * with Device Cookies"): failures from elsewhere lock the user name for unknown devices only.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { systemActor } from '../../core/index.js';
import { hashPassword } from '../../auth/index.js';
import { startTestServer } from '../testing.js';
import type { TestServer } from '../testing.js';

const PASSWORD = 'carol has a long password';

/** Cookies kept between requests, as a browser keeps them. */
const browserOf = (s: TestServer) => {
  const jar = new Map<string, string>();
  const keep = <R extends { headers: Record<string, unknown> }>(r: R): R => {
    const set = r.headers['set-cookie'];
    for (const c of Array.isArray(set) ? set : set ? [set] : []) {
      const [pair = ''] = String(c).split(';');
      const at = pair.indexOf('=');
      jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return r;
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  return {
    jar,
    async signIn(userName: string, password: string, remoteAddress: string) {
      const page = keep(
        await s.app.inject({ method: 'GET', url: '/signin', headers: { cookie: cookie() }, remoteAddress }),
      );
      const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
      return keep(
        await s.app.inject({
          method: 'POST',
          url: '/signin',
          remoteAddress,
          headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ userName, password, csrf, returnTo: '/' }).toString(),
        }),
      );
    },
  };
};

describe('an attacker guessing from many addresses cannot lock carol out of her known browser or CLI', () => {
  let s: TestServer;
  let clock = new Date('2026-03-01T09:00:00Z');
  const tick = (ms: number) => {
    clock = new Date(clock.getTime() + ms);
  };
  before(async () => {
    s = await startTestServer({}, { now: () => clock });
    for (const userName of ['carol', 'mallory', 'dave']) {
      const u = await s.store.directory.createUser(systemActor('test'), { userName });
      await s.store.credentials.setPassword(u.id, await hashPassword(PASSWORD));
    }
  });
  after(async () => s.close());

  const cliSignIn = (userName: string, password: string, remoteAddress: string, deviceToken?: string) =>
    s.app.inject({
      method: 'POST',
      url: '/aws/cli/sign-in',
      remoteAddress,
      payload: { userName, password, ...(deviceToken ? { deviceToken } : {}) },
    });

  test('1,000 failed attempts: carol still signs in from her browser and her CLI, and the attacker had at most 10 guesses', async () => {
    const browser = browserOf(s);
    assert.equal((await browser.signIn('carol', PASSWORD, '192.0.2.10')).statusCode, 303, 'carol signs in once');
    assert.ok(browser.jar.get('keyway_device'), 'her browser is now a known device');
    const first = await cliSignIn('carol', PASSWORD, '192.0.2.10');
    assert.equal(first.statusCode, 200);
    const cliDevice = (JSON.parse(first.body) as { deviceToken: string }).deviceToken;
    assert.match(cliDevice, /^d1\./);
    // The attacker's own account gives a device token too, but one that names mallory.
    const malloryDevice = (
      JSON.parse((await cliSignIn('mallory', PASSWORD, '198.51.100.1')).body) as { deviceToken: string }
    ).deviceToken;

    // Half a second apart, over a bit more than 8 minutes: inside one 15-minute lock (KEYWAY_LOCKOUT_DURATION_MINUTES).
    const statuses = new Map<number, number>();
    for (let i = 0; i < 1000; i++) {
      tick(500);
      const from = `203.0.${Math.floor(i / 200)}.${i % 200}`;
      const r = await cliSignIn('carol', `guess ${i}`, from, i % 3 === 0 ? malloryDevice : undefined);
      statuses.set(r.statusCode, (statuses.get(r.statusCode) ?? 0) + 1);
    }
    const carol = await s.store.directory.findUserByUserName('carol');
    let guessed = 0;
    for (let cursor: string | undefined; ; ) {
      const page = await s.store.audit.query({
        action: 'signin.password',
        targetId: carol?.id ?? '',
        limit: 500,
        ...(cursor ? { cursor } : {}),
      });
      guessed += page.items.filter((e) => e.reason === 'bad_password').length;
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    assert.equal(guessed, 10, 'only 10 guesses were checked (KEYWAY_LOCKOUT_USER_LOCK_AFTER), then the lock held');
    assert.equal(statuses.get(401), 10);
    assert.equal(statuses.get(429), 990, 'every other attempt is refused before the password is looked at');
    assert.equal(
      (await cliSignIn('carol', PASSWORD, '203.0.9.9')).statusCode,
      429,
      'even the right password from an unknown device waits out the lock',
    );

    browser.jar.delete('keyway_session'); // signed out since; the device cookie stays
    const web = await browser.signIn('carol', PASSWORD, '192.0.2.10');
    assert.equal(web.statusCode, 303, 'her known browser signs in');
    assert.equal(web.headers.location, '/');
    const cli = await cliSignIn('carol', PASSWORD, '192.0.2.99', cliDevice);
    assert.equal(cli.statusCode, 200, `her CLI signs in: ${cli.body}`);
  });

  test("a known device has its own budget: a stolen device token guesses no faster than the user name's budget allows", async () => {
    const first = await cliSignIn('mallory', PASSWORD, '198.51.100.2');
    const device = (JSON.parse(first.body) as { deviceToken: string }).deviceToken;
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      tick(30_000); // past each back-off (at most 16 s before the lock), so only the lock can refuse
      statuses.push((await cliSignIn('mallory', `wrong ${i}`, `198.51.100.${10 + i}`, device)).statusCode);
    }
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
    assert.deepEqual(statuses.slice(10), [429, 429]);
    assert.equal((await cliSignIn('mallory', PASSWORD, '198.51.100.2', device)).statusCode, 429);
    assert.equal(
      (await cliSignIn('mallory', PASSWORD, '198.51.100.3')).statusCode,
      200,
      "the device's failures did not lock the user name for mallory's other devices",
    );
  });

  test('a forged or altered device token, or one for another user, counts as an unknown device', async () => {
    const known = (JSON.parse((await cliSignIn('dave', PASSWORD, '192.0.2.20')).body) as { deviceToken: string })
      .deviceToken;
    for (let i = 0; i < 5; i++) await cliSignIn('dave', `wrong ${i}`, `203.0.113.${i}`);
    assert.equal((await cliSignIn('dave', PASSWORD, '192.0.2.21')).statusCode, 429, 'unknown devices back off');
    const { deviceToken } = JSON.parse((await cliSignIn('mallory', PASSWORD, '198.51.100.4')).body) as {
      deviceToken: string;
    };
    const [v, body, mac] = deviceToken.split('.');
    const payload = JSON.parse(Buffer.from(body ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    const forgedBody = Buffer.from(JSON.stringify({ ...payload, u: 'user:dave' })).toString('base64url');
    for (const token of [deviceToken, `${v}.${forgedBody}.${mac}`, `${known.slice(0, -2)}AA`, 'junk'])
      assert.equal((await cliSignIn('dave', PASSWORD, '192.0.2.21', token)).statusCode, 429, token);
    assert.equal((await cliSignIn('dave', PASSWORD, '192.0.2.21', known)).statusCode, 200, "dave's own device");
  });
});
