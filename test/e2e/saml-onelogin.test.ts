/**
 * Keyway's SSO endpoints judged by an independent SP library: python3-onelogin-saml2 in strict mode validates the
 * Responses Keyway serves over HTTP against Keyway's published metadata (signature, Destination, Audience,
 * Recipient, InResponseTo, time window), decrypts encrypted assertions, and rejects a tampered twin.
 * Black box: a real listening server, the real sign-in form, the admin API.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { hashPassword } from '../../src/auth/index.js';
import { systemActor } from '../../src/core/index.js';
import { issueApiToken, loadConfig, startServer, type RunningServer } from '../../src/server/index.js';
import { needPeers } from '../../src/saml/test-support/peers.js';
import { oneloginValidate } from '../../src/saml/test-support/onelogin.js';
import { testKeyPair } from '../../src/saml/test-support/keys.js';

const SP = 'https://sp.onelogin.test/metadata';
const ACS = 'https://sp.onelogin.test/acs';
const ENC_SP = 'https://enc.onelogin.test/metadata';
const ENC_ACS = 'https://enc.onelogin.test/acs';

const hidden = (html: string, name: string) =>
  new RegExp(`name="${name}" value="([^"]*)"`)
    .exec(html)?.[1]
    ?.replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"');

describe('Keyway responses over HTTP accepted by python onelogin in strict mode (SAML profiles 4.1.4.2-4.1.4.3)', () => {
  let dir: string;
  let keyway: RunningServer;
  let cookie = '';
  const ids: Record<string, string> = {};

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keyway-onelogin-'));
    const config = loadConfig(
      {
        KEYWAY_MASTER_KEY: '44'.repeat(32),
        KEYWAY_LOG_LEVEL: 'silent',
        KEYWAY_PORT: '0',
        KEYWAY_DATABASE_URL: `sqlite:${join(dir, 'k.db')}`,
      },
      { cwd: dir },
    );
    keyway = await startServer(config, { handleSignals: false });
    const { token } = await issueApiToken(keyway.store, systemActor('e2e'), 'e2e');
    const api = async (path: string, body: unknown) => {
      const res = await fetch(`${keyway.url}/api/v1${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await res.json()) as Record<string, unknown>;
      assert.ok(res.ok, JSON.stringify(json));
      return json;
    };
    const user = await api('/users', { userName: 'grace', emails: [{ value: 'grace@example.org', primary: true }] });
    await keyway.store.credentials.setPassword(String(user.id), await hashPassword('cobol compiler 1959'));
    const group = await api('/groups', { displayName: 'navy' });
    await fetch(`${keyway.url}/api/v1/groups/${String(group.id)}/members`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'user', id: user.id }),
    });
    const attrs = [
      { name: 'memberOf', source: 'groups' },
      { name: 'mail', source: 'user.email' },
    ];
    ids.plain = String(
      (
        await api('/apps', {
          name: 'Plain',
          entityId: SP,
          acs: [{ url: ACS }],
          allowedGroupIds: [group.id],
          attributes: attrs,
        })
      ).id,
    );
    ids.enc = String(
      (
        await api('/apps', {
          name: 'Encrypted',
          entityId: ENC_SP,
          acs: [{ url: ENC_ACS }],
          allowedGroupIds: [group.id],
          attributes: attrs,
          encryptionCertificate: testKeyPair('enc-sp').certificatePem,
        })
      ).id,
    );

    // Sign in through the real form (double-submit CSRF cookie, then the session cookie).
    const form = await fetch(`${keyway.url}/signin`);
    const csrfCookie = (form.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const page = await form.text();
    const signin = await fetch(`${keyway.url}/signin`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: csrfCookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        csrf: hidden(page, 'csrf') ?? '',
        returnTo: '/',
        userName: 'grace',
        password: 'cobol compiler 1959',
      }).toString(),
    });
    assert.equal(signin.status, 303);
    cookie = signin.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .filter((c) => c?.includes('session'))
      .join('; ');
    assert.ok(cookie, 'signed in');
  });
  after(async () => {
    await keyway?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const metadata = async () => (await fetch(`${keyway.url}/saml/metadata`)).text();

  test('SP-initiated and IdP-initiated responses validate; a tampered twin does not', async (t) => {
    if (!needPeers(t, 'onelogin')) return;
    const requestId = `_onelogin${Date.now()}`;
    const request = `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${requestId}" Version="2.0" IssueInstant="${new Date().toISOString()}" AssertionConsumerServiceURL="${ACS}"><saml:Issuer>${SP}</saml:Issuer></samlp:AuthnRequest>`;
    const sp = await fetch(
      `${keyway.url}/saml/sso?SAMLRequest=${encodeURIComponent(deflateRawSync(request).toString('base64'))}`,
      { headers: { cookie } },
    );
    const spInitiated = hidden(await sp.text(), 'SAMLResponse') ?? '';
    const idp = await fetch(`${keyway.url}/saml/apps/${ids.plain}/start`, { headers: { cookie } });
    const idpInitiated = hidden(await idp.text(), 'SAMLResponse') ?? '';
    const tampered = Buffer.from(
      Buffer.from(idpInitiated, 'base64').toString('utf8').replace('>grace@example.org<', '>mallory@example.org<'),
    ).toString('base64');
    const md = await metadata();
    const [a] = oneloginValidate(
      md,
      { spEntityId: SP, acsUrl: ACS, wantAssertionsSigned: true, wantMessagesSigned: true, requestId },
      [spInitiated],
    );
    assert.equal(a?.valid, true, a?.error ?? '');
    assert.deepEqual(a?.attributes?.memberOf, ['navy']);
    const [b, c] = oneloginValidate(
      md,
      { spEntityId: SP, acsUrl: ACS, wantAssertionsSigned: true, wantMessagesSigned: true },
      [idpInitiated, tampered],
    );
    assert.equal(b?.valid, true, b?.error ?? '');
    assert.deepEqual(b?.attributes?.mail, ['grace@example.org']);
    assert.equal(c?.valid, false, 'the tampered twin is rejected');
  });

  test('an app with an encryption certificate gets encrypted assertions the SP decrypts and validates', async (t) => {
    if (!needPeers(t, 'onelogin')) return;
    const res = await fetch(`${keyway.url}/saml/apps/${ids.enc}/start`, { headers: { cookie } });
    const b64 = hidden(await res.text(), 'SAMLResponse') ?? '';
    assert.match(Buffer.from(b64, 'base64').toString('utf8'), /<saml:EncryptedAssertion/);
    assert.doesNotMatch(Buffer.from(b64, 'base64').toString('utf8'), /grace@example\.org/);
    const sp = testKeyPair('enc-sp');
    const [r] = oneloginValidate(
      await metadata(),
      {
        spEntityId: ENC_SP,
        acsUrl: ENC_ACS,
        wantAssertionsSigned: true,
        wantMessagesSigned: true,
        wantAssertionsEncrypted: true,
        spKey: sp.privateKeyPem,
        spCert: sp.certificatePem,
      },
      [b64],
    );
    assert.equal(r?.valid, true, r?.error ?? '');
    assert.deepEqual(r?.attributes?.mail, ['grace@example.org']);
  });
});
