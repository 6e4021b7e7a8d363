import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSigningKeyStore } from '../../store/index.js';
import { needPeers, xmlsecVerify } from '../../saml/test-support/peers.js';
import { testKeyPair } from '../../saml/test-support/keys.js';
import { createKeyVault } from './keys/key-material.js';
import { masterKeyFrom } from './keys/master-key.js';
import { decodeResponse, startSamlTestbed, type SamlTestbed } from './test-helpers.js';

const certsIn = (metadata: string) => [...metadata.matchAll(/<ds:X509Certificate>([^<]+)</g)].map((m) => m[1] ?? '');
const _pem = (b64: string) => `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
const body = (pemCert: string) => pemCert.replace(/-----[^-]+-----|\s+/g, '');

describe('signing key rotation over the admin API (SAML metadata 2.4.1.1 key rollover)', () => {
  let t: SamlTestbed;
  let cookie: string;
  let appId: string;
  before(async () => {
    t = await startSamlTestbed();
    appId = (await t.createApp({})).id;
    ({ cookie } = await t.session(t.member));
  });
  after(async () => t.close());

  const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    t.s.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${t.s.token}` },
      ...(payload ? { payload } : {}),
    });
  const metadata = async () => (await t.s.app.inject({ method: 'GET', url: '/saml/metadata' })).body;
  const issue = async () =>
    decodeResponse(
      (await t.s.app.inject({ method: 'GET', url: `/saml/apps/${appId}/start`, headers: { cookie } })).body,
    );

  test('rotate publishes a next key beside the current one; promote makes it sign; retire removes the old one', async (ctx) => {
    const [first] = (await api('GET', '/keys')).json().items as { id: string; state: string; certificatePem: string }[];
    assert.equal(first?.state, 'current');
    const rotated = await api('POST', '/keys/rotate');
    assert.equal(rotated.statusCode, 201);
    const next = rotated.json() as { id: string; state: string; certificatePem: string };
    assert.equal(next.state, 'next');
    assert.equal((await api('POST', '/keys/rotate')).statusCode, 409, 'one rotation at a time');
    assert.deepEqual(
      certsIn(await metadata()),
      [body(first?.certificatePem ?? ''), body(next.certificatePem)],
      'current first, then next',
    );
    const download = await api('GET', '/idp-metadata');
    assert.equal(download.statusCode, 200);
    assert.equal(download.headers['content-disposition'], 'attachment; filename="keyway-idp-metadata.xml"');
    assert.equal(download.body, await metadata(), 'the admin API serves the published metadata');
    assert.equal(
      (await t.s.app.inject({ method: 'GET', url: '/api/v1/idp-metadata' })).statusCode,
      401,
      'with a token only',
    );

    const before = await issue();
    assert.equal((await api('POST', `/keys/${next.id}/promote`)).statusCode, 200);
    const afterPromote = await issue();
    assert.deepEqual(
      certsIn(await metadata()),
      [body(next.certificatePem), body(first?.certificatePem ?? '')],
      'the old key stays published as previous',
    );
    assert.equal((await api('POST', `/keys/${next.id}/retire`)).statusCode, 409, 'the current key cannot be retired');
    assert.equal((await api('POST', `/keys/${first?.id}/retire`)).statusCode, 200);
    assert.deepEqual(certsIn(await metadata()), [body(next.certificatePem)], 'a retired key disappears from metadata');
    assert.equal((await api('POST', '/keys/nope/promote')).statusCode, 404);

    const actions = (await t.s.store.audit.query({ limit: 20 })).items.map((e) => e.action);
    for (const a of ['saml.key.rotated', 'saml.key.promoted', 'saml.key.retired'])
      assert.ok(actions.includes(a), `audited ${a}`);

    if (!needPeers(ctx, 'xmlsec1')) return;
    assert.ok(
      xmlsecVerify([before], first?.certificatePem ?? '', 'Assertion').ok,
      'before promotion the first key signs',
    );
    assert.ok(xmlsecVerify([afterPromote], next.certificatePem, 'Assertion').ok, 'the promoted key signs');
    assert.equal(
      xmlsecVerify([afterPromote], first?.certificatePem ?? '', 'Assertion').ok,
      false,
      'and the old one no longer does',
    );
  });

  test('private keys are not readable in the database without the master key', async () => {
    const rows = await t.s.store.db
      .withTables<{ saml_signing_keys: { encrypted_private_key: string } }>()
      .selectFrom('saml_signing_keys')
      .select('encrypted_private_key')
      .execute();
    assert.ok(rows.length >= 1);
    for (const r of rows) {
      assert.doesNotMatch(r.encrypted_private_key, /PRIVATE KEY|^MII/);
      assert.match(r.encrypted_private_key, /^kw1:[0-9a-f]{16}:/);
    }
    const [key] = await createSigningKeyStore(t.s.store.db).list();
    assert.ok(key);
    assert.throws(
      () => createKeyVault(masterKeyFrom(randomBytes(32))).privateKey(key),
      /sealed with another master key/,
    );
    assert.doesNotMatch(
      (await api('GET', '/keys')).body,
      /kw1:|PRIVATE/,
      'the API never returns sealed or private keys',
    );
  });
});

