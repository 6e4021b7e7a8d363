import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { testKeyPair } from '../test-support/keys.js';
import { createSigningCredential, certificateBase64, toPem } from './credential.js';
import { createSelfSignedCertificate } from './self-signed.js';

describe('signing credentials', () => {
  it('pairs an RSA key with its self-signed certificate and prepares the KeyInfo value', () => {
    const k = testKeyPair('idp');
    assert.equal(k.credential.certificateBase64, certificateBase64(k.certificatePem));
    assert.equal(toPem(k.credential.certificateBase64), k.credential.certificatePem);
    assert.equal(k.credential.certificate.subject, 'CN=keyway-test-idp');
    createSigningCredential(k.privateKeyPem, k.certificatePem);
  });

  it('refuses a key that does not match the certificate', () => {
    assert.throws(() => createSigningCredential(testKeyPair('other').privateKey, testKeyPair('idp').certificatePem), {
      code: 'bad_key',
    });
  });

  it('refuses RSA keys under 2048 bits and non-RSA keys', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    assert.throws(
      () => createSigningCredential(small, createSelfSignedCertificate({ privateKey: small, commonName: 'small' })),
      { code: 'bad_key' },
    );
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    assert.throws(() => createSelfSignedCertificate({ privateKey: ec, commonName: 'ec' }), { code: 'bad_key' });
    assert.throws(() => createSigningCredential(ec, testKeyPair('idp').certificatePem), { code: 'bad_key' });
  });

  it('refuses unreadable certificates', () => {
    assert.throws(() => certificateBase64('not a certificate!'), { code: 'bad_key' });
    assert.throws(() => certificateBase64('QUJD'), { code: 'bad_key' });
  });
});
