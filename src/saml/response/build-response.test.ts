import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DOMParser } from '@xmldom/xmldom';
import { ExclusiveCanonicalization } from 'xml-crypto';
import { NS, NAMEID_FORMAT } from '../constants.js';
import { isSamlError } from '../errors.js';
import { verifyEnvelopedSignature } from '../crypto/enveloped-verify.js';
import { escapeText } from '../xml/canonical-writer.js';
import { childElements, childrenNamed, requiredChild, textOf } from '../xml/dom.js';
import { parseXml } from '../xml/parse.js';
import { testKeyPair } from '../test-support/keys.js';
import { needPeers, xmlsecVerify } from '../test-support/peers.js';
import { buildResponse, type ResponseOptions } from './build-response.js';

const idp = testKeyPair('idp');
const base = (): ResponseOptions => ({
  issuer: 'https://keyway.test/saml/idp',
  destination: 'https://sp.test/saml/acs',
  audience: 'https://sp.test/saml/metadata',
  inResponseTo: '_req1',
  nameId: { value: 'alice@example.test', format: NAMEID_FORMAT.emailAddress },
  sessionIndex: '_sess1',
  authnInstant: new Date('2026-01-01T10:00:00Z'),
  authnContextClassRef: 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
  attributes: [{ name: 'groups', values: ['admins', 'devs'] }],
  now: new Date('2026-01-01T10:00:05Z'),
  signing: { credential: idp.credential },
});

function verifyWithLibrary(xml: string, localName: 'Response' | 'Assertion') {
  const doc = parseXml(xml);
  const target =
    localName === 'Response' ? doc.documentElement! : requiredChild(doc.documentElement!, NS.saml, 'Assertion');
  const signature = requiredChild(target, NS.ds, 'Signature');
  return verifyEnvelopedSignature(xml, target, signature, { certificates: [idp.certificatePem] });
}

/** The emitted text must be exactly what a canonicaliser produces from it (exc-c14n is idempotent). */
function assertCanonical(xml: string) {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  const root = doc.documentElement as unknown as Parameters<ExclusiveCanonicalization['process']>[0];
  assert.equal(new ExclusiveCanonicalization().process(root, {}), xml);
}

