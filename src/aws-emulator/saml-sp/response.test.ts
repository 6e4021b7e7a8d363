import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DOMParser, XMLSerializer, type Document, type Element } from '@xmldom/xmldom';
import {
  certificateToPem,
  parseSamlResponse,
  verifySamlResponse,
  SamlRejection,
  type SamlRejectionCode,
} from './index.js';
import { parseSamlMetadata } from '../iam/saml-metadata.js';
import { ALG, NS } from './namespaces.js';
import {
  fixtureMetadata,
  fixtureResponseXml,
  makeFixtureKey,
  toBase64,
  type FixtureResponseOptions,
} from './fixture-idp.js';

const ISSUER = 'https://idp.example.test/metadata';
const ROLE = 'https://aws.amazon.com/SAML/Attributes/Role';
const ROLE_VALUE = 'arn:aws:iam::111122223333:role/Admin,arn:aws:iam::111122223333:saml-provider/Keyway';
const idpKey = makeFixtureKey('keyway-idp');
const attackerKey = makeFixtureKey('attacker');
/** The provider's trust anchors as IAM keeps them (CreateSAMLProvider's metadata parser), in PEM. */
function readAnchors(metadata: string) {
  const parsed = parseSamlMetadata(metadata);
  return { entityId: parsed.entityId, certificatesPem: parsed.signingCertificates.map(certificateToPem) };
}
const anchors = readAnchors(fixtureMetadata(ISSUER, [idpKey]));

const base: FixtureResponseOptions = {
  issuer: ISSUER,
  nameId: 'alice@example.com',
  attributes: [
    [ROLE, [ROLE_VALUE]],
    ['https://aws.amazon.com/SAML/Attributes/RoleSessionName', ['alice']],
  ],
};

function verifyXml(xml: string, options: Parameters<typeof parseSamlResponse>[1] = {}) {
  const parsed = parseSamlResponse(toBase64(xml), options);
  return verifySamlResponse(parsed, anchors.certificatesPem, options);
}

function rejects(
  xml: string,
  code: SamlRejectionCode,
  detail?: RegExp,
  options: Parameters<typeof parseSamlResponse>[1] = {},
): void {
  assert.throws(
    () => verifyXml(xml, options),
    (error: unknown) => {
      assert.ok(error instanceof SamlRejection, `expected SamlRejection, got ${String(error)}`);
      assert.equal(error.code, code, error.detail);
      if (detail) assert.match(error.detail, detail);
      return true;
    },
  );
}

/** Applies a DOM edit to signed XML, as an attacker holding a genuine Response would. */
function edit(xml: string, mutate: (doc: Document) => void): string {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  mutate(doc);
  return new XMLSerializer().serializeToString(doc);
}
const first = (doc: Document, ns: string, name: string): Element => doc.getElementsByTagNameNS(ns, name).item(0)!;

test('reads the signed assertion of the metadata issuer: issuer, NameID and format, audience, recipient, times, attributes', () => {
  const now = Date.now();
  const v = verifyXml(fixtureResponseXml({ ...base, issueInstant: now }, idpKey));
  assert.equal(v.assertion.issuer, ISSUER);
  assert.deepEqual(v.assertion.nameId, {
    value: 'alice@example.com',
    format: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
    nameQualifier: undefined,
    spNameQualifier: undefined,
  });
  assert.deepEqual(v.assertion.conditions?.audienceRestrictions, [['urn:amazon:webservices']]);
  assert.equal(v.assertion.subjectConfirmations.length, 1);
  assert.equal(v.assertion.subjectConfirmations[0]!.recipient, 'https://signin.aws.amazon.com/saml');
  assert.equal(v.assertion.issueInstant, Math.floor(now));
  assert.deepEqual(v.assertion.attributes.get(ROLE), [ROLE_VALUE]);
  assert.equal(v.assertionSigned, true);
  assert.equal(v.signedResponse, undefined, 'an unsigned Response element yields no trusted Response values');
});

test('accepts a Response whose signature covers the Assertion, and exposes its signed Destination', () => {
  const v = verifyXml(fixtureResponseXml({ ...base, sign: 'response' }, idpKey));
  assert.equal(v.assertionSigned, false);
  assert.equal(v.signedResponse?.destination, 'https://signin.aws.amazon.com/saml');
  assert.equal(v.assertion.nameId?.value, 'alice@example.com');
});

