/**
 * The inbound side against a real SP implementation: python3-onelogin-saml2 writes and signs the requests
 * Keyway receives (HTTP-Redirect, RSA-SHA256), and validates the LogoutRequest Keyway sends it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BINDING, NAMEID_FORMAT } from '../constants.js';
import { isSamlError } from '../errors.js';
import { encodeRedirect } from '../bindings/redirect.js';
import { buildIdpMetadata } from '../metadata/idp-metadata.js';
import { buildLogoutRequest } from '../logout/logout-request.js';
import { receiveLogoutRequest, receiveLogoutResponse } from '../logout/receive-logout.js';
import { testKeyPair } from '../test-support/keys.js';
import { needPeers } from '../test-support/peers.js';
import { oneloginSp, type OneloginSpConfig } from '../test-support/onelogin-sp.js';
import { InMemoryReplayCache } from './memory-replay-cache.js';
import type { ServiceProviderTrust } from './ports.js';
import { receiveAuthnRequest } from './receive-authn-request.js';

const idp = testKeyPair('idp');
const spKey = testKeyPair('sp');
const IDP = 'https://keyway.test/saml/metadata';
const SSO = 'https://keyway.test/saml/sso';
const SLO = 'https://keyway.test/saml/slo';
const SP = 'https://sp.test/metadata';
const ACS = 'https://sp.test/acs';
const SP_SLO = 'https://sp.test/slo';

const metadata = buildIdpMetadata({
  entityId: IDP,
  ssoUrls: [
    { binding: 'redirect', location: SSO },
    { binding: 'post', location: SSO },
  ],
  sloUrls: [{ binding: 'redirect', location: SLO }],
  signingCerts: [idp.certificatePem],
  nameIdFormats: [NAMEID_FORMAT.persistent],
  validUntil: new Date(Date.now() + 86_400_000),
});
const trust: ServiceProviderTrust = {
  entityId: SP,
  signingCertificates: [spKey.certificatePem],
  authnRequestsSigned: true,
  assertionConsumerServices: [{ index: 0, isDefault: true, binding: BINDING.post, location: ACS }],
  singleLogoutServices: [{ binding: BINDING.redirect, location: SP_SLO }],
};
const sp = (c: Partial<OneloginSpConfig> & Pick<OneloginSpConfig, 'action'>): OneloginSpConfig => ({
  spEntityId: SP,
  acsUrl: ACS,
  sloUrl: SP_SLO,
  spCert: spKey.certificatePem,
  spKey: spKey.privateKeyPem,
  ...c,
});
const lookupSp = async (id: string) => (id === SP ? trust : undefined);
const queryOf = (url: string | null | undefined): string => {
  assert.ok(url, 'the SP produced a redirect URL');
  return url.slice(url.indexOf('?') + 1);
};

describe('interoperability with python3-onelogin-saml2 as the SP', () => {
  it('accepts its signed HTTP-Redirect AuthnRequest and keeps its RelayState', async (t) => {
    if (!needPeers(t, 'onelogin')) return;
    const { url, requestId } = oneloginSp(
      metadata,
      sp({ action: 'login', relayState: 'https://sp.test/after login?x=1' }),
    );
    assert.ok(url?.startsWith(`${SSO}?`));
    const r = await receiveAuthnRequest(
      { binding: 'redirect', query: queryOf(url) },
      { lookupSp, replayCache: new InMemoryReplayCache(), ssoUrls: [SSO] },
    );
    assert.equal(r.signed, true);
    assert.equal(r.request.id, requestId);
    assert.equal(r.request.issuer, SP);
    assert.equal(r.acs.location, ACS);
    assert.equal(r.relayState, 'https://sp.test/after login?x=1');
    // The same request with its signature over other octets is refused.
    const tampered = queryOf(url).replace(/RelayState=[^&]*/, 'RelayState=https%3A%2F%2Fevil.test');
    await assert.rejects(
      receiveAuthnRequest(
        { binding: 'redirect', query: tampered },
        { lookupSp, replayCache: new InMemoryReplayCache(), ssoUrls: [SSO] },
      ),
      (e: unknown) => isSamlError(e) && e.code === 'signature_invalid',
    );
  });

  it('accepts its signed LogoutRequest (SP-initiated single logout)', async (t) => {
    if (!needPeers(t, 'onelogin')) return;
    const { url, requestId } = oneloginSp(
      metadata,
      sp({ action: 'logout', nameId: 'u-alice', sessionIndex: '_sess-1' }),
    );
    assert.ok(url?.startsWith(`${SLO}?`));
    const r = await receiveLogoutRequest(
      { binding: 'redirect', query: queryOf(url) },
      { lookupSp, replayCache: new InMemoryReplayCache(), sloUrls: [SLO] },
    );
    assert.equal(r.request.id, requestId);
    assert.equal(r.request.nameId.value, 'u-alice');
    assert.deepEqual(r.request.sessionIndexes, ['_sess-1']);
  });

  it('sends an IdP-initiated LogoutRequest that it validates in strict mode, and receives its signed LogoutResponse', async (t) => {
    if (!needPeers(t, 'onelogin')) return;
    const request = buildLogoutRequest({
      issuer: IDP,
      destination: SP_SLO,
      nameId: { value: 'u-alice', format: NAMEID_FORMAT.persistent },
      sessionIndexes: ['_sess-1'],
    });
    const outgoing = encodeRedirect({
      destination: SP_SLO,
      param: 'SAMLRequest',
      xml: request.xml,
      relayState: 'portal',
      signing: { credential: idp.credential },
    });
    const res = oneloginSp(metadata, sp({ action: 'process_slo', incomingUrl: outgoing }));
    assert.deepEqual(res.errors, [], res.reason ?? '');
    assert.ok(res.url?.startsWith(`${SLO}?`));
    const back = await receiveLogoutResponse(
      { binding: 'redirect', query: queryOf(res.url) },
      {
        lookupSp,
        replayCache: new InMemoryReplayCache(),
        sloUrls: [SLO],
        expectedRequestId: async (issuer, id) => issuer === SP && id === request.id,
      },
    );
    assert.equal(back.response.success, true);
    assert.equal(back.relayState, 'portal');
    // A LogoutRequest signed by another key is refused by the SP.
    const forged = encodeRedirect({
      destination: SP_SLO,
      param: 'SAMLRequest',
      xml: request.xml,
      signing: { credential: testKeyPair('attacker').credential },
    });
    const refused = oneloginSp(metadata, sp({ action: 'process_slo', incomingUrl: forged }));
    assert.ok((refused.errors ?? []).includes('invalid_logout_request_signature'), JSON.stringify(refused));
  });
});
