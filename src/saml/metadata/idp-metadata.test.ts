import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BINDING, NAMEID_FORMAT, NS } from '../constants.js';
import { childrenNamed, requiredChild, textOf } from '../xml/dom.js';
import { parseXml } from '../xml/parse.js';
import { testKeyPair } from '../test-support/keys.js';
import { buildIdpMetadata } from './idp-metadata.js';

const current = testKeyPair('idp');
const next = testKeyPair('idp-next');

const metadata = () =>
  buildIdpMetadata({
    entityId: 'https://keyway.test/saml/idp',
    ssoUrls: [
      { binding: 'redirect', location: 'https://keyway.test/saml/sso' },
      { binding: 'post', location: 'https://keyway.test/saml/sso' },
    ],
    sloUrls: [{ binding: 'redirect', location: 'https://keyway.test/saml/slo' }],
    signingCerts: [current.certificatePem, next.certificatePem],
    nameIdFormats: [NAMEID_FORMAT.persistent, NAMEID_FORMAT.emailAddress],
    validUntil: new Date('2027-01-01T00:00:00Z'),
    technicalContactEmail: 'ops@keyway.test',
  });

describe('buildIdpMetadata (SAML metadata 2.4.3)', () => {
  it('publishes the entityID, SSO for Redirect and POST, SLO, NameID formats and validUntil', () => {
    const xml = metadata();
    const root = parseXml(xml).documentElement!;
    assert.equal(root.namespaceURI, NS.md);
    assert.equal(root.getAttribute('entityID'), 'https://keyway.test/saml/idp');
    assert.equal(root.getAttribute('validUntil'), '2027-01-01T00:00:00Z');
    const idpsso = requiredChild(root, NS.md, 'IDPSSODescriptor');
    assert.equal(idpsso.getAttribute('protocolSupportEnumeration'), NS.samlp);
    assert.deepEqual(
      childrenNamed(idpsso, NS.md, 'SingleSignOnService').map((e) => [
        e.getAttribute('Binding'),
        e.getAttribute('Location'),
      ]),
      [
        [BINDING.redirect, 'https://keyway.test/saml/sso'],
        [BINDING.post, 'https://keyway.test/saml/sso'],
      ],
    );
    assert.equal(childrenNamed(idpsso, NS.md, 'SingleLogoutService').length, 1);
    assert.deepEqual(childrenNamed(idpsso, NS.md, 'NameIDFormat').map(textOf), [
      NAMEID_FORMAT.persistent,
      NAMEID_FORMAT.emailAddress,
    ]);
  });

  it('publishes current and next signing certificates for key rollover', () => {
    const idpsso = requiredChild(parseXml(metadata()).documentElement!, NS.md, 'IDPSSODescriptor');
    const certs = childrenNamed(idpsso, NS.md, 'KeyDescriptor').map((k) => {
      assert.equal(k.getAttribute('use'), 'signing');
      const x509 = requiredChild(
        requiredChild(requiredChild(k, NS.ds, 'KeyInfo'), NS.ds, 'X509Data'),
        NS.ds,
        'X509Certificate',
      );
      return textOf(x509);
    });
    assert.deepEqual(certs, [current.credential.certificateBase64, next.credential.certificateBase64]);
  });

  it('is UTF-8 without a byte-order mark, as AWS CreateSAMLProvider requires (IAM User Guide, "Create a SAML identity provider in IAM")', () => {
    const bytes = Buffer.from(metadata(), 'utf8');
    assert.notDeepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    assert.match(bytes.toString('utf8'), /^<\?xml version="1.0" encoding="UTF-8"\?>/);
  });

  it('refuses metadata without a signing certificate or SSO endpoint', () => {
    assert.throws(
      () =>
        buildIdpMetadata({
          entityId: 'x',
          ssoUrls: [],
          signingCerts: [current.certificatePem],
          validUntil: new Date(),
        }),
      {
        code: 'missing_field',
      },
    );
    assert.throws(
      () =>
        buildIdpMetadata({
          entityId: 'x',
          ssoUrls: [{ binding: 'post', location: 'https://x' }],
          signingCerts: [],
          validUntil: new Date(),
        }),
      { code: 'missing_field' },
    );
  });

  it('escapes values so an entity ID cannot inject markup', () => {
    const xml = buildIdpMetadata({
      entityId: 'https://x/"><evil/>',
      ssoUrls: [{ binding: 'post', location: 'https://x/?a=1&b=2' }],
      signingCerts: [current.certificatePem],
      validUntil: new Date('2027-01-01T00:00:00Z'),
    });
    const root = parseXml(xml).documentElement!;
    assert.equal(root.getAttribute('entityID'), 'https://x/"><evil/>');
    assert.equal(root.getElementsByTagName('evil').length, 0);
  });
});
