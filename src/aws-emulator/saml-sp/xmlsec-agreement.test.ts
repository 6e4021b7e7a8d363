/**
 * The fixture IdP's signatures are checked by xmlsec1 (in the hardened form of docs/contributing.md), so the verifier's
 * tests
 * rest on Responses a third party accepts, and the verifier agrees with xmlsec1 on a genuine and a tampered twin.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSamlResponse, verifySamlResponse, SamlRejection } from './index.js';
import { fixtureResponseXml, makeFixtureKey, toBase64 } from './fixture-idp.js';
import { missingPeers, XMLSEC1 } from '../../testing/index.js';

const skip = missingPeers('xmlsec1');

function xmlsecAccepts(xml: string, certPem: string, id: string): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'keyway-xmlsec-'));
  try {
    writeFileSync(join(dir, 'r.xml'), xml);
    writeFileSync(join(dir, 'idp.crt'), certPem);
    const r = spawnSync(
      XMLSEC1,
      [
        '--verify',
        '--enabled-reference-uris',
        'empty,same-doc',
        '--enabled-key-data',
        'raw-x509-cert',
        '--pubkey-cert-pem',
        join(dir, 'idp.crt'),
        '--id-attr:ID',
        'urn:oasis:names:tc:SAML:2.0:protocol:Response',
        '--id-attr:ID',
        'urn:oasis:names:tc:SAML:2.0:assertion:Assertion',
        '--node-id',
        id,
        join(dir, 'r.xml'),
      ],
      { encoding: 'utf8', timeout: 20_000 },
    );
    return r.status === 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('xmlsec1 and the verifier both accept a genuine fixture Response and both refuse its tampered twin', {
  skip,
}, () => {
  execFileSync(XMLSEC1, ['--version']);
  const key = makeFixtureKey('xmlsec-agreement');
  const xml = fixtureResponseXml(
    { issuer: 'https://idp.example.test', nameId: 'alice@example.com', assertionId: '_assertion1' },
    key,
  );
  assert.equal(xmlsecAccepts(xml, key.certificatePem, '_assertion1'), true);
  assert.equal(
    verifySamlResponse(parseSamlResponse(toBase64(xml)), [key.certificatePem]).assertion.nameId?.value,
    'alice@example.com',
  );

  const tampered = xml.replace('alice@example.com', 'mallory@example.com');
  assert.equal(xmlsecAccepts(tampered, key.certificatePem, '_assertion1'), false);
  assert.throws(
    () => verifySamlResponse(parseSamlResponse(toBase64(tampered)), [key.certificatePem]),
    (e: unknown) => e instanceof SamlRejection && e.code === 'signature_invalid',
  );
});
