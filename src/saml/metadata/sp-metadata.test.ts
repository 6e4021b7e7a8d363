import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BINDING, NAMEID_FORMAT, NS } from '../constants.js';
import { testKeyPair } from '../test-support/keys.js';
import { MELLON_CREATE_METADATA, needPeers, withTempDir } from '../test-support/peers.js';
import { parseSpMetadata } from './sp-metadata.js';

const sign = testKeyPair('sp');
const enc = testKeyPair('sp-enc');
const b64 = (pem: string) => pem.replace(/-----[^-]+-----|\s/g, '');

const metadata = (body: string, attrs = 'AuthnRequestsSigned="true" WantAssertionsSigned="true"') =>
  `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="${NS.md}" xmlns:ds="${NS.ds}" entityID="https://sp.test/metadata" validUntil="2030-01-01T00:00:00Z">
  <md:SPSSODescriptor protocolSupportEnumeration="${NS.samlp}" ${attrs}>
${body}
  </md:SPSSODescriptor>
</md:EntityDescriptor>`;

const keys = `
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>
${b64(sign.certificatePem).replace(/.{64}/g, '$&\n')}
    </ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${b64(enc.certificatePem)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;
const endpoints = `
    <md:SingleLogoutService Binding="${BINDING.redirect}" Location="https://sp.test/slo" ResponseLocation="https://sp.test/slo/done"/>
    <md:NameIDFormat>${NAMEID_FORMAT.persistent}</md:NameIDFormat>
    <md:NameIDFormat>${NAMEID_FORMAT.emailAddress}</md:NameIDFormat>
    <md:AssertionConsumerService index="0" Binding="${BINDING.post}" Location="https://sp.test/acs"/>
    <md:AssertionConsumerService index="1" isDefault="true" Binding="${BINDING.post}" Location="https://sp.test/acs2"/>`;

describe('parseSpMetadata (SAML metadata 2.4.4)', () => {
  it('reads entityID, ACS list, SLO, signing and encryption certificates, flags and NameID formats', () => {
    const m = parseSpMetadata(metadata(keys + endpoints));
    assert.equal(m.entityId, 'https://sp.test/metadata');
    assert.deepEqual(m.assertionConsumerServices, [
      { index: 0, isDefault: undefined, binding: BINDING.post, location: 'https://sp.test/acs' },
      { index: 1, isDefault: true, binding: BINDING.post, location: 'https://sp.test/acs2' },
    ]);
    assert.deepEqual(m.singleLogoutServices, [
      { binding: BINDING.redirect, location: 'https://sp.test/slo', responseLocation: 'https://sp.test/slo/done' },
    ]);
    assert.deepEqual(m.signingCertificates, [sign.credential.certificate.toString()]);
    assert.deepEqual(m.encryptionCertificates, [enc.credential.certificate.toString()]);
    assert.equal(m.authnRequestsSigned, true);
    assert.equal(m.wantAssertionsSigned, true);
    assert.deepEqual(m.nameIdFormats, [NAMEID_FORMAT.persistent, NAMEID_FORMAT.emailAddress]);
    assert.equal(m.validUntil?.toISOString(), '2030-01-01T00:00:00.000Z');
  });

  it('reads the metadata mod_auth_mellon generates (default namespace, key used for both purposes)', (t) => {
    if (!needPeers(t, 'mellon')) return;
    withTempDir((dir) => {
      const r = spawnSync(MELLON_CREATE_METADATA, ['https://sp.test/mellon/metadata', 'https://sp.test/mellon'], {
        cwd: dir,
        timeout: 30_000,
      });
      assert.equal(r.status, 0, String(r.stderr));
      const file = readdirSync(dir).find((f) => f.endsWith('.xml'))!;
      const m = parseSpMetadata(readFileSync(join(dir, file), 'utf8'));
      assert.equal(m.entityId, 'https://sp.test/mellon/metadata');
      assert.equal(m.authnRequestsSigned, true);
      assert.equal(m.signingCertificates.length, 1);
      assert.equal(m.encryptionCertificates.length, 1);
      const post = m.assertionConsumerServices.find((a) => a.binding === BINDING.post);
      assert.equal(post?.location, 'https://sp.test/mellon/postResponse');
      assert.ok(m.singleLogoutServices.length >= 1);
    });
  });

  it('refuses metadata with a DOCTYPE, even a harmless-looking one', () => {
    assert.throws(() => parseSpMetadata(`<!DOCTYPE x [<!ENTITY e "e">]>${metadata(keys + endpoints)}`), {
      code: 'dtd_forbidden',
    });
  });

  it('refuses metadata without an HTTP-POST ACS, with a javascript: ACS, duplicate indexes, or an unreadable certificate', () => {
    assert.throws(() => parseSpMetadata(metadata(keys)), { code: 'invalid_field' });
    assert.throws(
      () =>
        parseSpMetadata(
          metadata(`<md:AssertionConsumerService index="0" Binding="${BINDING.post}" Location="javascript:alert(1)"/>`),
        ),
      { code: 'invalid_field' },
    );
    const dup = `<md:AssertionConsumerService index="0" Binding="${BINDING.post}" Location="https://a"/><md:AssertionConsumerService index="0" Binding="${BINDING.post}" Location="https://b"/>`;
    assert.throws(() => parseSpMetadata(metadata(dup)), { code: 'invalid_field' });
    const badCert = `<md:KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>QUJD</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;
    assert.throws(() => parseSpMetadata(metadata(badCert + endpoints)), { code: 'invalid_field' });
  });

  it('refuses documents that are not SP metadata', () => {
    assert.throws(() => parseSpMetadata('<foo/>'), { code: 'unexpected_message' });
    assert.throws(() => parseSpMetadata(metadata(keys + endpoints).replace(/SPSSODescriptor/g, 'IDPSSODescriptor')), {
      code: 'invalid_field',
    });
    assert.throws(() => parseSpMetadata('not xml at all'), { code: 'malformed_xml' });
  });
});