test('accepts a Response where both the Response and the Assertion are signed', () => {
  const v = verifyXml(fixtureResponseXml({ ...base, sign: 'both' }, idpKey));
  assert.equal(v.assertionSigned, true);
  assert.ok(v.signedResponse);
});

test('merges several Attribute elements with the same Name, in document order', () => {
  const other = 'arn:aws:iam::444455556666:role/ReadOnly,arn:aws:iam::444455556666:saml-provider/Keyway';
  const v = verifyXml(
    fixtureResponseXml(
      {
        ...base,
        attributes: [
          [ROLE, [ROLE_VALUE]],
          [ROLE, [other]],
        ],
      },
      idpKey,
    ),
  );
  assert.deepEqual(v.assertion.attributes.get(ROLE), [ROLE_VALUE, other]);
});

test('refuses an unsigned Response (AWS SP metadata: WantAssertionsSigned)', () => {
  rejects(fixtureResponseXml({ ...base, sign: 'none' }, idpKey), 'unsigned');
});

test('refuses an assertion signed by another key even when KeyInfo carries that key (trust anchors come from metadata only)', () => {
  rejects(fixtureResponseXml({ ...base, key: attackerKey, keyInfo: true }, idpKey), 'signature_invalid');
});

test('refuses a tampered twin: NameID changed after signing', () => {
  const xml = fixtureResponseXml(base, idpKey);
  rejects(xml.replace('alice@example.com', 'admin@example.com'), 'signature_invalid', /digest/);
});

test('refuses a tampered twin: a Role value added after signing', () => {
  const xml = edit(fixtureResponseXml(base, idpKey), (doc) => {
    const attr = doc.getElementsByTagNameNS(NS.assertion, 'Attribute').item(0)!;
    const v = doc.createElementNS(NS.assertion, 'saml:AttributeValue');
    v.appendChild(
      doc.createTextNode('arn:aws:iam::999999999999:role/Root,arn:aws:iam::999999999999:saml-provider/Keyway'),
    );
    attr.appendChild(v);
  });
  rejects(xml, 'signature_invalid');
});

test('signature wrapping: a forged Assertion beside the genuine signed one is refused (more than one Assertion)', () => {
  const xml = edit(fixtureResponseXml(base, idpKey), (doc) => {
    const genuine = first(doc, NS.assertion, 'Assertion');
    const forged = genuine.cloneNode(true) as Element;
    forged.setAttribute('ID', '_forged');
    forged.getElementsByTagNameNS(NS.assertion, 'NameID').item(0)!.textContent = 'admin@example.com';
    const sig = forged.getElementsByTagNameNS(NS.dsig, 'Signature').item(0)!;
    forged.removeChild(sig);
    genuine.parentNode!.insertBefore(forged, genuine);
  });
  rejects(xml, 'bad_structure', /exactly one Assertion/);
});

test('signature wrapping: the genuine Assertion hidden in Extensions behind a forged one is refused', () => {
  const xml = edit(fixtureResponseXml(base, idpKey), (doc) => {
    const response = doc.documentElement!;
    const genuine = first(doc, NS.assertion, 'Assertion');
    const forged = genuine.cloneNode(true) as Element;
    forged.getElementsByTagNameNS(NS.assertion, 'NameID').item(0)!.textContent = 'admin@example.com';
    const ext = doc.createElementNS(NS.protocol, 'samlp:Extensions');
    response.removeChild(genuine);
    genuine.setAttribute('ID', '_moved');
    ext.appendChild(genuine);
    response.insertBefore(ext, response.firstChild!.nextSibling);
    response.appendChild(forged);
  });
  rejects(xml, 'bad_structure');
});

test('signature wrapping: a signature whose Reference names another element than its parent is refused before crypto', () => {
  const xml = edit(fixtureResponseXml(base, idpKey), (doc) => {
    const assertion = first(doc, NS.assertion, 'Assertion');
    assertion.setAttribute('ID', '_forged');
  });
  rejects(xml, 'bad_signature_shape', /Reference URI/);
});

test('signature wrapping: a Signature that is not a direct child of what it signs is refused', () => {
  const xml = edit(fixtureResponseXml(base, idpKey), (doc) => {
    const sig = first(doc, NS.dsig, 'Signature');
    const subject = first(doc, NS.assertion, 'Subject');
    sig.parentNode!.removeChild(sig);
    subject.appendChild(sig);
  });
  rejects(xml, 'bad_signature_shape', /direct child/);
});

