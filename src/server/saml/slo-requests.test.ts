/**
 * Which LogoutRequests end a session (issue 11 finding 1): a signed one only for a session that SP took part in,
 * with the NameID (and SessionIndex, when given) Keyway issued to it there; an unsigned one, from an SP that
 * cannot sign, only after the person confirms on Keyway's "Sign out of Keyway?" page.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateRawSync } from 'node:zlib';
import { buildLogoutRequest, NAMEID_FORMAT } from '../../saml/index.js';
import { redirectQuery } from '../../saml/test-support/sp.js';
import { testKeyPair } from '../../saml/test-support/keys.js';
import type { SamlApplication } from '../../core/index.js';
import { decodeResponse, formFields, startSamlTestbed, type SamlTestbed } from './test-helpers.js';

const spA = testKeyPair('sp');
const spB = testKeyPair('sp-b');
const SLO = 'https://keyway.test/saml/slo';

/** The LogoutResponse Keyway sent back over the Redirect binding, and its status codes. */
const answerIn = (location: string) => {
  const xml = inflateRawSync(Buffer.from(new URL(location).searchParams.get('SAMLResponse') ?? '', 'base64')).toString(
    'utf8',
  );
  return { xml, statuses: [...xml.matchAll(/<samlp:StatusCode Value="([^"]+)"/g)].map((m) => m[1]?.split(':').pop()) };
};
const continueUrl = (body: string) => /<a href="([^"]+)">Continue<\/a>/.exec(body)?.[1]?.replaceAll('&amp;', '&') ?? '';

