import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ALG } from '../constants.js';
import { testKeyPair } from '../test-support/keys.js';
import { decodeRedirectMessage, encodeRedirect, verifyRedirectSignature } from './redirect.js';

const key = testKeyPair('idp');
const xml = '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_1"/>';

describe('HTTP-Redirect binding (SAML bindings 3.4)', () => {
  it('round-trips a signed message and verifies the signature over the exact received octets', () => {
    const url = encodeRedirect({
      destination: 'https://sp.test/slo?tenant=a b',
      param: 'SAMLRequest',
      xml,
      relayState: 'r&s=1 ü',
      signing: { credential: key.credential },
    });
    assert.match(url, /^https:\/\/sp\.test\/slo\?tenant=a b&SAMLRequest=/);
    const query = url.slice(url.indexOf('?') + 1);
    const decoded = decodeRedirectMessage(query, 'SAMLRequest');
    assert.equal(decoded.xml, xml);
    assert.equal(decoded.relayState, 'r&s=1 ü');
    assert.equal(decoded.redirectSignature?.sigAlg, ALG.rsaSha256);
    verifyRedirectSignature(decoded.redirectSignature!, { certificates: [key.certificatePem] });
    assert.throws(
      () =>
        verifyRedirectSignature(decoded.redirectSignature!, { certificates: [testKeyPair('other').certificatePem] }),
      { code: 'signature_invalid' },
    );
  });

  it('checks the signature over the octets as received, not over a re-encoding', () => {
    const url = encodeRedirect({
      destination: 'https://x/',
      param: 'SAMLRequest',
      xml,
      relayState: 'a b',
      signing: { credential: key.credential },
    });
    const query = url.slice(url.indexOf('?') + 1);
    // Same decoded value, different encoding ("+" instead of "%20"): the signed octets differ, so it must fail.
    const reencoded = query.replace('RelayState=a%20b', 'RelayState=a+b');
    assert.notEqual(reencoded, query);
    const d = decodeRedirectMessage(reencoded, 'SAMLRequest');
    assert.equal(d.relayState, 'a b');
    assert.throws(() => verifyRedirectSignature(d.redirectSignature!, { certificates: [key.certificatePem] }), {
      code: 'signature_invalid',
    });
  });

  it('ignores unrelated parameters and refuses messages carrying both SAMLRequest and SAMLResponse', () => {
    const url = encodeRedirect({ destination: 'https://x/?utm=1', param: 'SAMLResponse', xml });
    assert.equal(decodeRedirectMessage(url.slice(url.indexOf('?') + 1), 'SAMLResponse').xml, xml);
    assert.throws(
      () => decodeRedirectMessage(`${url.slice(url.indexOf('?') + 1)}&SAMLRequest=eA%3D%3D`, 'SAMLResponse'),
      { code: 'duplicate_parameter' },
    );
  });

  it('refuses SHA-1 for outbound signing unless allowed', () => {
    assert.throws(
      () =>
        encodeRedirect({
          destination: 'https://x/',
          param: 'SAMLRequest',
          xml,
          signing: { credential: key.credential, algorithm: 'rsa-sha1' },
        }),
      { code: 'sha1_refused' },
    );
  });
});