test('refuses two Signatures inside one Assertion', () => {
  const xml = edit(fixtureResponseXml(base, idpKey), (doc) => {
    const sig = first(doc, NS.dsig, 'Signature');
    sig.parentNode!.insertBefore(sig.cloneNode(true), sig);
  });
  rejects(xml, 'bad_signature_shape', /more than one Signature/);
});

test('refuses duplicate ID values anywhere in the document', () => {
  const xml = edit(fixtureResponseXml(base, idpKey), (doc) => {
    doc.documentElement!.setAttribute('ID', first(doc, NS.assertion, 'Assertion').getAttribute('ID')!);
  });
  rejects(xml, 'bad_structure', /duplicate ID/);
});

test('a comment inside NameID cannot truncate it: the whole signed text is read', () => {
  const xml = fixtureResponseXml({ ...base, nameId: 'admin@example.com.evil.test' }, idpKey).replace(
    'admin@example.com.evil.test',
    'admin@example.com<!---->.evil.test',
  );
  assert.match(xml, /admin@example\.com<!---->\.evil\.test/);
  const v = verifyXml(xml);
  assert.equal(v.assertion.nameId?.value, 'admin@example.com.evil.test');
});

test('a comment inside a Role attribute value cannot truncate it', () => {
  const signed = 'arn:aws:iam::111122223333:role/Admin-evil,arn:aws:iam::111122223333:saml-provider/Keyway';
  const xml = fixtureResponseXml({ ...base, attributes: [[ROLE, [signed]]] }, idpKey).replace(
    'role/Admin-evil',
    'role/Admin<!---->-evil',
  );
  const v = verifyXml(xml);
  assert.deepEqual(v.assertion.attributes.get(ROLE), [signed]);
});

test('refuses a DOCTYPE or entity declaration before any cryptography', () => {
  const xml = fixtureResponseXml(base, idpKey);
  rejects(`<!DOCTYPE r [<!ENTITY e "x">]>${xml}`, 'malformed', /DOCTYPE/);
});

test('refuses processing instructions', () => {
  const xml = fixtureResponseXml(base, idpKey).replace('<saml:Issuer>', '<?evil x?><saml:Issuer>');
  rejects(xml, 'malformed', /processing instructions/);
});

test('refuses input that is not base64, and XML that is not well-formed', () => {
  assert.throws(
    () => parseSamlResponse('not base64!!'),
    (e: unknown) => e instanceof SamlRejection && e.code === 'malformed',
  );
  assert.throws(
    () => parseSamlResponse(toBase64('<samlp:Response')),
    (e: unknown) => e instanceof SamlRejection && e.code === 'malformed',
  );
  assert.throws(
    () => parseSamlResponse(toBase64('<a/><b/>')),
    (e: unknown) => e instanceof SamlRejection && e.code === 'malformed',
  );
});

test('refuses a document over the size limit before parsing it', () => {
  assert.throws(
    () => parseSamlResponse('A'.repeat(200_000)),
    (e: unknown) => e instanceof SamlRejection && e.code === 'too_large',
  );
});

test('refuses nesting deeper than the limit', () => {
  const deep = '<a>'.repeat(100) + '</a>'.repeat(100);
  assert.throws(
    () => parseSamlResponse(toBase64(deep)),
    (e: unknown) => e instanceof SamlRejection && e.code === 'too_large',
  );
});

test('refuses RSA-SHA1 unless the documented switch allows it', () => {
  const xml = fixtureResponseXml({ ...base, signatureAlgorithm: ALG.rsaSha1, digestAlgorithm: ALG.sha1 }, idpKey);
  rejects(xml, 'bad_signature_shape', /not allowed/);
  const v = verifyXml(xml, { signature: { allowSha1: true } });
  assert.equal(v.assertion.issuer, ISSUER);
});

test('refuses transforms other than enveloped-signature followed by exclusive C14N', () => {
  const xml = fixtureResponseXml(base, idpKey).replace(
    `Algorithm="${ALG.excC14n}"/></ds:Transforms>`,
    `Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/></ds:Transforms>`,
  );
  rejects(xml, 'bad_signature_shape', /transforms/);
});