describe('LogoutRequests end only the session they name, and unsigned ones only when the person confirms', () => {
  let t: SamlTestbed;
  let a: SamlApplication;
  let b: SamlApplication;
  let c: SamlApplication;
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
      slo: { url: 'https://sp-b.test/slo' },
    });
    // C cannot sign (like the AWS IAM application and Identity Center): its requests prove nothing about who sent them.
    c = await t.createApp({
      name: 'Unsigned C',
      entityId: 'https://sp-c.test',
      acs: [{ url: 'https://sp-c.test/acs' }],
      slo: { url: 'https://sp-c.test/slo' },
    });
  });
  after(async () => t.close());

  /** A session signed in to A and C (not B), with the NameID and SessionIndex each SP received. */
  const signedIn = async () => {
    const session = await t.session(t.member);
    const got: Record<string, { nameId: string; sessionIndex: string }> = {};
    for (const app of [a, c]) {
      const res = await t.s.app.inject({
        method: 'GET',
        url: `/saml/apps/${app.id}/start`,
        headers: { cookie: session.cookie },
      });
      const xml = decodeResponse(res.body);
      got[app.id] = {
        nameId: /<saml:NameID[^>]*>([^<]+)</.exec(xml)?.[1] ?? '',
        sessionIndex: /SessionIndex="([^"]+)"/.exec(xml)?.[1] ?? '',
      };
    }
    return { ...session, got };
  };
  const alive = async (idHash: string) => (await t.s.store.sessions.get(idHash)) !== null;

  test('an unsigned Redirect LogoutRequest loaded in the browser (an image tag on any site) only shows "Sign out of Keyway?"', async () => {
    const s = await signedIn();
    const request = buildLogoutRequest({
      issuer: c.entityId,
      destination: SLO,
      nameId: { value: s.got[c.id]?.nameId ?? '' },
    });
    const res = await t.s.app.inject({
      method: 'GET',
      url: `/saml/slo?${redirectQuery(request.xml, { relayState: 'rc' })}`,
      headers: { cookie: s.cookie },
    });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<h1>Sign out of Keyway\?<\/h1>/);
    assert.ok(await alive(s.idHash), 'nothing ended before the person confirms');
    const form = formFields(res.body);
    assert.ok(form.t && form.csrf);

    const forged = await t.s.app.inject({
      method: 'POST',
      url: '/saml/slo/confirm',
      headers: { cookie: s.cookie },
      payload: { t: form.t, csrf: 'not-the-token', decision: 'sign-out' },
    });
    assert.equal(forged.statusCode, 403, 'a cross-site form cannot confirm for the person');
    assert.ok(await alive(s.idHash));

    const confirmed = await t.s.app.inject({
      method: 'POST',
      url: '/saml/slo/confirm',
      headers: { cookie: s.cookie },
      payload: { t: form.t, csrf: form.csrf, decision: 'sign-out' },
    });
    assert.equal(confirmed.statusCode, 200);
    assert.equal(await alive(s.idHash), false, 'confirmed: the session ended');
    const next = continueUrl(confirmed.body);
    assert.match(next, /^https:\/\/sp\.test\/slo\?SAMLRequest=/, 'A, the other SP of the session, is told next');
  });

  test('choosing "Stay signed in" keeps the session and answers the SP with RequestDenied (SAML core 3.2.2.2)', async () => {
    const s = await signedIn();
    const request = buildLogoutRequest({
      issuer: c.entityId,
      destination: SLO,
      nameId: { value: s.got[c.id]?.nameId ?? '' },
    });
    const page = await t.s.app.inject({
      method: 'GET',
      url: `/saml/slo?${redirectQuery(request.xml)}`,
      headers: { cookie: s.cookie },
    });
    const form = formFields(page.body);
    const stay = await t.s.app.inject({
      method: 'POST',
      url: '/saml/slo/confirm',
      headers: { cookie: s.cookie },
      payload: { t: form.t, csrf: form.csrf, decision: 'stay' },
    });
    assert.ok(await alive(s.idHash));
    const answer = answerIn(continueUrl(stay.body));
    assert.deepEqual(answer.statuses, ['Responder', 'RequestDenied']);
    assert.match(answer.xml, new RegExp(`InResponseTo="${request.id}"`));
  });

  test('an unsigned cross-site POST continues as a same-site GET that still only asks the person', async () => {
    const s = await signedIn();
    const request = buildLogoutRequest({
      issuer: c.entityId,
      destination: SLO,
      nameId: { value: s.got[c.id]?.nameId ?? '' },
    });
    const posted = await t.s.app.inject({ method: 'POST', url: '/saml/slo', payload: { SAMLRequest: request.base64 } });
    assert.equal(posted.statusCode, 303);
    const resumed = await t.s.app.inject({
      method: 'GET',
      url: posted.headers.location as string,
      headers: { cookie: s.cookie },
    });
    assert.equal(resumed.statusCode, 200);
    assert.match(resumed.body, /Sign out of Keyway\?/);
    assert.ok(await alive(s.idHash));
  });

  test('a correctly signed LogoutRequest from an SP the session never used ends nothing and gets UnknownPrincipal', async () => {
    const s = await signedIn();
    const request = buildLogoutRequest({
      issuer: b.entityId,
      destination: SLO,
      nameId: { value: s.got[a.id]?.nameId ?? '', format: NAMEID_FORMAT.persistent },
    });
    const res = await t.s.app.inject({
      method: 'GET',
      url: `/saml/slo?${redirectQuery(request.xml, { key: spB })}`,
      headers: { cookie: s.cookie },
    });
    assert.equal(res.statusCode, 303);
    assert.ok(await alive(s.idHash), 'B took no part in this session');
    assert.deepEqual(answerIn(res.headers.location as string).statuses, ['Requester', 'UnknownPrincipal']);
  });

  test('a signed LogoutRequest ends the session only when its SessionIndex is the one Keyway issued in it', async () => {
    const s = await signedIn();
    const issued = s.got[a.id] ?? { nameId: '', sessionIndex: '' };
    assert.ok(issued.sessionIndex, 'the assertion carried a SessionIndex');
    const wrong = buildLogoutRequest({
      issuer: a.entityId,
      destination: SLO,
      nameId: { value: issued.nameId, format: NAMEID_FORMAT.persistent },
      sessionIndexes: ['_another-session'],
    });
    const refused = await t.s.app.inject({
      method: 'GET',
      url: `/saml/slo?${redirectQuery(wrong.xml, { key: spA })}`,
      headers: { cookie: s.cookie },
    });
    assert.ok(await alive(s.idHash), 'another session index ends nothing');
    assert.deepEqual(answerIn(refused.headers.location as string).statuses, ['Requester', 'UnknownPrincipal']);

    const wrongName = buildLogoutRequest({
      issuer: a.entityId,
      destination: SLO,
      nameId: { value: s.got[c.id]?.nameId === issued.nameId ? 'someone-else' : (s.got[c.id]?.nameId ?? 'x') },
      sessionIndexes: [issued.sessionIndex],
    });
    await t.s.app.inject({
      method: 'GET',
      url: `/saml/slo?${redirectQuery(wrongName.xml, { key: spA })}`,
      headers: { cookie: s.cookie },
    });
    assert.ok(await alive(s.idHash), 'the right SessionIndex with a NameID A never got ends nothing');

    const right = buildLogoutRequest({
      issuer: a.entityId,
      destination: SLO,
      nameId: { value: issued.nameId, format: NAMEID_FORMAT.persistent },
      sessionIndexes: [issued.sessionIndex],
    });
    const ended = await t.s.app.inject({
      method: 'GET',
      url: `/saml/slo?${redirectQuery(right.xml, { key: spA })}`,
      headers: { cookie: s.cookie },
    });
    assert.equal(await alive(s.idHash), false, 'signed, with the NameID and SessionIndex of this session');
    assert.match(ended.headers.location as string, /^https:\/\/sp-c\.test\/slo\?SAMLRequest=/, 'C is told next');
  });
});
