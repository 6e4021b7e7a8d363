/** Everything Keyway emits is valid against the OASIS SAML 2.0 schemas (checked by libxml2's xmllint, offline). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NAMEID_FORMAT, STATUS } from './constants.js';
import { buildIdpMetadata } from './metadata/idp-metadata.js';
import { buildResponse, type ResponseOptions } from './response/build-response.js';
import { buildErrorResponse } from './response/error-response.js';
import { buildLogoutRequest } from './logout/logout-request.js';
import { buildLogoutResponse } from './logout/logout-response.js';
import { testKeyPair } from './test-support/keys.js';
import { needPeers, xsdValidate } from './test-support/peers.js';

const idp = testKeyPair('idp');
const signing = { credential: idp.credential };

const response = (extra: Partial<ResponseOptions> = {}): ResponseOptions => ({
  issuer: 'https://keyway.test/idp',
  destination: 'https://sp.test/acs',
  audience: ['https://sp.test', 'urn:amazon:webservices'],
  inResponseTo: '_r',
  nameId: { value: 'u-1', nameQualifier: 'https://keyway.test/idp' },
  sessionIndex: '_s',
  authnInstant: new Date(),
  authnContextClassRef: 'urn:oasis:names:tc:SAML:2.0:ac:classes:Password',
  sessionNotOnOrAfter: new Date(Date.now() + 3_600_000),
  attributes: [
    { name: 'groups', friendlyName: 'Groups', values: ['a', 'b <c>'] },
    { name: 'empty', values: [] },
  ],
  signing,
  ...extra,
});

describe('schema validity (OASIS SAML 2.0 XSDs)', () => {
  it('protocol messages validate against saml-schema-protocol-2.0.xsd', async (t) => {
    if (!needPeers(t, 'xsd')) return;
    const docs = [
      (await buildResponse(response())).xml,
      (await buildResponse(response({ signing: { credential: idp.credential, signResponse: false } }))).xml,
      (await buildResponse(response({ inResponseTo: undefined, attributes: [] }))).xml,
      (await buildResponse(response({ encryption: { certificate: testKeyPair('sp-enc').certificatePem } }))).xml,
      buildErrorResponse({
        issuer: 'https://keyway.test/idp',
        destination: 'https://sp.test/acs',
        inResponseTo: '_r',
        status: { code: STATUS.requester, subCode: STATUS.invalidNameIdPolicy, message: 'm' },
        signing,
      }).xml,
      buildLogoutRequest({
        issuer: 'https://keyway.test/idp',
        destination: 'https://sp.test/slo',
        nameId: { value: 'u-1', format: NAMEID_FORMAT.persistent, spNameQualifier: 'https://sp.test' },
        sessionIndexes: ['_s1', '_s2'],
        reason: 'urn:oasis:names:tc:SAML:2.0:logout:user',
        signing,
      }).xml,
      buildLogoutRequest({
        issuer: 'https://keyway.test/idp',
        destination: 'https://sp.test/slo',
        nameId: { value: 'u-1' },
      }).xml,
      buildLogoutResponse({
        issuer: 'https://keyway.test/idp',
        destination: 'https://sp.test/slo',
        inResponseTo: '_l',
        signing,
      }).xml,
      buildLogoutResponse({
        issuer: 'https://keyway.test/idp',
        destination: 'https://sp.test/slo',
        inResponseTo: '_l',
        status: { code: STATUS.responder, subCode: STATUS.partialLogout },
      }).xml,
    ];
    const res = xsdValidate(docs, 'saml-schema-protocol-2.0.xsd');
    assert.ok(res.ok, res.output);
    // The check can fail: Status moved after the Assertion breaks the schema's sequence.
    const misordered = docs[1]!.replace(
      /(<samlp:Status>.*?<\/samlp:Status>)(<saml:Assertion.*<\/saml:Assertion>)/,
      '$2$1',
    );
    assert.notEqual(misordered, docs[1]);
    assert.equal(xsdValidate([misordered], 'saml-schema-protocol-2.0.xsd').ok, false);
  });

  it('IdP metadata validates against saml-schema-metadata-2.0.xsd', (t) => {
    if (!needPeers(t, 'xsd')) return;
    const md = buildIdpMetadata({
      entityId: 'https://keyway.test/idp',
      ssoUrls: [
        { binding: 'redirect', location: 'https://keyway.test/sso' },
        { binding: 'post', location: 'https://keyway.test/sso' },
      ],
      sloUrls: [
        { binding: 'redirect', location: 'https://keyway.test/slo' },
        { binding: 'post', location: 'https://keyway.test/slo' },
      ],
      signingCerts: [idp.certificatePem, testKeyPair('idp-next').certificatePem],
      nameIdFormats: [NAMEID_FORMAT.persistent, NAMEID_FORMAT.emailAddress],
      validUntil: new Date(Date.now() + 86_400_000),
      wantAuthnRequestsSigned: true,
      technicalContactEmail: 'ops@keyway.test',
    });
    const res = xsdValidate([md], 'saml-schema-metadata-2.0.xsd');
    assert.ok(res.ok, res.output);
  });
});
