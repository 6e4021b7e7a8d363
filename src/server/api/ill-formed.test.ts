/**
 * Ill-formed text is refused, not repaired (issue 11 finding 6): a lone surrogate, a byte order mark inside a
 * value, or a non-character gets a 400 that names the field, the same through the admin API, the CLI and import.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCliCaptured } from '../../cli/testing.js';
import { startTestServer } from '../testing.js';
import type { TestServer } from '../testing.js';

describe('ill-formed text is refused with the field named', () => {
  let s: TestServer;
  let dir: string;
  before(async () => {
    s = await startTestServer();
    dir = mkdtempSync(join(tmpdir(), 'keyway-ill-formed-'));
  });
  after(async () => {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (url: string, json: string) =>
    s.app.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
      payload: json,
    });

  test('admin API: a lone surrogate, a trailing or inner BOM and U+FFFF are 400 naming the field, and nothing is stored', async () => {
    // Written as JSON escapes, exactly as a client sends them (RFC 8259 7 lets JSON carry a lone surrogate).
    for (const [url, json, field] of [
      ['/api/v1/users', '{"userName":"a\\ud800b"}', 'userName'],
      ['/api/v1/users', '{"userName":"carol\\ufeff"}', 'userName'],
      ['/api/v1/users', '{"userName":"ok","displayName":"Car\\ufeffol"}', 'displayName'],
      ['/api/v1/users', '{"userName":"ok","attributes":{"team":"x\\udc00"}}', 'attributes.team'],
      ['/api/v1/users', '{"userName":"ok","emails":[{"value":"a\\uffff@example.com"}]}', 'emails[0].value'],
      ['/api/v1/groups', '{"displayName":"ops\\ud83d"}', 'displayName'],
    ] as const) {
      const r = await post(url, json);
      assert.equal(r.statusCode, 400, `${json} → ${r.statusCode} ${r.body}`);
      const body = JSON.parse(r.body) as { code: string; problems: { at: string; message: string }[] };
      assert.equal(body.code, 'invalid_input');
      assert.ok(
        body.problems.some((p) => p.at === field && /surrogate|U\+FEFF|U\+FFFF/.test(p.message)),
        `${json}: ${r.body}`,
      );
    }
    const users = JSON.parse(
      (await s.app.inject({ method: 'GET', url: '/api/v1/users', headers: { authorization: `Bearer ${s.token}` } }))
        .body,
    ) as { items: unknown[] };
    assert.equal(users.items.length, 0, 'nothing was stored');
    assert.equal(
      (await post('/api/v1/users', '{"userName":"emoji \\ud83d\\ude00"}')).statusCode,
      201,
      'a pair is fine',
    );
  });

  test('CLI and import: the same refusal, naming the field', async () => {
    const env = { KEYWAY_DATABASE_URL: s.config.databaseUrl, KEYWAY_MASTER_KEY: '11'.repeat(32) };
    const created = await runCliCaptured(['users', 'create', 'dana\ufeff'], env, dir);
    assert.equal(created.code, 1);
    assert.match(created.stderr, /userName.*U\+FEFF/);
    const lone = await runCliCaptured(['users', 'create', 'x', '--display-name', 'a\ud800'], env, dir);
    assert.equal(lone.code, 1);
    assert.match(lone.stderr, /displayName.*surrogate/);

    const file = join(dir, 'users.json');
    writeFileSync(file, '{"users":[{"userName":"erin\\ufeff"}]}');
    const imported = await runCliCaptured(['import', file], env, dir);
    assert.equal(imported.code, 1, imported.stdout + imported.stderr);
    assert.match(imported.stderr, /userName.*U\+FEFF/);
    assert.equal(await s.store.directory.findUserByUserName('erin'), null);
    assert.equal(await s.store.directory.findUserByUserName('dana'), null);
  });
});
