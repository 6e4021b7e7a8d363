/**
 * Keyway's responses judged by software it did not write: xmlsec1 (signatures against the certificate from
 * Keyway's own metadata) and python3-onelogin-saml2 in strict mode (full SP checks).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { NAMEID_FORMAT, NS } from '../constants.js';
import { toPem } from '../crypto/credential.js';
import { requiredChild, textOf } from '../xml/dom.js';
import { parseXml } from '../xml/parse.js';
import { buildIdpMetadata } from '../metadata/idp-metadata.js';
import { testKeyPair } from '../test-support/keys.js';
import { needPeers, xmlsecVerify } from '../test-support/peers.js';
import { oneloginValidate, type OneloginConfig } from '../test-support/onelogin.js';
import { buildResponse, type ResponseOptions } from './build-response.js';

const idp = testKeyPair('idp');
const IDP_ENTITY = 'https://keyway.test/saml/idp';
const SP_ENTITY = 'https://sp.test/metadata';
const ACS = 'https://sp.test/acs';

const idpMetadata = buildIdpMetadata({
  entityId: IDP_ENTITY,
  ssoUrls: [
    { binding: 'redirect', location: 'https://keyway.test/saml/sso' },
    { binding: 'post', location: 'https://keyway.test/saml/sso' },
  ],
  sloUrls: [{ binding: 'redirect', location: 'https://keyway.test/saml/slo' }],
  signingCerts: [idp.certificatePem],
  nameIdFormats: [NAMEID_FORMAT.persistent],
  validUntil: new Date(Date.now() + 86_400_000),
});

/** The certificate as an SP would take it: from Keyway's published metadata, not from the test's key store. */
function certificateFromMetadata(xml: string): string {
  const root = parseXml(xml).documentElement!;
  const key = requiredChild(requiredChild(root, NS.md, 'IDPSSODescriptor'), NS.md, 'KeyDescriptor');
  const b64 = textOf(
    requiredChild(requiredChild(requiredChild(key, NS.ds, 'KeyInfo'), NS.ds, 'X509Data'), NS.ds, 'X509Certificate'),
  );
  return new X509Certificate(toPem(b64)).toString();
}

const fresh = (overrides: Partial<ResponseOptions> = {}): ResponseOptions => ({
  issuer: IDP_ENTITY,
  destination: ACS,
  audience: SP_ENTITY,
  inResponseTo: '_req-42',
  nameId: { value: 'u-alice' },
  sessionIndex: '_s1',
  authnInstant: new Date(),
  authnContextClassRef: 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
  attributes: [
    { name: 'email', values: ['alice@example.test'] },
    { name: 'groups', values: ['admins', 'R&D <core>'] },
  ],
  signing: { credential: idp.credential },
  ...overrides,
});

const HOSTILE = [
  '<evil attr="x">&amp;</evil>',
  `"'<>&`,
  'line1\r\nline2\rline3\n',
  '\ttabbed\t',
  ']]>',
  '<![CDATA[x]]>',
  '<!-- comment -->',
  'Zoë Ångström — 東京',
  'emoji 😀🔐 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  '&lt;already-escaped&gt;',
  'x'.repeat(20_000),
  '</saml:AttributeValue><saml:AttributeValue>forged',
  'arn:aws:iam::123456789012:role/Admin,arn:aws:iam::123456789012:saml-provider/Keyway',
  ' leading and trailing spaces ',
  '\u00a0\u2028\u2029\ufeff\u0085 (XML 1.1 line ends)',
];

/** Deterministic pseudo-random mixes of the hostile pieces, so failures reproduce. */
function hostileValue(seed: number): string {
  let x = (seed * 2654435761) >>> 0;
  const next = () => (x = (x * 1103515245 + 12345) >>> 0);
  const parts: string[] = [];
  const n = 1 + (next() % 4);
  for (let i = 0; i < n; i++) parts.push(HOSTILE[next() % HOSTILE.length]!.slice(0, 2_000 + (next() % 3_000)));
  return parts.join('');
}

