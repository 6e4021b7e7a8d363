import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateRawSync } from 'node:zlib';
import { buildLogoutRequest, buildLogoutResponse, NAMEID_FORMAT } from '../../saml/index.js';
import { redirectQuery } from '../../saml/test-support/sp.js';
import { testKeyPair } from '../../saml/test-support/keys.js';
import type { SamlApplication } from '../../core/index.js';
import { decodeResponse, formAction, formFields, startSamlTestbed, type SamlTestbed } from './test-helpers.js';

const spA = testKeyPair('sp');
const spB = testKeyPair('sp-b');
const SLO = 'https://keyway.test/saml/slo';

const cookiesOf = (res: { headers: Record<string, unknown> }): string => {
  const set = res.headers['set-cookie'];
  return (Array.isArray(set) ? set : set ? [set] : []).map((c: string) => c.split(';')[0]).join('; ');
};
const redirectMessage = (location: string, param: 'SAMLRequest' | 'SAMLResponse') =>
  inflateRawSync(Buffer.from(new URL(location).searchParams.get(param) ?? '', 'base64')).toString('utf8');

describe('single logout (SAML profiles 4.4)', () => {
  let t: SamlTestbed;
  let a: SamlApplication;
  let b: SamlApplication;
  before(async () => {
    t = await startSamlTestbed();
    a = await t.createApp({
      name: 'A',
      signingCertificates: [spA.certificatePem],
      slo: { url: 'https://sp.test/slo' },
    });
    b = await t.createApp({
      name: 'B',
      entityId: 'https://sp-b.test',
      acs: [{ url: 'https://sp-b.test/acs' }],
      signingCertificates: [spB.certificatePem],
      slo: { url: 'https://sp-b.test/slo', binding: 'HTTP-POST' },
    });
  });
  after(async () => t.close());

  /** Signs the user in to both apps and returns what each SP received. */
  const signedInToBoth = async () => {
    const session = await t.session(t.member);
    const nameIds: Record<string, string> = {};
    for (const app of [a, b]) {
      const res = await t.s.app.inject({
        method: 'GET',
        url: `/saml/apps/${app.id}/start`,
        headers: { cookie: session.cookie },
      });
      nameIds[app.id] = /<saml:NameID[^>]*>([^<]+)</.exec(decodeResponse(res.body))?.[1] ?? '';
    }
    return { ...session, nameIds };
  };

  test('an SP-initiated LogoutRequest ends the Keyway session, notifies the other SP, then answers with a signed LogoutResponse', async () => {
    const s = await signedInToBoth();
    const request = buildLogoutRequest({
      issuer: a.entityId,
      destination: SLO,
      nameId: { value: s.nameIds[a.id] ?? '', format: NAMEID_FORMAT.persistent },
    });
    const first = await t.s.app.inject({
      method: 'GET',
      url: `/saml/slo?${redirectQuery(request.xml, { key: spA, relayState: 'rs-a' })}`,
      headers: { cookie: s.cookie },
    });
    assert.equal(first.statusCode, 200, first.body.slice(0, 400));
    assert.equal(await t.s.store.sessions.get(s.idHash), null, 'the Keyway session ended');
    assert.equal(formAction(first.body), 'https://sp-b.test/slo', 'B is notified over its HTTP-POST SLO endpoint');
    const toB = Buffer.from(formFields(first.body).SAMLRequest ?? '', 'base64').toString('utf8');
    assert.match(toB, new RegExp(`<saml:NameID[^>]*>${s.nameIds[b.id]}</saml:NameID>`));
    assert.match(toB, /<ds:Signature/);
    const requestId = /<samlp:LogoutRequest[^>]* ID="([^"]+)"/.exec(toB)?.[1] ?? '';

    const answer = buildLogoutResponse({
      issuer: b.entityId,
      destination: SLO,
      inResponseTo: requestId,
      signing: { credential: spB.credential },
    });
    const second = await t.s.app.inject({
      method: 'POST',
      url: '/saml/slo',
      headers: { cookie: cookiesOf(first) },
      payload: { SAMLResponse: answer.base64 },
    });
    assert.equal(second.statusCode, 303, second.body.slice(0, 400));
    const location = second.headers.location as string;
    assert.match(location, /^https:\/\/sp\.test\/slo\?SAMLResponse=.*&RelayState=rs-a&SigAlg=.*&Signature=/);
    const response = redirectMessage(location, 'SAMLResponse');
    assert.match(response, new RegExp(`InResponseTo="${request.id}"`));
    assert.match(response, /<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2\.0:status:Success"\/?>/);
    assert.equal((await t.s.store.audit.query({ action: 'saml.slo', limit: 1 })).items[0]?.outcome, 'success');
  });

  test('IdP-initiated logout from the portal notifies each SP the session used and ends on the signed-out page', async () => {
    const s = await signedInToBoth();
    const start = await t.s.app.inject({
      method: 'POST',
      url: '/saml/logout',
      headers: { cookie: s.cookie },
      payload: { csrf: s.csrf },
    });
    // A page, not a redirect: the browser checks a redirect answering a form against the portal's CSP form-action.
    assert.equal(start.statusCode, 200);
    assert.equal(await t.s.store.sessions.get(s.idHash), null);
    const refresh =
      /<meta http-equiv="refresh" content="0;url=([^"]+)">/.exec(start.body)?.[1]?.replace(/&amp;/g, '&') ?? '';
    assert.match(
      start.body,
      new RegExp(`<a href="${refresh.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/&/g, '&amp;')}">Continue</a>`),
      'the link works without the refresh',
    );
    const toA = redirectMessage(refresh, 'SAMLRequest');
    assert.match(toA, new RegExp(`<saml:NameID[^>]*>${s.nameIds[a.id]}</saml:NameID>`));
    const idA = /ID="([^"]+)"/.exec(toA)?.[1] ?? '';
    let jar = cookiesOf(start);
    const answerA = buildLogoutResponse({ issuer: a.entityId, destination: SLO, inResponseTo: idA });
    const afterA = await t.s.app.inject({
      method: 'GET',
      url: `/saml/slo?${redirectQuery(answerA.xml, { key: spA, param: 'SAMLResponse' })}`,
      headers: { cookie: jar },
    });
    assert.equal(formAction(afterA.body), 'https://sp-b.test/slo');
    jar = cookiesOf(afterA);
    const idB =
      /ID="([^"]+)"/.exec(Buffer.from(formFields(afterA.body).SAMLRequest ?? '', 'base64').toString('utf8'))?.[1] ?? '';
    const answerB = buildLogoutResponse({
      issuer: b.entityId,
      destination: SLO,
      inResponseTo: idB,
      signing: { credential: spB.credential },
    });
    const done = await t.s.app.inject({
      method: 'POST',
      url: '/saml/slo',
      headers: { cookie: jar },
      payload: { SAMLResponse: answerB.base64 },
    });
    assert.equal(done.statusCode, 303);
    assert.equal(done.headers.location, '/signin?signedOut=1');
  });

  test("the header's Sign out of a session that used SAML apps continues as single logout (307 keeps the form); without apps it just signs out", async () => {
    const s = await signedInToBoth();
    const signOut = await t.s.app.inject({
      method: 'POST',
      url: '/signout',
      headers: { cookie: s.cookie },
      payload: { csrf: s.csrf },
    });
    assert.equal(signOut.statusCode, 307);
    assert.equal(signOut.headers.location, '/saml/logout');
    assert.ok(await t.s.store.sessions.get(s.idHash), 'the session lives until single logout ends it');
    const slo = await t.s.app.inject({
      method: 'POST',
      url: '/saml/logout',
      headers: { cookie: s.cookie },
      payload: { csrf: s.csrf },
    });
    assert.match(
      slo.body,
      /<meta http-equiv="refresh" content="0;url=https:\/\/sp\.test\/slo\?SAMLRequest=/,
      'the first SP is notified',
    );
    assert.equal(await t.s.store.sessions.get(s.idHash), null);

    const plain = await t.session(t.member);
    const bare = await t.s.app.inject({
      method: 'POST',
      url: '/signout',
      headers: { cookie: plain.cookie },
      payload: { csrf: plain.csrf },
    });
    assert.equal(bare.statusCode, 303);
    assert.equal(bare.headers.location, '/signin?signedOut=1');
    assert.equal(await t.s.store.sessions.get(plain.idHash), null);
  });

  test('a LogoutRequest POSTed cross-site without the Lax session cookie continues as a top-level GET that carries it', async () => {
    const s = await signedInToBoth();
    const request = buildLogoutRequest({
      issuer: a.entityId,
      destination: SLO,
      nameId: { value: s.nameIds[a.id] ?? '' },
      signing: { credential: spA.credential },
    });
    const posted = await t.s.app.inject({
      method: 'POST',
      url: '/saml/slo',
      payload: { SAMLRequest: request.base64, RelayState: 'r' },
    });
    assert.equal(posted.statusCode, 303);
    const resume = posted.headers.location as string;
    assert.match(resume, /^\/saml\/slo\/resume\?t=/);
    assert.ok(await t.s.store.sessions.get(s.idHash), 'nothing happens before the session is known');
    const res = await t.s.app.inject({ method: 'GET', url: resume, headers: { cookie: s.cookie } });
    assert.equal(await t.s.store.sessions.get(s.idHash), null);
    assert.equal(formAction(res.body), 'https://sp-b.test/slo', 'the other SP is notified next');
    const forged = await t.s.app.inject({
      method: 'GET',
      url: `${resume.slice(0, -2)}xx`,
      headers: { cookie: s.cookie },
    });
    assert.equal(forged.statusCode, 400);
  });

  test('logout without a CSRF token is refused and the session survives', async () => {
    const s = await signedInToBoth();
    const res = await t.s.app.inject({
      method: 'POST',
      url: '/saml/logout',
      headers: { cookie: s.cookie },
      payload: { csrf: 'wrong' },
    });
    assert.equal(res.statusCode, 403);
    assert.ok(await t.s.store.sessions.get(s.idHash));
  });

  test('refuses an unsigned LogoutRequest from an SP that has a signing certificate, and one from an unknown SP', async () => {
    const s = await signedInToBoth();
    const request = buildLogoutRequest({ issuer: a.entityId, destination: SLO, nameId: { value: 'x' } });
    const unsigned = await t.s.app.inject({
      method: 'GET',
      url: `/saml/slo?${redirectQuery(request.xml)}`,
      headers: { cookie: s.cookie },
    });
    assert.equal(unsigned.statusCode, 400);
    assert.match(unsigned.body, /error <code>signature_missing<\/code>/);
    assert.ok(await t.s.store.sessions.get(s.idHash), 'the session survives a refused logout');
    const unknown = buildLogoutRequest({ issuer: 'https://nobody.test', destination: SLO, nameId: { value: 'x' } });
    const res = await t.s.app.inject({ method: 'GET', url: `/saml/slo?${redirectQuery(unknown.xml, { key: spA })}` });
    assert.match(res.body, /error <code>unknown_issuer<\/code>/);
  });

  test("a LogoutRequest naming another NameID does not end this browser's session", async () => {
    const s = await signedInToBoth();
    const request = buildLogoutRequest({
      issuer: a.entityId,
      destination: SLO,
      nameId: { value: 'someone-else', format: NAMEID_FORMAT.persistent },
    });
    const res = await t.s.app.inject({
      method: 'GET',
      url: `/saml/slo?${redirectQuery(request.xml, { key: spA })}`,
      headers: { cookie: s.cookie },
    });
    assert.equal(res.statusCode, 303);
    assert.ok(await t.s.store.sessions.get(s.idHash));
  });

  test('a LogoutResponse that answers no request Keyway sent is refused', async () => {
    const stray = buildLogoutResponse({
      issuer: b.entityId,
      destination: SLO,
      inResponseTo: '_never-sent',
      signing: { credential: spB.credential },
    });
    const res = await t.s.app.inject({ method: 'POST', url: '/saml/slo', payload: { SAMLResponse: stray.base64 } });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /error <code>invalid_field<\/code>/);
  });
});