describe('buildResponse (SAML core 2.3.3, 3.3.3; profiles 4.1.4.2)', () => {
  it('signs both the Response and the Assertion by default, and xml-crypto verifies each with the IdP certificate', async () => {
    const r = await buildResponse(base());
    assertCanonical(r.xml);
    const response = verifyWithLibrary(r.xml, 'Response');
    assert.equal(response.element.getAttribute('ID'), r.responseId);
    assert.equal(response.element.getAttribute('InResponseTo'), '_req1');
    assert.equal(response.element.getAttribute('Destination'), 'https://sp.test/saml/acs');
    const assertion = verifyWithLibrary(r.xml, 'Assertion');
    assert.equal(assertion.element.getAttribute('ID'), r.assertionId);
    assert.equal(Buffer.from(r.base64, 'base64').toString('utf8'), r.xml);
  });

  it('places each signature right after the Issuer of the element it signs (SAML core 5.4.1)', async () => {
    const r = await buildResponse(base());
    const root = parseXml(r.xml).documentElement!;
    const names = (el: typeof root) => childElements(el).map((c) => c.localName);
    assert.deepEqual(names(root), ['Issuer', 'Signature', 'Status', 'Assertion']);
    assert.deepEqual(names(requiredChild(root, NS.saml, 'Assertion')), [
      'Issuer',
      'Signature',
      'Subject',
      'Conditions',
      'AuthnStatement',
      'AttributeStatement',
    ]);
  });

  it('carries bearer confirmation, conditions with skew, audience, authn statement and multi-valued attributes', async () => {
    const r = await buildResponse({
      ...base(),
      skewSeconds: 30,
      lifetimeSeconds: 120,
      sessionNotOnOrAfter: new Date('2026-01-01T18:00:00Z'),
    });
    const a = verifyWithLibrary(r.xml, 'Assertion').element;
    const subject = requiredChild(a, NS.saml, 'Subject');
    const nameId = requiredChild(subject, NS.saml, 'NameID');
    assert.equal(textOf(nameId), 'alice@example.test');
    assert.equal(nameId.getAttribute('Format'), NAMEID_FORMAT.emailAddress);
    assert.equal(nameId.hasAttribute('SPNameQualifier'), false);
    const scd = requiredChild(
      requiredChild(subject, NS.saml, 'SubjectConfirmation'),
      NS.saml,
      'SubjectConfirmationData',
    );
    assert.equal(scd.getAttribute('Recipient'), 'https://sp.test/saml/acs');
    assert.equal(scd.getAttribute('InResponseTo'), '_req1');
    assert.equal(scd.getAttribute('NotOnOrAfter'), '2026-01-01T10:02:05Z');
    const conditions = requiredChild(a, NS.saml, 'Conditions');
    assert.equal(conditions.getAttribute('NotBefore'), '2026-01-01T09:59:35Z');
    assert.equal(conditions.getAttribute('NotOnOrAfter'), '2026-01-01T10:02:05Z');
    assert.equal(
      textOf(requiredChild(requiredChild(conditions, NS.saml, 'AudienceRestriction'), NS.saml, 'Audience')),
      'https://sp.test/saml/metadata',
    );
    const authn = requiredChild(a, NS.saml, 'AuthnStatement');
    assert.equal(authn.getAttribute('SessionIndex'), '_sess1');
    assert.equal(authn.getAttribute('AuthnInstant'), '2026-01-01T10:00:00Z');
    assert.equal(authn.getAttribute('SessionNotOnOrAfter'), '2026-01-01T18:00:00Z');
    const attr = requiredChild(requiredChild(a, NS.saml, 'AttributeStatement'), NS.saml, 'Attribute');
    assert.equal(attr.getAttribute('NameFormat'), 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri');
    assert.deepEqual(childrenNamed(attr, NS.saml, 'AttributeValue').map(textOf), ['admins', 'devs']);
  });

  it('a frozen value list shared by several responses is written the same, escaped, each time and each signature verifies', async () => {
    const values = Object.freeze(['a<b & "c"', 'plain', 'x>y']);
    const xmls: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await buildResponse({ ...base(), attributes: [{ name: 'shared', values }] });
      assertCanonical(r.xml);
      const attr = requiredChild(
        requiredChild(verifyWithLibrary(r.xml, 'Assertion').element, NS.saml, 'AttributeStatement'),
        NS.saml,
        'Attribute',
      );
      assert.deepEqual(childrenNamed(attr, NS.saml, 'AttributeValue').map(textOf), [...values]);
      xmls.push(r.xml.slice(r.xml.indexOf('<saml:AttributeStatement>')));
    }
    assert.equal(xmls[0], xmls[1]);
    assert.match(xmls[0]!, /a&lt;b &amp; "c"/);
  });

  it('scopes persistent NameIDs to the SP with SPNameQualifier unless told not to (SAML core 8.3.7)', async () => {
    const r = await buildResponse({ ...base(), nameId: { value: 'u-123' } });
    const nameId = requiredChild(
      requiredChild(verifyWithLibrary(r.xml, 'Assertion').element, NS.saml, 'Subject'),
      NS.saml,
      'NameID',
    );
    assert.equal(nameId.getAttribute('Format'), NAMEID_FORMAT.persistent);
    assert.equal(nameId.getAttribute('SPNameQualifier'), 'https://sp.test/saml/metadata');
    const r2 = await buildResponse({ ...base(), nameId: { value: 'u-123', spNameQualifier: null } });
    assert.doesNotMatch(r2.xml, /SPNameQualifier/);
  });

  it('omits InResponseTo for IdP-initiated SSO (SAML profiles 4.1.5)', async () => {
    const { inResponseTo: _, ...rest } = base();
    const r = await buildResponse(rest);
    assert.doesNotMatch(r.xml, /InResponseTo/);
    verifyWithLibrary(r.xml, 'Response');
  });

  it('signs only the Assertion or only the Response when configured', async () => {
    const onlyAssertion = await buildResponse({
      ...base(),
      signing: { credential: idp.credential, signResponse: false },
    });
    assert.equal(childrenNamed(parseXml(onlyAssertion.xml).documentElement!, NS.ds, 'Signature').length, 0);
    verifyWithLibrary(onlyAssertion.xml, 'Assertion');
    const onlyResponse = await buildResponse({
      ...base(),
      signing: { credential: idp.credential, signAssertion: false },
    });
    assert.equal((onlyResponse.xml.match(/<ds:Signature /g) ?? []).length, 1);
    verifyWithLibrary(onlyResponse.xml, 'Response');
    await assert.rejects(
      buildResponse({ ...base(), signing: { credential: idp.credential, signAssertion: false, signResponse: false } }),
      {
        code: 'invalid_field',
      },
    );
  });

  it('refuses RSA-SHA1 unless the SP explicitly opts in, and then signs with SHA-1', async () => {
    await assert.rejects(buildResponse({ ...base(), signing: { credential: idp.credential, algorithm: 'rsa-sha1' } }), {
      code: 'sha1_refused',
    });
    const r = await buildResponse({
      ...base(),
      signing: { credential: idp.credential, algorithm: 'rsa-sha1', allowSha1: true },
    });
    assert.match(r.xml, /xmldsig#rsa-sha1/);
    const doc = parseXml(r.xml);
    const sig = requiredChild(doc.documentElement!, NS.ds, 'Signature');
    assert.throws(
      () => verifyEnvelopedSignature(r.xml, doc.documentElement!, sig, { certificates: [idp.certificatePem] }),
      { code: 'sha1_refused' },
    );
    verifyEnvelopedSignature(r.xml, doc.documentElement!, sig, { certificates: [idp.certificatePem], allowSha1: true });
  });

  it('writes every attribute value exactly as the canonical text escaper does, plain ASCII or not (exc-c14n text nodes)', async () => {
    const printable = Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i)).join('');
    const values = [
      printable,
      'a\tb\nc',
      'x\ry',
      'a&b',
      'a<b',
      'a>b',
      'a&b<c>d',
      'del\u007f',
      'café 東 😀',
      '',
      'arn:aws:iam::123456789012:role/R,arn:aws:iam::123456789012:saml-provider/K',
    ];
    const r = await buildResponse({ ...base(), attributes: [{ name: 'n', values }] });
    const emitted = [...r.xml.matchAll(/<saml:AttributeValue>(.*?)<\/saml:AttributeValue>/gs)].map((m) => m[1]);
    assert.deepEqual(
      emitted,
      values.map((v) => escapeText(v)),
    );
    const attr = requiredChild(
      requiredChild(verifyWithLibrary(r.xml, 'Assertion').element, NS.saml, 'AttributeStatement'),
      NS.saml,
      'Attribute',
    );
    assert.deepEqual(childrenNamed(attr, NS.saml, 'AttributeValue').map(textOf), values);
  });

  it('rejects characters XML cannot carry instead of emitting them (XML 1.0 §2.2)', async () => {
    for (const bad of [
      'a\u0000b',
      'bell\u0007',
      'lone \uD800 surrogate',
      'end \uDC00',
      'x\uFFFE',
      'x\uFFFF',
      'esc\u001b[0m',
    ]) {
      await assert.rejects(
        buildResponse({ ...base(), attributes: [{ name: 'n', values: [bad] }] }),
        (e: unknown) => isSamlError(e) && e.code === 'invalid_xml_char',
        JSON.stringify(bad),
      );
      await assert.rejects(buildResponse({ ...base(), nameId: { value: bad } }), { code: 'invalid_xml_char' });
    }
  });

  it('does not verify once any signed value is altered', async () => {
    const r = await buildResponse(base());
    const tampered = r.xml.replace('alice@example.test', 'mallory@example.test');
    assert.throws(() => verifyWithLibrary(tampered, 'Assertion'), { code: 'signature_invalid' });
    assert.throws(() => verifyWithLibrary(tampered, 'Response'), { code: 'signature_invalid' });
  });

  it('is verified by xmlsec1 (Response and Assertion signatures) with the certificate alone', async (t) => {
    if (!needPeers(t, 'xmlsec1')) return;
    const docs = [
      (await buildResponse(base())).xml,
      (await buildResponse({ ...base(), signing: { credential: idp.credential, signResponse: false } })).xml,
    ];
    const assertion = xmlsecVerify(docs, idp.certificatePem, 'Assertion');
    assert.ok(assertion.ok, assertion.output);
    const response = xmlsecVerify(docs.slice(0, 1), idp.certificatePem, 'Response');
    assert.ok(response.ok, response.output);
    const tampered = xmlsecVerify([docs[0]!.replace('admins', 'root')], idp.certificatePem, 'Assertion');
    assert.equal(tampered.ok, false);
  });

  it('refuses invalid dates, an empty NameID, SessionIndex or attribute name', async () => {
    await assert.rejects(buildResponse({ ...base(), authnInstant: new Date(NaN) }), { code: 'invalid_field' });
    await assert.rejects(buildResponse({ ...base(), now: new Date('nope') }), { code: 'invalid_field' });
    await assert.rejects(buildResponse({ ...base(), nameId: { value: '' } }), { code: 'missing_field' });
    await assert.rejects(buildResponse({ ...base(), sessionIndex: '' }), { code: 'missing_field' });
    await assert.rejects(buildResponse({ ...base(), attributes: [{ name: '', values: ['x'] }] }), {
      code: 'missing_field',
    });
  });

  it('refuses an out-of-range lifetime or an empty audience list', async () => {
    await assert.rejects(buildResponse({ ...base(), lifetimeSeconds: 0 }), { code: 'invalid_field' });
    await assert.rejects(buildResponse({ ...base(), lifetimeSeconds: 86_400 }), { code: 'invalid_field' });
    await assert.rejects(buildResponse({ ...base(), audience: [] }), { code: 'missing_field' });
  });
});