describe('responses accepted by independent validators', () => {
  it("xmlsec1 verifies the Response and Assertion signatures against the certificate in Keyway's metadata", async (t) => {
    if (!needPeers(t, 'xmlsec1')) return;
    const cert = certificateFromMetadata(idpMetadata);
    const r = await buildResponse(fresh());
    for (const el of ['Response', 'Assertion'] as const) {
      const res = xmlsecVerify([r.xml], cert, el);
      assert.ok(res.ok, res.output);
    }
    const other = testKeyPair('not-the-idp');
    assert.equal(xmlsecVerify([r.xml], other.certificatePem, 'Assertion').ok, false);
  });

  it('property: responses with hostile attribute values and NameIDs verify with xml-crypto and xmlsec1', async (t) => {
    const { verifyEnvelopedSignature } = await import('../crypto/enveloped-verify.js');
    const docs: string[] = [];
    for (let seed = 1; seed <= 40; seed++) {
      const values = [hostileValue(seed), hostileValue(seed + 1000)];
      const r = await buildResponse(
        fresh({
          nameId: { value: hostileValue(seed + 2000).slice(0, 500), format: NAMEID_FORMAT.unspecified },
          attributes: [{ name: hostileValue(seed + 3000).slice(0, 200), friendlyName: `"f'\n${seed}`, values }],
          signing: { credential: idp.credential, signResponse: seed % 2 === 0 },
        }),
      );
      const doc = parseXml(r.xml, { maxBytes: 1 << 22, maxDepth: 24, maxAttributesPerElement: 32, maxElements: 2_000 });
      const assertion = requiredChild(doc.documentElement!, NS.saml, 'Assertion');
      const verified = verifyEnvelopedSignature(r.xml, assertion, requiredChild(assertion, NS.ds, 'Signature'), {
        certificates: [idp.certificatePem],
        limits: { maxBytes: 1 << 22, maxDepth: 24, maxAttributesPerElement: 32, maxElements: 2_000 },
      });
      const statement = requiredChild(verified.element, NS.saml, 'AttributeStatement');
      const attr = requiredChild(statement, NS.saml, 'Attribute');
      const read = Array.from(attr.getElementsByTagNameNS(NS.saml, 'AttributeValue')).map(textOf);
      assert.deepEqual(read, values, `seed ${seed}`);
      docs.push(r.xml);
    }
    assert.equal(docs.length, 40);
    if (!needPeers(t, 'xmlsec1')) return;
    const res = xmlsecVerify(docs, idp.certificatePem, 'Assertion');
    assert.ok(res.ok, res.output.slice(0, 2_000));
    const responseSigned = docs.filter((_, i) => (i + 1) % 2 === 0);
    const resResponse = xmlsecVerify(responseSigned, idp.certificatePem, 'Response');
    assert.ok(resResponse.ok, resResponse.output.slice(0, 2_000));
  });

  it('property: python3-onelogin-saml2 accepts responses with hostile values and reads them back unchanged', async (t) => {
    if (!needPeers(t, 'onelogin')) return;
    const cases: string[][] = [];
    const responses: string[] = [];
    for (let seed = 1; seed <= 12; seed++) {
      // Bracketed: onelogin strips surrounding whitespace from values (its own choice), everything inside must survive.
      const values = [`[${hostileValue(seed + 500).slice(0, 3_000)}]`, `[${hostileValue(seed + 600).slice(0, 3_000)}]`];
      cases.push(values);
      responses.push((await buildResponse(fresh({ attributes: [{ name: 'hostile', values }] }))).base64);
    }
    const results = oneloginValidate(idpMetadata, spConfig(), responses);
    results.forEach((r, i) => {
      assert.equal(r.error, null, `seed ${i + 1}`);
      assert.deepEqual(r.attributes?.hostile, cases[i], `seed ${i + 1}`);
    });
  });

  const spConfig = (overrides: Partial<OneloginConfig> = {}): OneloginConfig => ({
    spEntityId: SP_ENTITY,
    acsUrl: ACS,
    wantAssertionsSigned: true,
    wantMessagesSigned: true,
    requestId: '_req-42',
    ...overrides,
  });

  it('python3-onelogin-saml2 in strict mode accepts a fresh response for its ACS and rejects a tampered twin', async (t) => {
    if (!needPeers(t, 'onelogin')) return;
    const good = await buildResponse(fresh());
    const tamperedXml = good.xml.replace('u-alice', 'u-mallory');
    assert.notEqual(tamperedXml, good.xml);
    const [ok, tampered] = oneloginValidate(idpMetadata, spConfig(), [
      good.base64,
      Buffer.from(tamperedXml).toString('base64'),
    ]);
    assert.equal(ok!.error, null);
    assert.equal(ok!.valid, true);
    assert.equal(ok!.nameId, 'u-alice');
    assert.deepEqual(ok!.attributes, { email: ['alice@example.test'], groups: ['admins', 'R&D <core>'] });
    assert.equal(tampered!.valid, false);
    assert.match(tampered!.error ?? '', /[Ss]ignature|[Rr]eference/);
  });

  it('python3-onelogin-saml2 rejects responses for another ACS, another audience, or an expired one', async (t) => {
    if (!needPeers(t, 'onelogin')) return;
    const responses = [
      await buildResponse(fresh({ destination: 'https://evil.test/acs' })),
      await buildResponse(fresh({ audience: 'https://other-sp.test' })),
      await buildResponse(fresh({ now: new Date(Date.now() - 3_600_000) })),
      await buildResponse(fresh({ signing: { credential: idp.credential, signResponse: false } })),
    ];
    const results = oneloginValidate(
      idpMetadata,
      spConfig(),
      responses.map((r) => r.base64),
    );
    assert.deepEqual(
      results.map((r) => r.valid),
      [false, false, false, false],
    );
    const reasons = [
      /received at .* instead of/i,
      /audience/i,
      /expired|not valid yet|NotOnOrAfter/i,
      /message.*sign|sign.*message|response.*sign/i,
    ];
    for (const [i, r] of results.entries()) assert.match(r.error ?? '', reasons[i]!, r.error ?? '');
    // An SP that asks only for signed assertions accepts the assertion-only variant.
    const [assertionOnly] = oneloginValidate(idpMetadata, spConfig({ wantMessagesSigned: false }), [
      responses[3]!.base64,
    ]);
    assert.equal(assertionOnly!.error, null);
  });

  it('python3-onelogin-saml2 decrypts an encrypted assertion (AES-256-GCM, RSA-OAEP) and accepts it', async (t) => {
    if (!needPeers(t, 'onelogin')) return;
    const sp = testKeyPair('sp-enc');
    const r = await buildResponse(fresh({ encryption: { certificate: sp.certificatePem } }));
    assert.match(r.xml, /<saml:EncryptedAssertion/);
    assert.doesNotMatch(r.xml, /u-alice/);
    const [res] = oneloginValidate(
      idpMetadata,
      spConfig({ wantAssertionsEncrypted: true, spKey: sp.privateKeyPem, spCert: sp.certificatePem }),
      [r.base64],
    );
    assert.equal(res!.error, null);
    assert.equal(res!.nameId, 'u-alice');
  });
});