test('refuses an exclusive C14N WithComments canonicalization of SignedInfo', () => {
  const xml = fixtureResponseXml(base, idpKey).replace(
    `<ds:CanonicalizationMethod Algorithm="${ALG.excC14n}"/>`,
    `<ds:CanonicalizationMethod Algorithm="${ALG.excC14n}WithComments"/>`,
  );
  rejects(xml, 'bad_signature_shape', /canonicalization/);
});

test('refuses a signed Response whose status is not Success', () => {
  rejects(
    fixtureResponseXml(
      { ...base, sign: 'response', statusCode: 'urn:oasis:names:tc:SAML:2.0:status:Responder' },
      idpKey,
    ),
    'status_not_success',
  );
});

test('refuses a signed Response whose issuer differs from its Assertion issuer', () => {
  rejects(
    fixtureResponseXml({ ...base, sign: 'both', responseIssuer: 'https://other.example.test' }, idpKey),
    'bad_value',
    /issuers differ/,
  );
});

test('the fixture metadata gives IAM the IdP entityID and every signing certificate', () => {
  const a = readAnchors(fixtureMetadata(ISSUER, [idpKey, attackerKey]));
  assert.equal(a.entityId, ISSUER);
  assert.equal(a.certificatesPem.length, 2);
});

test('verifies with any of several metadata certificates (key rollover)', () => {
  const rolled = readAnchors(fixtureMetadata(ISSUER, [attackerKey, idpKey]));
  const parsed = parseSamlResponse(toBase64(fixtureResponseXml(base, idpKey)));
  assert.equal(verifySamlResponse(parsed, rolled.certificatesPem).assertion.issuer, ISSUER);
});

test('refuses HMAC signature methods (key confusion) before any cryptography', () => {
  const xml = fixtureResponseXml(base, idpKey).replace(ALG.rsaSha256, 'http://www.w3.org/2000/09/xmldsig#hmac-sha1');
  rejects(xml, 'bad_signature_shape', /signature method .*hmac-sha1 is not allowed/);
});

test('refuses a SignedInfo with two References', () => {
  const xml = edit(fixtureResponseXml(base, idpKey), (doc) => {
    const ref = first(doc, NS.dsig, 'Reference');
    ref.parentNode!.appendChild(ref.cloneNode(true));
  });
  rejects(xml, 'bad_signature_shape', /exactly one <Reference>/);
});

test('refuses an empty Reference URI (whole-document reference)', () => {
  const xml = edit(fixtureResponseXml(base, idpKey), (doc) => {
    first(doc, NS.dsig, 'Reference').setAttribute('URI', '');
  });
  rejects(xml, 'bad_signature_shape', /Reference URI/);
});

test('refuses an Assertion that is not a direct child of the Response', () => {
  const xml = edit(fixtureResponseXml(base, idpKey), (doc) => {
    const assertion = first(doc, NS.assertion, 'Assertion');
    const ext = doc.createElementNS(NS.protocol, 'samlp:Extensions');
    doc.documentElement!.replaceChild(ext, assertion);
    ext.appendChild(assertion);
  });
  rejects(xml, 'bad_structure', /direct child/);
});

test('refuses an encrypted assertion (not supported) and a root that is not a Response', () => {
  rejects(
    fixtureResponseXml(base, idpKey).replace(/saml:Assertion/g, 'saml:EncryptedAssertion'),
    'bad_structure',
    /encrypted/,
  );
  assert.throws(
    () => parseSamlResponse(toBase64('<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"/>')),
    (e: unknown) => e instanceof SamlRejection && e.code === 'bad_structure',
  );
});

test('accepts an exclusive C14N InclusiveNamespaces PrefixList on the Reference transform (as Okta sends)', () => {
  const xml = fixtureResponseXml({ ...base, prefixList: ['xs'] }, idpKey);
  assert.match(xml, /InclusiveNamespaces[^>]*PrefixList="xs"/);
  assert.equal(verifyXml(xml).assertion.issuer, ISSUER);
});

test('refuses parameters other than InclusiveNamespaces inside the enveloped-signature transform', () => {
  const xml = edit(fixtureResponseXml(base, idpKey), (doc) => {
    const t = first(doc, NS.dsig, 'Transform');
    t.appendChild(doc.createElementNS(NS.dsig, 'ds:XPath'));
  });
  rejects(xml, 'bad_signature_shape', /takes no parameters/);
});
