import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authnRequestXml, redirectQuery, uniqueId } from '../../saml/test-support/sp.js';
import { testKeyPair } from '../../saml/test-support/keys.js';
import { decodeResponse } from './test-helpers.js';
import { startTestServer } from '../testing.js';
import { newSessionSecrets } from '../../auth/index.js';
import { systemActor } from '../../core/index.js';
import { sessionCookieName } from '../session.js';
import { createSamlRuntimeFrom } from './runtime.js';
import { missingPostgres, POSTGRES_TEST_URL } from '../../testing/index.js';

test('SSO, replay protection and key rotation work the same on PostgreSQL (docs/storage.md)', {
  skip: await missingPostgres(),
}, async () => {
  const schema = `kw_saml_${globalThis.crypto.randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const s = await startTestServer({
    KEYWAY_BASE_URL: 'https://keyway.test',
    KEYWAY_DATABASE_URL: `${POSTGRES_TEST_URL}?schema=${schema}`,
    KEYWAY_LOG_LEVEL: process.env.DBG ? 'error' : 'silent',
  });
  try {
    const actor = systemActor('pg-test');
    const sp = testKeyPair('sp');
    const rt = createSamlRuntimeFrom({ config: s.config, store: s.store });
    const group = await s.store.directory.createGroup(actor, { displayName: 'g' });
    const user = await s.store.directory.createUser(actor, { userName: 'pg-user' });
    await s.store.directory.addMember(actor, group.id, { kind: 'user', id: user.id });
    await rt.apps.create(actor, {
      name: 'PG',
      entityId: 'https://sp.test/metadata',
      acs: [{ url: 'https://sp.test/acs' }],
      signingCertificates: [sp.certificatePem],
      allowedGroupIds: [group.id],
    });
    const { id, idHash, csrfSecret } = newSessionSecrets();
    const now = new Date();
    await s.store.sessions.create({
      idHash,
      userId: user.id,
      createdAt: now.toISOString(),
      lastSeenAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + 3_600_000).toISOString(),
      authMethods: ['pwd'],
      csrfSecret,
      data: {},
    });
    const cookie = `${sessionCookieName(s.config)}=${id}`;
    const url = `/saml/sso?${redirectQuery(authnRequestXml({ id: uniqueId() }), { key: sp })}`;
    const first = await s.app.inject({ method: 'GET', url, headers: { cookie } });
    assert.equal(first.statusCode, 200, first.body.slice(0, 300));
    assert.match(decodeResponse(first.body), /<saml:Assertion /);
    const replay = await s.app.inject({ method: 'GET', url, headers: { cookie } });
    assert.match(replay.body, /error <code>replayed<\/code>/);
    const next = await rt.keys.rotate(actor);
    await assert.rejects(rt.keys.rotate(actor), /already waiting as next/);
    await rt.keys.promote(actor, next.id);
    assert.equal((await rt.keys.list()).filter((k) => k.state === 'current').length, 1);
  } finally {
    await s.store.db.schema.dropSchema(schema).ifExists().cascade().execute();
    await s.close();
  }
});
