import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { hashPassword, sha256Hex } from '../../auth/index.js';
import { ALG, NAMEID_FORMAT } from '../../saml/index.js';
import { authnRequestXml, postForm, redirectQuery, signPost, SP_ACS, uniqueId } from '../../saml/test-support/sp.js';
import { testKeyPair } from '../../saml/test-support/keys.js';
import { needPeers, xmlsecVerify } from '../../saml/test-support/peers.js';
import type { SamlApplication } from '../../core/index.js';
import { decodeResponse, formAction, formFields, startSamlTestbed, type SamlTestbed } from './test-helpers.js';

const sp = testKeyPair('sp');

const cookiesOf = (res: { headers: Record<string, unknown> }): string => {
  const set = res.headers['set-cookie'];
  return (Array.isArray(set) ? set : set ? [set] : []).map((c: string) => c.split(';')[0]).join('; ');
};
const stranger = testKeyPair('stranger');

describe('SAML SSO endpoints (SAML profiles 4.1, bindings 3.4/3.5)', () => {
  let t: SamlTestbed;
  let app: SamlApplication;
  let cookie: string;

  before(async () => {
    t = await startSamlTestbed();
    app = await t.createApp({
      signingCertificates: [sp.certificatePem],
      requireSignedRequests: true,
      nameIdFormat: 'persistent',
      attributes: [
        { name: 'memberOf', source: 'groups' },
        { name: 'mail', source: 'user.email' },
      ],
    });
    ({ cookie } = await t.session(t.member));
  });
  after(async () => t.close());

  const get = (url: string, withCookie = true) =>
    t.s.app.inject({ method: 'GET', url, headers: withCookie ? { cookie } : {} });
  const redirect = (xml: string, f: Parameters<typeof redirectQuery>[1] = { key: sp }, withCookie = true) =>
    get(`/saml/sso?${redirectQuery(xml, f)}`, withCookie);
  const lastSso = async () => (await t.s.store.audit.query({ action: 'saml.sso', limit: 1 })).items[0];

  /** A refusal is a 400 page naming the code, audited, and the server keeps serving. */
  const refused = async (res: { statusCode: number; body: string }, code: string) => {
    assert.equal(res.statusCode, 400, res.body.slice(0, 400));
    assert.match(res.body, new RegExp(`error <code>${code}</code>`));
    assert.doesNotMatch(res.body, /SAMLResponse/);
    assert.equal((await lastSso())?.reason, code);
    assert.equal((await get('/saml/metadata', false)).statusCode, 200);
  };

  test('the IdP metadata is at a stable URL, lists both SSO bindings, SLO and the signing certificate, and downloads as a file', async () => {
    const res = await get('/saml/metadata', false);
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /^application\/samlmetadata\+xml/);
    assert.match(res.body, /entityID="https:\/\/keyway\.test\/saml\/metadata"/);
    assert.match(
      res.body,
      /SingleSignOnService Binding="urn:oasis:names:tc:SAML:2\.0:bindings:HTTP-Redirect" Location="https:\/\/keyway\.test\/saml\/sso"/,
    );
    assert.match(res.body, /SingleSignOnService Binding="urn:oasis:names:tc:SAML:2\.0:bindings:HTTP-POST"/);
    assert.match(
      res.body,
      /SingleLogoutService Binding="urn:oasis:names:tc:SAML:2\.0:bindings:HTTP-Redirect" Location="https:\/\/keyway\.test\/saml\/slo"/,
    );
    assert.equal(res.body.match(/<ds:X509Certificate>/g)?.length, 1);
    const download = await get('/saml/metadata?download=1', false);
    assert.equal(download.headers['content-disposition'], 'attachment; filename="keyway-idp-metadata.xml"');
  });

  test('a signed HTTP-Redirect AuthnRequest from a signed-in, allowed user is answered with a signed Response for the registered ACS', async (ctx) => {
    const id = uniqueId();
    const res = await redirect(authnRequestXml({ id }), { key: sp, relayState: 'back-to/page' });
    assert.equal(res.statusCode, 200, res.body.slice(0, 500));
    assert.equal(formAction(res.body), SP_ACS);
    assert.equal(formFields(res.body).RelayState, 'back-to/page');
    assert.match(res.body, /<button type="submit">Continue<\/button>/, 'works without JavaScript');
    assert.match(res.headers['content-security-policy'] as string, /form-action https:\/\/sp\.test/);
    const xml = decodeResponse(res.body);
    assert.match(xml, new RegExp(`InResponseTo="${id}"`));
    assert.match(xml, /Destination="https:\/\/sp\.test\/acs"/);
    assert.match(xml, /<saml:Audience>https:\/\/sp\.test\/metadata<\/saml:Audience>/);
    assert.match(xml, new RegExp(`Format="${NAMEID_FORMAT.persistent}"`));
    assert.match(xml, /PasswordProtectedTransport/);
    assert.match(
      xml,
      /<saml:AttributeValue>team &lt;&amp;&gt; "quotes"<\/saml:AttributeValue><saml:AttributeValue>wiki-users<\/saml:AttributeValue>/,
      'nested groups, multi-valued, escaped',
    );
    assert.equal((await lastSso())?.outcome, 'success');
    if (!needPeers(ctx, 'xmlsec1')) return;
    const metadata = (await get('/saml/metadata', false)).body;
    const cert = `-----BEGIN CERTIFICATE-----\n${/<ds:X509Certificate>([^<]+)</.exec(metadata)?.[1]}\n-----END CERTIFICATE-----\n`;
    assert.ok(
      xmlsecVerify([xml], cert, 'Assertion').ok,
      'xmlsec1 verifies the assertion with the metadata certificate',
    );
    assert.ok(xmlsecVerify([xml], cert, 'Response').ok, 'xmlsec1 verifies the response with the metadata certificate');
  });

  test('a signed HTTP-POST AuthnRequest is accepted with its RelayState kept, and a second session with a second factor gets the MFA context class', async () => {
    const mfa = await t.session(t.member, ['pwd', 'otp']);
    const relayState = 'post/relay?x=1&y="2"';
    const res = await t.s.app.inject({
      method: 'POST',
      url: '/saml/sso',
      headers: { cookie: mfa.cookie },
      payload: postForm(signPost(authnRequestXml(), sp), relayState),
    });
    assert.equal(res.statusCode, 200, res.body.slice(0, 300));
    assert.equal(formFields(res.body).RelayState, relayState, 'SAML bindings 3.5.3: RelayState comes back unchanged');
    assert.match(
      decodeResponse(res.body),
      /<saml:AuthnContextClassRef>https:\/\/refeds\.org\/profile\/mfa<\/saml:AuthnContextClassRef>/,
    );
  });

  test('an unauthenticated user goes to the sign-in page and comes back to a Response for the same request', async () => {
    const id = uniqueId();
    const res = await redirect(authnRequestXml({ id }), { key: sp, relayState: 'rs' }, false);
    assert.equal(res.statusCode, 303);
    const location = res.headers.location as string;
    assert.match(location, /^\/signin\?returnTo=%2Fsaml%2Fsso%2Fresume%3Ft%3D/);
    const resume = decodeURIComponent(location.slice('/signin?returnTo='.length));
    const back = await get(resume);
    assert.equal(back.statusCode, 200);
    assert.match(decodeResponse(back.body), new RegExp(`InResponseTo="${id}"`));
    assert.equal(formFields(back.body).RelayState, 'rs');
    const forged = await get(`${resume.slice(0, -3)}abc`);
    assert.equal(forged.statusCode, 400);
    assert.match(forged.body, /sign-in link has expired/);
  });

  test('a user outside the allowed groups gets a clear 403 page and an audit record, not a SAML error', async () => {
    const eve = await t.session(t.outsider);
    const res = await t.s.app.inject({
      method: 'GET',
      url: `/saml/sso?${redirectQuery(authnRequestXml(), { key: sp })}`,
      headers: { cookie: eve.cookie },
    });
    assert.equal(res.statusCode, 403);
    assert.match(res.body, /You cannot use Wiki/);
    assert.match(res.body, /not in a group that may use Wiki/);
    const audit = await lastSso();
    assert.equal(audit?.reason, 'not_allowed');
    assert.equal(audit?.actor.id, t.outsider.id);
  });

  test('refuses an AuthnRequest from an unknown SP issuer (SAML profiles 4.1.4.1)', async () => {
    await refused(await redirect(authnRequestXml({ issuer: 'https://unknown.example/sp' })), 'unknown_issuer');
  });

  test('refuses an AuthnRequest whose ACS URL is not registered (SAML core 3.4.1)', async () => {
    await refused(await redirect(authnRequestXml({ acsUrl: 'https://evil.example/acs' })), 'acs_not_registered');
  });

  test('refuses an unsigned AuthnRequest from an SP that must sign (SAML metadata 2.4.4)', async () => {
    await refused(await redirect(authnRequestXml(), {}), 'signature_missing');
  });

  test("refuses an AuthnRequest signed with a key that is not the SP's (SAML bindings 3.4.4.1)", async () => {
    await refused(await redirect(authnRequestXml(), { key: stranger }), 'signature_invalid');
    await refused(
      await t.s.app.inject({
        method: 'POST',
        url: '/saml/sso',
        headers: { cookie },
        payload: postForm(signPost(authnRequestXml(), stranger)),
      }),
      'signature_invalid',
    );
  });

  test('refuses a SHA-1 signature unless the app opts in (docs/security.md, SAML rule 3)', async () => {
    await refused(await redirect(authnRequestXml(), { key: sp, sigAlg: ALG.rsaSha1 }), 'sha1_refused');
  });

  test('refuses a signature that covers a different element than the one used (wrapping)', async () => {
    const genuine = signPost(authnRequestXml(), sp);
    const wrapped = authnRequestXml({
      acsUrl: 'https://evil.example/acs',
      extra: `<samlp:Extensions>${genuine}</samlp:Extensions>`,
    });
    await refused(
      await t.s.app.inject({ method: 'POST', url: '/saml/sso', headers: { cookie }, payload: postForm(wrapped) }),
      'signature_wrapping',
    );
    const sig = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(genuine)?.[0] ?? '';
    await refused(
      await t.s.app.inject({
        method: 'POST',
        url: '/saml/sso',
        headers: { cookie },
        payload: postForm(genuine.replace(sig, sig + sig)),
      }),
      'signature_wrapping',
    );
  });

  test('refuses XML with a DOCTYPE or an external entity before any cryptography', async () => {
    const xml = `<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>${authnRequestXml()}`;
    await refused(await redirect(xml, { key: sp }), 'dtd_forbidden');
  });

  test('refuses invalid base64 and invalid DEFLATE in the Redirect binding', async () => {
    await refused(await get('/saml/sso?SAMLRequest=%21%21%21not-base64'), 'bad_base64');
    await refused(
      await get(`/saml/sso?SAMLRequest=${encodeURIComponent(Buffer.from('not deflate at all').toString('base64'))}`),
      'bad_deflate',
    );
  });

  test('refuses oversized messages, including a deflate bomb, without inflating them fully', async () => {
    const bomb = deflateRawSync(Buffer.alloc(20 * 1024 * 1024, 0x20)).toString('base64');
    await refused(await get(`/saml/sso?SAMLRequest=${encodeURIComponent(bomb)}`), 'too_large');
    const big = authnRequestXml({ extra: `<samlp:Extensions>${'<x/>'.repeat(100_000)}</samlp:Extensions>` });
    await refused(
      await t.s.app.inject({ method: 'POST', url: '/saml/sso', headers: { cookie }, payload: postForm(big) }),
      'too_large',
    );
  });

  test('refuses a replayed AuthnRequest ID (docs/security.md, SAML rule 4)', async () => {
    const xml = authnRequestXml({ id: uniqueId() });
    assert.equal((await redirect(xml)).statusCode, 200);
    await refused(await redirect(xml), 'replayed');
  });

  test('refuses a stale IssueInstant and one from the future', async () => {
    await refused(await redirect(authnRequestXml({ issueInstant: new Date(Date.now() - 3_600_000) })), 'stale');
    await refused(await redirect(authnRequestXml({ issueInstant: new Date(Date.now() + 3_600_000) })), 'not_yet_valid');
  });

  test('refuses RelayState over 80 bytes (SAML bindings 3.4.3)', async () => {
    await refused(await redirect(authnRequestXml(), { key: sp, relayState: 'é'.repeat(41) }), 'relay_state_too_long');
  });

  test('answers a NameID format the app does not issue with an InvalidNameIDPolicy Response to the registered ACS (SAML core 3.4.1.1)', async () => {
    const id = uniqueId();
    const res = await redirect(authnRequestXml({ id, nameIdFormat: NAMEID_FORMAT.emailAddress }), {
      key: sp,
      relayState: 'keep',
    });
    assert.equal(res.statusCode, 200);
    assert.equal(formAction(res.body), SP_ACS);
    assert.equal(formFields(res.body).RelayState, 'keep');
    const xml = decodeResponse(res.body);
    assert.match(
      xml,
      /<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2\.0:status:Requester"><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2\.0:status:InvalidNameIDPolicy"\/?>/,
    );
    assert.doesNotMatch(xml, /<saml:Assertion/);
    assert.match(xml, new RegExp(`InResponseTo="${id}"`));
  });

  test("a request for transient NameIDs gets a fresh transient NameID whatever the app's format (SAML core 8.3.8)", async () => {
    const res = await redirect(authnRequestXml({ nameIdFormat: NAMEID_FORMAT.transient }), { key: sp }, false);
    const back = await get(decodeURIComponent((res.headers.location as string).slice('/signin?returnTo='.length)));
    const xml = decodeResponse(back.body);
    assert.match(xml, new RegExp(`<saml:NameID Format="${NAMEID_FORMAT.transient}"[^>]*>_[0-9a-f]{40}</saml:NameID>`));
  });

  test('a RequestedAuthnContext the session cannot meet is answered NoAuthnContext; one it meets gets the assertion (SAML core 3.3.2.2.1)', async () => {
    const mfa =
      '<samlp:RequestedAuthnContext Comparison="exact"><saml:AuthnContextClassRef>https://refeds.org/profile/mfa</saml:AuthnContextClassRef></samlp:RequestedAuthnContext>';
    const refused = decodeResponse((await redirect(authnRequestXml({ extra: mfa }), { key: sp })).body);
    assert.match(
      refused,
      /status:Responder"><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2\.0:status:NoAuthnContext"/,
    );
    assert.doesNotMatch(refused, /<saml:Assertion/);
    assert.equal((await lastSso())?.reason, 'no_authn_context');
    const withOtp = await t.session(t.member, ['pwd', 'otp']);
    const ok = await t.s.app.inject({
      method: 'GET',
      url: `/saml/sso?${redirectQuery(authnRequestXml({ extra: mfa }), { key: sp })}`,
      headers: { cookie: withOtp.cookie },
    });
    assert.match(decodeResponse(ok.body), /<saml:Assertion /);
    const minimum =
      '<samlp:RequestedAuthnContext Comparison="minimum"><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password</saml:AuthnContextClassRef></samlp:RequestedAuthnContext>';
    assert.match(
      decodeResponse((await redirect(authnRequestXml({ extra: minimum }), { key: sp })).body),
      /PasswordProtectedTransport/,
    );
  });

  test('a passive request for a user who is not signed in is answered NoPassive instead of showing the sign-in page (SAML core 3.4.1)', async () => {
    const id = uniqueId();
    const res = await redirect(
      authnRequestXml({ id }).replace('Version="2.0"', 'IsPassive="true" Version="2.0"'),
      { key: sp },
      false,
    );
    assert.equal(res.statusCode, 200);
    assert.equal(formAction(res.body), SP_ACS);
    const xml = decodeResponse(res.body);
    assert.match(xml, /status:NoPassive/);
    assert.match(xml, new RegExp(`InResponseTo="${id}"`));
  });

  test('ForceAuthn sends a signed-in user through the sign-in page again; the older session cannot answer, the new one keeps its SPs for single logout (SAML core 3.4.1)', async () => {
    const password = 'force authn passphrase';
    await t.s.store.credentials.setPassword(t.member.id, await hashPassword(password));
    const old = await t.session(t.member);
    const other = await t.createApp({
      name: 'Tracker',
      entityId: 'https://tracker.test',
      acs: [{ url: 'https://tracker.test/acs' }],
    });
    await t.s.app.inject({ method: 'GET', url: `/saml/apps/${other.id}/start`, headers: { cookie: old.cookie } });
    await new Promise((r) => setTimeout(r, 5));
    const id = uniqueId();
    const forced = authnRequestXml({ id }).replace('Version="2.0"', 'ForceAuthn="true" Version="2.0"');
    const res = await t.s.app.inject({
      method: 'GET',
      url: `/saml/sso?${redirectQuery(forced, { key: sp, relayState: 'fa' })}`,
      headers: { cookie: old.cookie },
    });
    assert.equal(res.statusCode, 303, 'a live session does not get a Response');
    const signIn = res.headers.location as string;
    assert.match(signIn, /^\/signin\?returnTo=%2Fsaml%2Fsso%2Fresume%3Ft%3D[^&]+&reauth=1$/);
    const resume = decodeURIComponent(/returnTo=([^&]+)/.exec(signIn)?.[1] ?? '');
    const withOld = await t.s.app.inject({ method: 'GET', url: resume, headers: { cookie: old.cookie } });
    assert.equal(withOld.statusCode, 303, 'the session from before the request cannot answer it');
    assert.match(withOld.headers.location as string, /&reauth=1$/);

    const form = await t.s.app.inject({ method: 'GET', url: signIn, headers: { cookie: old.cookie } });
    assert.equal(form.statusCode, 200, 'the sign-in page is shown to a signed-in user');
    assert.match(form.body, /asks you to sign in again/);
    const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
    const before = Date.now();
    const posted = await t.s.app.inject({
      method: 'POST',
      url: '/signin',
      headers: { cookie: `${old.cookie}; ${cookiesOf(form)}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ userName: 'ada', password, csrf, returnTo: resume }).toString(),
    });
    assert.equal(posted.statusCode, 303, posted.body.slice(0, 300));
    assert.equal(posted.headers.location, resume);
    assert.equal(await t.s.store.sessions.get(old.idHash), null, 'the new sign-in replaced the old session');
    const back = await t.s.app.inject({ method: 'GET', url: resume, headers: { cookie: cookiesOf(posted) } });
    assert.equal(back.statusCode, 200, back.body.slice(0, 300));
    assert.equal(formFields(back.body).RelayState, 'fa');
    const xml = decodeResponse(back.body);
    assert.match(xml, new RegExp(`InResponseTo="${id}"`));
    const authnInstant = Date.parse(/AuthnInstant="([^"]+)"/.exec(xml)?.[1] ?? '');
    assert.ok(authnInstant >= before - 1000, 'AuthnInstant is the new sign-in');
    const sessionCookie = /=([A-Za-z0-9_-]{43})/.exec(cookiesOf(posted))?.[1] ?? '';
    const fresh = await t.s.store.sessions.get(sha256Hex(sessionCookie));
    const sps = (fresh?.data.saml as { sps?: { appId: string }[] } | undefined)?.sps ?? [];
    assert.deepEqual(
      sps.map((s) => s.appId).sort(),
      [app.id, other.id].sort(),
      'single logout still knows the SP the old session signed in to',
    );
  });

  test('ForceAuthn together with IsPassive is answered NoPassive even with a live session (SAML core 3.4.1)', async () => {
    const id = uniqueId();
    const res = await redirect(
      authnRequestXml({ id }).replace('Version="2.0"', 'ForceAuthn="true" IsPassive="true" Version="2.0"'),
      { key: sp },
    );
    assert.equal(res.statusCode, 200);
    assert.equal(formAction(res.body), SP_ACS);
    const xml = decodeResponse(res.body);
    assert.match(xml, /status:NoPassive/);
    assert.doesNotMatch(xml, /<saml:Assertion/);
  });

  test('random and truncated messages on every SAML endpoint are answered with a clear 4xx, never a 500', async () => {
    const genuine = signPost(authnRequestXml(), sp);
    const samples: string[] = [];
    for (let i = 0; i < 20; i++) {
      const cut = genuine.slice(0, Math.floor((genuine.length * i) / 20));
      samples.push(
        Buffer.from(cut).toString('base64'),
        encodeURIComponent(Buffer.from(cut).toString('base64')),
        cut.replace(/[<>]/g, (c) => (i % 2 ? c : '&')),
      );
    }
    samples.push(
      '',
      '=',
      '%',
      '%%',
      '\u0000',
      'A'.repeat(10_000),
      Buffer.from('<a/>').toString('base64'),
      Buffer.from('\uFEFF<?xml version="1.0"?><x/>').toString('base64'),
    );
    for (const sample of samples) {
      for (const [method, url, payload] of [
        ['GET', `/saml/sso?SAMLRequest=${encodeURIComponent(sample)}&RelayState=x`, undefined],
        ['POST', '/saml/sso', { SAMLRequest: sample }],
        ['GET', `/saml/slo?SAMLRequest=${encodeURIComponent(sample)}`, undefined],
        ['POST', '/saml/slo', { SAMLResponse: sample }],
      ] as const) {
        const res = await t.s.app.inject({ method, url, headers: { cookie }, ...(payload ? { payload } : {}) });
        assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${method} ${url.slice(0, 60)} → ${res.statusCode}`);
      }
    }
    assert.equal((await get('/saml/metadata', false)).statusCode, 200);
  });

  test('SSO outcomes and refusals are counted in Prometheus metrics', async () => {
    const text = await t.s.metrics();
    assert.match(text, /keyway_saml_sso_total\{flow="sp-initiated",outcome="issued"\} [1-9]/);
    assert.match(text, /keyway_saml_messages_refused_total\{code="unknown_issuer"\} 1/);
  });

  test('IdP-initiated SSO from the stable per-app URL carries RelayState and no InResponseTo', async () => {
    const res = await get(`/saml/apps/${app.id}/start?RelayState=%2Fdocs`);
    assert.equal(res.statusCode, 200);
    assert.equal(formFields(res.body).RelayState, '/docs');
    assert.doesNotMatch(decodeResponse(res.body), /InResponseTo/);
    assert.equal((await get(`/saml/apps/${app.id}/start?RelayState=${'x'.repeat(81)}`)).statusCode, 400);
    assert.equal((await get('/saml/apps/no-such-app/start')).statusCode, 404);
    const withDefault = await t.createApp({
      name: 'Docs',
      entityId: 'https://docs.test',
      acs: [{ url: 'https://docs.test/acs' }],
      defaultRelayState: '/home',
    });
    assert.equal(
      formFields((await get(`/saml/apps/${withDefault.id}/start`)).body).RelayState,
      '/home',
      "the app's default RelayState when the link has none",
    );
    assert.equal(
      formFields((await get(`/saml/apps/${withDefault.id}/start?RelayState=%2Fother`)).body).RelayState,
      '/other',
    );
    const anonymous = await get(`/saml/apps/${app.id}/start`, false);
    assert.equal(anonymous.statusCode, 303);
    assert.match(anonymous.headers.location as string, /^\/signin\?returnTo=%2Fsaml%2Fapps%2F/);
  });

  test('the portal shows tiles only for the apps the user may use', async () => {
    await t.createApp({ name: 'Hidden', entityId: 'https://hidden.test', allowedGroupIds: [] });
    const home = await get('/');
    assert.match(home.body, /Wiki/);
    assert.doesNotMatch(home.body, /Hidden/);
    assert.match(home.body, new RegExp(`/saml/apps/${app.id}/start`));
    const eve = await t.session(t.outsider);
    const other = await t.s.app.inject({ method: 'GET', url: '/', headers: { cookie: eve.cookie } });
    assert.doesNotMatch(other.body, /Wiki/);
  });
});
