import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { certificateExtensionOids } from './x509-extensions.js';
import { parseSamlMetadata } from './saml-metadata.js';
import { AwsServiceError } from '../http/contract.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

/** A self-signed certificate (node-forge builds it) carrying exactly `extensions`, as DER. */
function certificate(extensions: object[]): Buffer {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 86_400_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  cert.setSubject([{ name: 'commonName', value: 'extensions' }]);
  cert.setIssuer([{ name: 'commonName', value: 'extensions' }]);
  cert.setExtensions(extensions);
  cert.sign(
    forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()),
    forge.md.sha256.create(),
  );
  return Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
}

const BASIC_CONSTRAINTS = '551d13'; // 2.5.29.19
const KEY_USAGE = '551d0f'; // 2.5.29.15

test('lists the extension OIDs of a certificate in order, and none when it has no extensions (RFC 5280 §4.1)', () => {
  assert.deepEqual(
    certificateExtensionOids(
      certificate([
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true },
      ]),
    ),
    [BASIC_CONSTRAINTS, KEY_USAGE],
  );
  assert.deepEqual(certificateExtensionOids(certificate([])), []);
});

test('sees an extension repeated, which node:crypto accepts without a word', () => {
  const der = certificate([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true },
    { name: 'basicConstraints', cA: true },
  ]);
  assert.ok(new X509Certificate(der).publicKey, 'node:crypto parses it');
  assert.deepEqual(certificateExtensionOids(der), [BASIC_CONSTRAINTS, KEY_USAGE, BASIC_CONSTRAINTS]);
});

test('answers undefined for DER that is truncated, padded or not a certificate, never reading past the end', () => {
  const der = certificate([{ name: 'basicConstraints', cA: false }]);
  for (const bad of [
    der.subarray(0, der.length - 1),
    Buffer.concat([der, Buffer.from([0])]),
    Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]),
    Buffer.from([0x30, 0x80, 0, 0]),
    Buffer.from([0x02, 0x01, 0x00]),
    Buffer.alloc(0),
  ]) {
    assert.equal(certificateExtensionOids(bad), undefined, bad.toString('hex').slice(0, 32));
  }
});

test('CreateSAMLProvider metadata whose certificate repeats an extension is InvalidInput "Could not parse metadata" (IAM UG)', () => {
  const metadata = (der: Buffer) =>
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.test/x"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${der.toString('base64')}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor></md:IDPSSODescriptor></md:EntityDescriptor>`;
  assert.equal(
    parseSamlMetadata(metadata(certificate([{ name: 'basicConstraints', cA: false }]))).entityId,
    'https://idp.test/x',
  );
  assert.throws(
    () =>
      parseSamlMetadata(
        metadata(
          certificate([
            { name: 'keyUsage', digitalSignature: true },
            { name: 'keyUsage', keyCertSign: true },
          ]),
        ),
      ),
    (e: unknown) =>
      e instanceof AwsServiceError && e.code === 'InvalidInput' && e.message === 'Could not parse metadata',
  );
});
