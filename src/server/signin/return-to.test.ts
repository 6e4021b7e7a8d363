import { test } from 'node:test';
import assert from 'node:assert/strict';
import { systemActor } from '../../core/index.js';
import { hashPassword } from '../../auth/index.js';
import { safeReturnTo } from '../session.js';
import { startTestServer } from '../testing.js';

test('returnTo beyond printable ASCII is percent-encoded as UTF-8 for Location (RFC 3986 2.5; issue 11 finding 4)', () => {
  assert.equal(safeReturnTo('/\u0101'), '/%C4%81');
  assert.equal(safeReturnTo('/caf\u00e9?q=a b'), '/caf%C3%A9?q=a%20b');
  assert.equal(safeReturnTo('/already%C3%A9'), '/already%C3%A9');
  assert.equal(safeReturnTo('/\ud800'), '/', 'a lone surrogate has no UTF-8 form');
});

test('a returnTo with U+0101 or a Latin-1 character redirects instead of failing, before and after the password (issue 11 finding 4)', async () => {
  const s = await startTestServer();
  try {
    const u = await s.store.directory.createUser(systemActor('test'), { userName: 'ada' });
    await s.store.credentials.setPassword(u.id, await hashPassword('ada has a long password'));
    const page = await s.app.inject({ method: 'GET', url: '/signin?returnTo=/%C4%81' });
    assert.equal(page.statusCode, 200);
    const csrfCookie = String(page.headers['set-cookie']).split(';')[0] ?? '';
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    for (const returnTo of ['/\u0101', '/caf\u00e9']) {
      const r = await s.app.inject({
        method: 'POST',
        url: '/signin',
        headers: { cookie: csrfCookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          userName: 'ada',
          password: 'ada has a long password',
          csrf,
          returnTo,
        }).toString(),
      });
      assert.equal(r.statusCode, 303, `${returnTo}: ${r.statusCode}`);
      assert.match(r.headers.location as string, /^\/(%C4%81|caf%C3%A9)$/);
      const session = String(r.headers['set-cookie']).match(/keyway_session=[^;]+/)?.[0] ?? '';
      const again = await s.app.inject({
        method: 'GET',
        url: '/signin?returnTo=/%C4%81',
        headers: { cookie: session },
      });
      assert.equal(again.statusCode, 303, 'a signed-in visit redirects too');
      assert.equal(again.headers.location, '/%C4%81');
    }
  } finally {
    await s.close();
  }
});
