import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ALG, NS } from '../constants.js';
import type { SamlErrorCode } from '../errors.js';
import { parseXml } from '../xml/parse.js';
import { requiredChild } from '../xml/dom.js';
import { testKeyPair } from '../test-support/keys.js';
import { authnRequestXml, signPost } from '../test-support/sp.js';
import { rootSignature, verifyEnvelopedSignature } from './enveloped-verify.js';

const sp = testKeyPair('sp');

function verify(xml: string, certificates = [sp.certificatePem], allowSha1 = false) {
  const doc = parseXml(xml);
  const sig = rootSignature(doc);
  assert.ok(sig, 'signature present');
  return verifyEnvelopedSignature(xml, doc.documentElement!, sig, { certificates, allowSha1 });
}
const refuses = (xml: string, code: SamlErrorCode) => assert.throws(() => verify(xml), { code });

describe('verifyEnvelopedSignature (XML-DSig core validation by xml-crypto, docs/security.md, SAML rules 1-3)', () => {
  const signed = signPost(authnRequestXml({ id: '_abc' }), sp);

  it('returns the canonical signed bytes, without the signature, re-parsed', () => {
    const v = verify(signed);
    assert.equal(v.element.getAttribute('ID'), '_abc');
    assert.doesNotMatch(v.signedXml, /Signature/);
    assert.equal(v.signatureAlgorithm, ALG.rsaSha256);
    assert.equal(requiredChild(v.element, NS.saml, 'Issuer').textContent, 'https://sp.test/metadata');
  });

  it('uses only configured certificates and tries each of them', () => {
    const other = testKeyPair('other');
    assert.throws(() => verify(signed, [other.certificatePem]), { code: 'signature_invalid' });
    verify(signed, [other.certificatePem, sp.certificatePem]);
    assert.throws(() => verify(signed, []), { code: 'signature_invalid' });
  });

  it('refuses canonicalisation methods and transforms outside the allow-list', () => {
    refuses(
      signed.replace(
        `<ds:CanonicalizationMethod Algorithm="${ALG.excC14n}"`,
        '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"',
      ),
      'algorithm_refused',
    );
    refuses(
      signed.replace(
        `<ds:Transform Algorithm="${ALG.excC14n}"/>`,
        '<ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"/>',
      ),
      'algorithm_refused',
    );
    refuses(signed.replace(`<ds:Transform Algorithm="${ALG.enveloped}"/>`, ''), 'algorithm_refused');
    refuses(signed.replace(ALG.sha256, 'http://www.w3.org/2001/04/xmldsig-more#md5'), 'algorithm_refused');
    refuses(signed.replace(ALG.rsaSha256, 'http://www.w3.org/2000/09/xmldsig#hmac-sha1'), 'algorithm_refused');
  });

  it('refuses a Reference to anything but the parent element, and extra References, SignedInfo or Object elements', () => {
    refuses(signed.replace('URI="#_abc"', 'URI=""'), 'signature_wrapping');
    const ref = /<ds:Reference[\s\S]*<\/ds:Reference>/.exec(signed)![0];
    refuses(signed.replace(ref, ref + ref), 'signature_wrapping');
    refuses(
      signed.replace('</ds:SignatureValue>', '</ds:SignatureValue><ds:Object>x</ds:Object>'),
      'signature_wrapping',
    );
    const si = /<ds:SignedInfo>[\s\S]*<\/ds:SignedInfo>/.exec(signed)![0];
    refuses(signed.replace(si, si + si), 'signature_wrapping');
  });

  it('refuses a signature that is not a direct child of the root, or more than one signature', () => {
    const sig = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(signed)![0];
    const nested = signed
      .replace(sig, '')
      .replace('</samlp:AuthnRequest>', `<samlp:Extensions>${sig}</samlp:Extensions></samlp:AuthnRequest>`);
    assert.throws(() => rootSignature(parseXml(nested)), { code: 'signature_wrapping' });
    assert.throws(() => rootSignature(parseXml(signed.replace(sig, sig + sig))), { code: 'signature_wrapping' });
  });

  it('accepts SHA-1 only behind the allowSha1 switch', () => {
    const sha1 = signPost(authnRequestXml({ id: '_s1' }), sp, 'rsa-sha1');
    refuses(sha1, 'sha1_refused');
    assert.equal(verify(sha1, [sp.certificatePem], true).signatureAlgorithm, ALG.rsaSha1);
  });
});
