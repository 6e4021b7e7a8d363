import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { AwsServiceError } from '../http/contract.js';
import { parseSamlMetadata } from './saml-metadata.js';

const CERT = readFileSync(new URL('../testdata/idp-cert.pem', import.meta.url), 'utf8')
  .replace(/-----[A-Z ]+-----/g, '')
  .replace(/\s+/g, '');

const metadata = (inner: string, attrs = '') =>
  `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.test/e"${attrs}>${inner}</md:EntityDescriptor>`;
const key = (use = ' use="signing"', cert = CERT) =>
  `<md:KeyDescriptor${use}><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\n${cert}\n</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;
const idp = (keys: string, attrs = '') =>
  `<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"${attrs}>${keys}</md:IDPSSODescriptor>`;

function rejected(document: string): void {
  assert.throws(
    () => parseSamlMetadata(document),
    (e: unknown) =>
      e instanceof AwsServiceError && e.code === 'InvalidInput' && e.message === 'Could not parse metadata',
  );
}

test('reads the entityID, the signing certificates and validUntil', () => {
  const parsed = parseSamlMetadata(
    metadata(idp(key() + key('') + key(' use="encryption"')), ' validUntil="2030-05-06T07:08:09Z"'),
  );
  assert.equal(parsed.entityId, 'https://idp.test/e');
  assert.deepEqual(
    parsed.signingCertificates,
    [CERT, CERT],
    'use="signing" and use-less keys sign; encryption keys do not',
  );
  assert.equal(parsed.validUntil, Date.UTC(2030, 4, 6, 7, 8, 9));
  assert.equal(parseSamlMetadata(metadata(idp(key()))).validUntil, undefined);
});

test('refuses metadata IAM cannot use (IAM UG id_roles_providers_create_saml, troubleshoot_saml)', () => {
  rejected('not xml');
  rejected(`<?xml version="1.0"?><!DOCTYPE md [<!ENTITY x "y">]>${metadata(idp(key()))}`);
  rejected(`\ufeff${metadata(idp(key()))}`);
  rejected(metadata(idp(key(' use="encryption"'))));
  rejected(metadata(idp('')));
  rejected(metadata(idp(key()) + idp(key())));
  rejected(metadata(idp(key(' use="signing"', 'bm90IGEgY2VydA=='))));
  rejected(metadata(idp(key(' use="signing"', '!!!'))));
  rejected(metadata(idp(key()), ' validUntil="someday"'));
  rejected(metadata(idp(key())).replace(' entityID="https://idp.test/e"', ''));
  rejected(metadata(idp(key())).replace(/urn:oasis:names:tc:SAML:2.0:metadata/, 'urn:example:other'));
  rejected(`${metadata(idp(key()))}<second/>`);
  rejected(metadata(idp(key())).replace('</md:EntityDescriptor>', ''));
});
