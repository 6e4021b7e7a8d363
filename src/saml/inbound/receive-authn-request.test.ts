import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { ALG, BINDING, NAMEID_FORMAT, STATUS } from '../constants.js';
import { isSamlError, samlStatusFor, type SamlErrorCode } from '../errors.js';
import { testKeyPair } from '../test-support/keys.js';
import {
  authnRequestXml,
  IDP_SSO,
  postForm,
  redirectQuery,
  signPost,
  SP_ACS,
  SP_ENTITY,
  uniqueId,
} from '../test-support/sp.js';
import { InMemoryReplayCache } from './memory-replay-cache.js';
import type { ServiceProviderTrust } from './ports.js';
import { receiveAuthnRequest, type AuthnRequestContext } from './receive-authn-request.js';
import type { InboundHttpMessage } from './receive-message.js';

const spKey = testKeyPair('sp');
const attacker = testKeyPair('attacker');

const trust = (overrides: Partial<ServiceProviderTrust> = {}): ServiceProviderTrust => ({
  entityId: SP_ENTITY,
  signingCertificates: [spKey.certificatePem],
  authnRequestsSigned: false,
  assertionConsumerServices: [
    { index: 0, isDefault: true, binding: BINDING.post, location: SP_ACS },
    { index: 1, binding: BINDING.post, location: 'https://sp.test/acs2' },
    { index: 2, binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact', location: 'https://sp.test/artifact' },
  ],
  ...overrides,
});

const context = (
  sp: ServiceProviderTrust = trust(),
  extra: Partial<AuthnRequestContext> = {},
): AuthnRequestContext => ({
  lookupSp: async (id) => (id === sp.entityId ? sp : undefined),
  replayCache: new InMemoryReplayCache(),
  ssoUrls: [IDP_SSO],
  ...extra,
});

async function rejects(input: InboundHttpMessage, code: SamlErrorCode, ctx: AuthnRequestContext = context()) {
  await assert.rejects(receiveAuthnRequest(input, ctx), (e: unknown) => {
    assert.ok(isSamlError(e), `expected SamlError, got ${String(e)}`);
    assert.equal(e.code, code, `${e.code}: ${e.message} (${e.detail ?? ''})`);
    return true;
  });
}

const redirect = (query: string): InboundHttpMessage => ({ binding: 'redirect', query });
const post = (xml: string, relayState?: string): InboundHttpMessage => ({
  binding: 'post',
  form: postForm(xml, relayState),
});

describe('receiveAuthnRequest: accepted requests (SAML profiles 4.1.4.1)', () => {
  it('reads an unsigned HTTP-Redirect AuthnRequest with its RelayState and resolves the requested ACS', async () => {
    const id = uniqueId();
    const r = await receiveAuthnRequest(
      redirect(redirectQuery(authnRequestXml({ id }), { relayState: '/dashboard?x=1&y=2' })),
      context(),
    );
    assert.equal(r.request.id, id);
    assert.equal(r.request.issuer, SP_ENTITY);
    assert.equal(r.request.destination, IDP_SSO);
    assert.equal(r.request.acsUrl, SP_ACS);
    assert.equal(r.request.protocolBinding, BINDING.post);
    assert.deepEqual(r.request.nameIdPolicy, {
      format: NAMEID_FORMAT.persistent,
      allowCreate: true,
      spNameQualifier: undefined,
    });
    assert.equal(r.request.forceAuthn, false);
    assert.equal(r.request.isPassive, false);
    assert.equal(r.acs.location, SP_ACS);
    assert.equal(r.relayState, '/dashboard?x=1&y=2');
    assert.equal(r.signed, false);
    assert.equal(r.binding, 'redirect');
  });

  it('verifies an RSA-SHA256 query-string signature over the received octets (SAML bindings 3.4.4.1)', async () => {
    const q = redirectQuery(authnRequestXml(), { relayState: 'state with spaces & ünïcode', key: spKey });
    const r = await receiveAuthnRequest(redirect(q), context(trust({ authnRequestsSigned: true })));
    assert.equal(r.signed, true);
    assert.equal(r.signatureAlgorithm, ALG.rsaSha256);
    assert.equal(r.relayState, 'state with spaces & ünïcode');
  });

  it('verifies an HTTP-POST AuthnRequest signed by xml-crypto and reads values from the signed bytes', async () => {
    const xml = signPost(authnRequestXml({ acsIndex: 1 }), spKey);
    const r = await receiveAuthnRequest(post(xml, 'rs'), context(trust({ authnRequestsSigned: true })));
    assert.equal(r.signed, true);
    assert.equal(r.binding, 'post');
    assert.equal(r.request.acsIndex, 1);
    assert.equal(r.acs.location, 'https://sp.test/acs2');
    assert.equal(r.relayState, 'rs');
  });

  it('uses the default ACS when the request names none, and accepts signatures from a second (rollover) SP certificate', async () => {
    const xml = authnRequestXml().replace(/ AssertionConsumerServiceURL="[^"]*"/, '');
    const sp = trust({ signingCertificates: [attacker.certificatePem, spKey.certificatePem] });
    const r = await receiveAuthnRequest(post(signPost(xml, spKey)), context(sp));
    assert.equal(r.acs.location, SP_ACS);
  });
});

describe('receiveAuthnRequest: bad input from issue 3', () => {
  it('rejects an unknown SP issuer without sending it anything (docs/security.md, SAML rule 4)', async () => {
    await rejects(redirect(redirectQuery(authnRequestXml({ issuer: 'https://stranger.test' }))), 'unknown_issuer');
  });

  it('rejects an AuthnRequest whose ACS URL is not registered (SAML core 3.4.1)', async () => {
    await rejects(redirect(redirectQuery(authnRequestXml({ acsUrl: 'https://evil.test/acs' }))), 'acs_not_registered');
    await rejects(redirect(redirectQuery(authnRequestXml({ acsUrl: 'https://sp.test/acs/' }))), 'acs_not_registered');
    await rejects(redirect(redirectQuery(authnRequestXml({ acsIndex: 7 }))), 'acs_not_registered');
    // index 2 exists but with the Artifact binding, which Keyway does not deliver to
    await rejects(redirect(redirectQuery(authnRequestXml({ acsIndex: 2 }))), 'acs_not_registered');
  });

  it('rejects a Redirect request whose query-string signature does not verify', async () => {
    const q = redirectQuery(authnRequestXml(), { relayState: 'a', key: spKey });
    await rejects(redirect(q.replace('RelayState=a', 'RelayState=b')), 'signature_invalid');
    await rejects(redirect(redirectQuery(authnRequestXml(), { key: attacker })), 'signature_invalid');
    await rejects(redirect(q.replace(/&Signature=[^&]*/, '')), 'signature_invalid');
  });

  it("rejects a POST request whose enveloped signature does not verify, even with the signer's certificate in KeyInfo", async () => {
    const signed = signPost(authnRequestXml(), spKey);
    await rejects(post(signed.replace(SP_ACS, 'https://sp.test/acs2')), 'signature_invalid');
    // The attacker's certificate travels in KeyInfo; keys come only from configuration (docs/security.md, SAML rule 3).
    await rejects(post(signPost(authnRequestXml(), attacker)), 'signature_invalid');
  });

  it('rejects an unsigned request when the SP is configured to sign (SAML metadata 2.4.4)', async () => {
    const ctx = context(trust({ authnRequestsSigned: true }));
    await rejects(redirect(redirectQuery(authnRequestXml())), 'signature_missing', ctx);
    await rejects(post(authnRequestXml()), 'signature_missing', ctx);
  });

  it('refuses SHA-1 signatures unless the SP is explicitly allowed them', async () => {
    const q = redirectQuery(authnRequestXml(), { key: spKey, sigAlg: ALG.rsaSha1 });
    await rejects(redirect(q), 'sha1_refused');
    await rejects(post(signPost(authnRequestXml(), spKey, 'rsa-sha1')), 'sha1_refused');
    const allowed = trust({ allowSha1: true });
    assert.equal((await receiveAuthnRequest(redirect(q), context(allowed))).signed, true);
    assert.equal(
      (await receiveAuthnRequest(post(signPost(authnRequestXml(), spKey, 'rsa-sha1')), context(allowed))).signed,
      true,
    );
  });

  it('refuses HMAC and unknown signature algorithms', async () => {
    await rejects(
      redirect(redirectQuery(authnRequestXml(), { key: spKey, sigAlg: 'http://www.w3.org/2000/09/xmldsig#hmac-sha1' })),
      'algorithm_refused',
    );
  });

  it('rejects a signature that covers a different element than the one used (wrapping)', async () => {
    const genuine = signPost(authnRequestXml({ acsUrl: SP_ACS }), spKey);
    const inner = genuine.replace(/^<samlp:AuthnRequest [^>]*>/, '').replace(/<\/samlp:AuthnRequest>$/, '');
    // 1. The signed request hidden in Extensions of a forged outer request.
    const wrapped = authnRequestXml({
      acsUrl: 'https://sp.test/acs2',
      extra: `<samlp:Extensions>${genuine}</samlp:Extensions>`,
    });
    await rejects(post(wrapped), 'signature_wrapping');
    // 2. The genuine signature moved into a forged request with a different ID: its Reference no longer points to the
    // parent.
    const forgedId = uniqueId();
    const moved = genuine.replace(/ ID="[^"]*"/, ` ID="${forgedId}"`);
    await rejects(post(moved), 'signature_wrapping');
    // 3. Two signatures on one request.
    const sigEl = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(genuine)![0];
    await rejects(post(genuine.replace(sigEl, sigEl + sigEl)), 'signature_wrapping');
    // 4. The signed content smuggled as a sibling element carrying the same ID.
    assert.ok(inner.length > 0);
    const dupId = /ID="([^"]*)"/.exec(genuine)![1]!;
    await rejects(
      post(
        genuine.replace(
          '</samlp:AuthnRequest>',
          `<samlp:Extensions><x ID="${dupId}"/></samlp:Extensions></samlp:AuthnRequest>`,
        ),
      ),
      'duplicate_id',
    );
  });

  it('refuses XML with a DOCTYPE or external entity, over both bindings', async () => {
    const xxe =
      `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>` +
      authnRequestXml({ issuerRaw: '&x;' });
    await rejects(redirect(redirectQuery(xxe)), 'dtd_forbidden');
    await rejects(post(xxe), 'dtd_forbidden');
    await rejects(post(`<!DOCTYPE samlp:AuthnRequest>${authnRequestXml()}`), 'dtd_forbidden');
  });

  it('refuses processing instructions and comments inside values', async () => {
    await rejects(post(authnRequestXml({ extra: '<?evil x?>' })), 'processing_instruction_forbidden');
    await rejects(post(authnRequestXml({ issuerRaw: 'https://sp.test/<!-- x -->metadata' })), 'comment_in_value');
  });

  it('rejects invalid base64 and invalid DEFLATE', async () => {
    await rejects(redirect('SAMLRequest=%%%%'), 'bad_encoding');
    await rejects(redirect('SAMLRequest=not*base64'), 'bad_base64');
    await rejects({ binding: 'post', form: { SAMLRequest: 'abc' } }, 'bad_base64');
    await rejects(
      redirect(`SAMLRequest=${encodeURIComponent(Buffer.from('definitely not deflate data').toString('base64'))}`),
      'bad_deflate',
    );
  });

  it('stops a deflate bomb at the inflated-size cap instead of inflating it', async () => {
    const bomb = deflateRawSync(Buffer.alloc(50 * 1024 * 1024, 0x20));
    assert.ok(bomb.length < 100_000);
    const started = process.hrtime.bigint();
    await rejects(redirect(`SAMLRequest=${encodeURIComponent(bomb.toString('base64'))}`), 'too_large');
    assert.ok(Number(process.hrtime.bigint() - started) / 1e6 < 2_000, 'fails fast');
  });

  it('rejects oversized messages before decoding them', async () => {
    await rejects({ binding: 'post', form: { SAMLRequest: 'A'.repeat(200 * 1024) } }, 'too_large');
    await rejects(redirect(`SAMLRequest=${'A'.repeat(200 * 1024)}`), 'too_large');
    const big = authnRequestXml({ extra: `<samlp:Extensions>${'<a>x</a>'.repeat(20_000)}</samlp:Extensions>` });
    await rejects(post(big), 'too_large');
  });

  it('rejects a replayed AuthnRequest ID', async () => {
    const ctx = context();
    const q = redirectQuery(authnRequestXml());
    await receiveAuthnRequest(redirect(q), ctx);
    await rejects(redirect(q), 'replayed', ctx);
  });

  it('rejects a stale IssueInstant and one from the future, with the configured skew', async () => {
    const now = new Date('2026-06-01T12:00:00Z');
    const ctx = context(trust(), { now, maxAgeSeconds: 300, skewSeconds: 60 });
    await rejects(
      redirect(redirectQuery(authnRequestXml({ issueInstant: new Date(now.getTime() - 361_000) }))),
      'stale',
      ctx,
    );
    await rejects(
      redirect(redirectQuery(authnRequestXml({ issueInstant: new Date(now.getTime() + 61_000) }))),
      'not_yet_valid',
      ctx,
    );
    await receiveAuthnRequest(
      redirect(redirectQuery(authnRequestXml({ issueInstant: new Date(now.getTime() - 350_000) }))),
      ctx,
    );
    await rejects(redirect(redirectQuery(authnRequestXml({ issueInstant: 'yesterday' }))), 'invalid_field', ctx);
  });

  it('rejects RelayState over 80 bytes (SAML bindings 3.4.3)', async () => {
    await rejects(redirect(redirectQuery(authnRequestXml(), { relayState: 'x'.repeat(81) })), 'relay_state_too_long');
    await rejects(post(authnRequestXml(), 'é'.repeat(41)), 'relay_state_too_long');
    await receiveAuthnRequest(redirect(redirectQuery(authnRequestXml(), { relayState: 'x'.repeat(80) })), context());
  });

  it('rejects a signed request without a matching Destination (SAML bindings 3.4.5.2)', async () => {
    await rejects(
      redirect(redirectQuery(authnRequestXml({ destination: 'https://other-idp.test/sso' }))),
      'destination_mismatch',
    );
    await rejects(
      redirect(redirectQuery(authnRequestXml({ destination: null }), { key: spKey })),
      'destination_mismatch',
    );
  });

  it('answers an unsupported NameID format with InvalidNameIDPolicy to the registered ACS', async () => {
    const id = uniqueId();
    const q = redirectQuery(
      authnRequestXml({ id, nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName' }),
      { relayState: 'r' },
    );
    await assert.rejects(receiveAuthnRequest(redirect(q), context()), (e: unknown) => {
      assert.ok(isSamlError(e));
      assert.equal(e.code, 'invalid_name_id_policy');
      const status = samlStatusFor(e);
      assert.equal(status.subCode, STATUS.invalidNameIdPolicy);
      assert.equal(status.respondToSp, true);
      assert.deepEqual(e.respondTo, { spEntityId: SP_ENTITY, acsUrl: SP_ACS, inResponseTo: id, relayState: 'r' });
      return true;
    });
  });

  it('rejects a request for a response binding other than HTTP-POST with UnsupportedBinding, to the default ACS', async () => {
    const id = uniqueId();
    const q = redirectQuery(
      authnRequestXml({ id, protocolBinding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact' }),
    );
    await assert.rejects(receiveAuthnRequest(redirect(q), context()), (e: unknown) => {
      assert.ok(isSamlError(e));
      assert.equal(e.code, 'unsupported_binding');
      assert.equal(samlStatusFor(e).subCode, STATUS.unsupportedBinding);
      assert.deepEqual(e.respondTo, { spEntityId: SP_ENTITY, acsUrl: SP_ACS, inResponseTo: id });
      return true;
    });
  });

  it('rejects duplicated parameters, a Redirect message with an XML signature, and the wrong message type', async () => {
    const q = redirectQuery(authnRequestXml());
    await rejects(redirect(`${q}&${q}`), 'duplicate_parameter');
    await rejects(
      { binding: 'post', form: { SAMLRequest: [postForm(authnRequestXml()).SAMLRequest, 'x'] } },
      'duplicate_parameter',
    );
    await rejects(redirect(redirectQuery(signPost(authnRequestXml(), spKey))), 'signature_invalid');
    const logout = authnRequestXml().replace(/AuthnRequest/g, 'LogoutRequest');
    await rejects(redirect(redirectQuery(logout)), 'unexpected_message');
    await rejects(redirect(''), 'missing_parameter');
    await rejects(post('<a/><b/>'), 'malformed_xml');
    await rejects(post('<samlp:AuthnRequest'), 'malformed_xml');
  });
});
