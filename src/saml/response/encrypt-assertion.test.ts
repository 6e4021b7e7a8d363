import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import xmlenc from 'xml-encryption';
import { ALG, NS } from '../constants.js';
import { verifyEnvelopedSignature } from '../crypto/enveloped-verify.js';
import { requiredChild, textOf } from '../xml/dom.js';
import { parseXml } from '../xml/parse.js';
import { testKeyPair } from '../test-support/keys.js';
import { needPeers, xmlsecVerify } from '../test-support/peers.js';
import { buildResponse, type ResponseOptions } from './build-response.js';

const idp = testKeyPair('idp');
const sp = testKeyPair('sp-enc');

const opts = (keyTransport?: 'rsa-oaep-mgf1p' | 'rsa-oaep'): ResponseOptions => ({
  issuer: 'https://keyway.test/idp',
  destination: 'https://sp.test/acs',
  audience: 'https://sp.test',
  nameId: { value: 'secret-user' },
  sessionIndex: '_s',
  authnInstant: new Date(),
  authnContextClassRef: 'urn:oasis:names:tc:SAML:2.0:ac:classes:Password',
  attributes: [{ name: 'role', values: ['a&b', 'c<d'] }],
  signing: { credential: idp.credential },
  encryption: { certificate: sp.certificatePem, ...(keyTransport ? { keyTransport } : {}) },
});

const decrypt = (xml: string) =>
  new Promise<string>((resolve, reject) =>
    xmlenc.decrypt(xml, { key: sp.privateKeyPem, warnInsecureAlgorithm: false }, (err, out) =>
      err || !out ? reject(err) : resolve(out),
    ),
  );

describe('encrypted assertions (SAML core 6.2; AES-256-GCM content, RSA-OAEP key transport)', () => {
  for (const keyTransport of ['rsa-oaep-mgf1p', 'rsa-oaep'] as const) {
    it(`decrypts with xml-encryption (${keyTransport}) to an assertion whose own signature verifies`, async () => {
      const r = await buildResponse(opts(keyTransport));
      const root = parseXml(r.xml).documentElement!;
      const encrypted = requiredChild(requiredChild(root, NS.saml, 'EncryptedAssertion'), NS.xenc, 'EncryptedData');
      assert.equal(requiredChild(encrypted, NS.xenc, 'EncryptionMethod').getAttribute('Algorithm'), ALG.aes256Gcm);
      assert.doesNotMatch(r.xml, /secret-user/);
      const plain = await decrypt(encrypted.toString());
      const assertion = parseXml(plain).documentElement!;
      const v = verifyEnvelopedSignature(plain, assertion, requiredChild(assertion, NS.ds, 'Signature'), {
        certificates: [idp.certificatePem],
      });
      assert.equal(
        textOf(requiredChild(requiredChild(v.element, NS.saml, 'Subject'), NS.saml, 'NameID')),
        'secret-user',
      );
      // The Response signature covers the EncryptedAssertion.
      verifyEnvelopedSignature(r.xml, root, requiredChild(root, NS.ds, 'Signature'), {
        certificates: [idp.certificatePem],
      });
    });
  }

  it('the Response signature over the EncryptedAssertion verifies with xmlsec1', async (t) => {
    if (!needPeers(t, 'xmlsec1')) return;
    const r = await buildResponse(opts());
    const res = xmlsecVerify([r.xml], idp.certificatePem, 'Response');
    assert.ok(res.ok, res.output);
  });

  it('refuses an encryption certificate that is not RSA or cannot be read', async () => {
    await assert.rejects(buildResponse({ ...opts(), encryption: { certificate: 'QUJD' } }), { code: 'bad_key' });
  });
});