describe('SAML applications over the admin API', () => {
  let t: SamlTestbed;
  before(async () => {
    t = await startSamlTestbed();
  });
  after(async () => t.close());
  const api = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: object,
    headers: Record<string, string> = {},
  ) =>
    t.s.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${t.s.token}`, ...headers },
      ...(payload ? { payload } : {}),
    });

  const spCert = testKeyPair('sp').certificatePem;
  const metadataXml = `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://shop.example/sp">
<md:SPSSODescriptor AuthnRequestsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${body(spCert)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://shop.example/slo"/>
<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://shop.example/acs" index="1"/>
<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://shop.example/acs2" index="2" isDefault="true"/>
</md:SPSSODescriptor></md:EntityDescriptor>`;

  test('an app created from SP metadata takes its entity ID, ACS endpoints, SLO, certificate, signing promise and NameID format; fields given beside it win', async () => {
    const res = await api('POST', '/apps', {
      metadataXml,
      name: 'Shop',
      allowedGroupIds: [t.allowed.id],
      attributes: [{ name: 'memberOf', source: 'groups' }],
    });
    assert.equal(res.statusCode, 201, res.body);
    const app = res.json();
    assert.equal(app.entityId, 'https://shop.example/sp');
    assert.equal(app.name, 'Shop');
    assert.deepEqual(app.acs, [
      { url: 'https://shop.example/acs', index: 1, isDefault: false },
      { url: 'https://shop.example/acs2', index: 2, isDefault: true },
    ]);
    assert.deepEqual(app.slo, { url: 'https://shop.example/slo', binding: 'HTTP-Redirect', responseUrl: null });
    assert.equal(app.requireSignedRequests, true);
    assert.equal(app.nameIdFormat, 'emailAddress');
    assert.equal(app.nameIdSource, 'user.email');
    assert.equal(app.signingCertificates.length, 1);
    assert.equal(app.persistentIdSecret, undefined, 'the persistent-ID secret never leaves the server');
    assert.equal(app.links.idpMetadata, 'https://keyway.test/saml/metadata');
    assert.equal(res.headers.etag, '"1"');
    const audit = (await t.s.store.audit.query({ action: 'application.created' })).items[0];
    assert.equal(audit?.target?.id, app.id);
    assert.equal(JSON.stringify(audit).includes('persistentIdSecret'), false);

    const patched = await api(
      'PATCH',
      `/apps/${app.id}`,
      { signResponse: false, sessionDurationSeconds: 3600 },
      { 'if-match': '"1"' },
    );
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(patched.json().signResponse, false);
    assert.equal(
      (await api('PATCH', `/apps/${app.id}`, { name: 'x' }, { 'if-match': '"1"' })).statusCode,
      412,
      'a stale If-Match is refused',
    );
    const refreshed = await api('PATCH', `/apps/${app.id}`, {
      metadataXml: metadataXml.replace('https://shop.example/slo', 'https://shop.example/logout'),
    });
    assert.equal(refreshed.json().name, 'Shop', 'refreshing the metadata keeps the name');
    assert.equal(refreshed.json().slo.url, 'https://shop.example/logout');
    assert.equal((await api('POST', '/apps', { metadataXml })).statusCode, 409, 'one app per entity ID');
    const download = await api('GET', `/apps/${app.id}/idp-metadata`);
    assert.match(
      download.headers['content-disposition'] as string,
      /attachment; filename="keyway-idp-metadata-Shop\.xml"/,
    );
    assert.equal((await api('DELETE', `/apps/${app.id}`)).statusCode, 204);
    assert.equal((await api('GET', `/apps/${app.id}`)).statusCode, 404);
    assert.equal((await t.s.store.audit.query({ action: 'application.deleted' })).items.length, 1);
  });

  test('bad application input is refused with every problem named, and nothing is written', async () => {
    const before = (await api('GET', '/apps')).json().total;
    const res = await api('POST', '/apps', {
      name: 'Bad',
      entityId: 'urn:bad',
      acs: [{ url: 'ftp://x' }],
      nameIdSource: 'user.password',
      attributes: [{ name: 'a', source: 'nope' }],
      signResponse: false,
      signAssertion: false,
      allowedGroupIds: ['no-such-group'],
    });
    assert.equal(res.statusCode, 400);
    const ats = (res.json().problems as { at: string }[]).map((p) => p.at);
    for (const at of ['acs[0].url', 'nameIdSource', 'attributes[0].source', 'signAssertion'])
      assert.ok(ats.includes(at), `${at} in ${ats.join(',')}`);
    assert.equal(
      (
        await api('POST', '/apps', {
          name: 'G',
          entityId: 'urn:g',
          acs: [{ url: 'https://g.example/acs' }],
          allowedGroupIds: ['no-such-group'],
        })
      ).json().problems[0].message,
      'no group with id no-such-group',
    );
    assert.equal((await api('POST', '/apps', { metadataXml: '<!DOCTYPE x><x/>' })).statusCode, 400);
    assert.match(
      (await api('POST', '/apps', { metadataXml: '<!DOCTYPE x><x/>' })).json().message,
      /SP metadata cannot be used/,
    );
    assert.equal(
      (await api('POST', '/apps', { name: 'x', unknownField: 1 })).statusCode,
      400,
      'unknown fields are refused',
    );
    assert.equal((await api('GET', '/apps')).json().total, before);
  });

  test('test sign-in shows the NameID, attributes and signed Response for an allowed user, and every reason for a refused one', async () => {
    const app = (
      await api('POST', '/apps', {
        name: 'Tester',
        entityId: 'https://tester.example',
        acs: [{ url: 'https://tester.example/acs' }],
        allowedGroupIds: [t.allowed.id],
        nameIdFormat: 'unspecified',
        attributes: [
          { name: 'memberOf', source: 'groups' },
          { name: 'id', source: 'user.externalId', required: true },
        ],
      })
    ).json();
    const refused = (await api('POST', `/apps/${app.id}/test-signin`, { user: 'eve' })).json();
    assert.equal(refused.allowed, false);
    assert.match(
      refused.problems.join(' | '),
      /eve is not a member \(direct or nested\) of any of the 1 groups allowed to use Tester/,
    );
    assert.match(refused.problems.join(' | '), /no value for user\.externalId/);
    assert.equal(refused.responseXml, null);
    await api('PATCH', `/apps/${app.id}`, { attributes: [{ name: 'memberOf', source: 'groups' }] });
    const ok = (await api('POST', `/apps/${app.id}/test-signin`, { user: 'ada', authMethods: ['pwd', 'otp'] })).json();
    assert.equal(ok.allowed, true, ok.problems.join());
    assert.deepEqual(ok.grantingGroups, ['wiki-users']);
    assert.equal(ok.content.nameId, 'ada');
    assert.deepEqual(ok.content.attributes[0].values, ['team <&> "quotes"', 'wiki-users']);
    assert.match(ok.responseXml, /<ds:Signature/);
    assert.match(ok.responseXml, /refeds\.org\/profile\/mfa/);
    assert.equal((await api('POST', `/apps/${app.id}/test-signin`, { user: 'nobody' })).statusCode, 404);
    assert.equal((await t.s.store.audit.query({ action: 'application.test_signin' })).items.length, 2);
    const file = await t.s.app.inject({ method: 'GET', url: `/saml/apps/${app.id}/metadata` });
    assert.equal(file.headers['content-disposition'], 'attachment; filename="keyway-idp-metadata-Tester.xml"');
    assert.match(file.body, /<md:EntityDescriptor/);
  });

  test('the OpenAPI document describes /apps and /keys', async () => {
    const doc = (await t.s.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    for (const p of ['/api/v1/apps', '/api/v1/apps/{id}', '/api/v1/keys', '/api/v1/keys/rotate'])
      assert.ok(doc.paths[p], p);
  });
});
