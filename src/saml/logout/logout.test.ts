import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BINDING, NAMEID_FORMAT, NS, STATUS } from '../constants.js';
import { isSamlError, type SamlErrorCode } from '../errors.js';
import { verifyEnvelopedSignature } from '../crypto/enveloped-verify.js';
import { encodeRedirect } from '../bindings/redirect.js';
import { requiredChild } from '../xml/dom.js';
import { parseXml } from '../xml/parse.js';
import { InMemoryReplayCache } from '../inbound/memory-replay-cache.js';
import type { ServiceProviderTrust } from '../inbound/ports.js';
import { testKeyPair } from '../test-support/keys.js';
import { needPeers, xmlsecVerify } from '../test-support/peers.js';
import { postForm, signPost, SP_ENTITY } from '../test-support/sp.js';
import { buildLogoutRequest } from './logout-request.js';
import { buildLogoutResponse } from './logout-response.js';
import { receiveLogoutRequest, receiveLogoutResponse, type LogoutContext } from './receive-logout.js';

const idp = testKeyPair('idp');
const spKey = testKeyPair('sp');
const IDP = 'https://keyway.test/saml/idp';
const IDP_SLO = 'https://keyway.test/saml/slo';
const SP_SLO = 'https://sp.test/slo';

const sp: ServiceProviderTrust = {
  entityId: SP_ENTITY,
  signingCertificates: [spKey.certificatePem],
  authnRequestsSigned: false,
  assertionConsumerServices: [{ index: 0, binding: BINDING.post, location: 'https://sp.test/acs' }],
  singleLogoutServices: [{ binding: BINDING.redirect, location: SP_SLO }],
};
const ctx = (extra: Partial<LogoutContext> = {}): LogoutContext => ({
  lookupSp: async (id) => (id === SP_ENTITY ? sp : undefined),
  replayCache: new InMemoryReplayCache(),
  sloUrls: [IDP_SLO],
  ...extra,
});
const queryOf = (url: string) => url.slice(url.indexOf('?') + 1);
const nameId = { value: 'u-alice', format: NAMEID_FORMAT.persistent, spNameQualifier: SP_ENTITY };

/** An SP's LogoutRequest to Keyway (built with the same library, signed with the SP's key). */
const spLogoutRequest = (overrides: { now?: Date; lifetimeSeconds?: number } = {}) =>
  buildLogoutRequest({ issuer: SP_ENTITY, destination: IDP_SLO, nameId, sessionIndexes: ['_s1', '_s2'], ...overrides });

async function rejects(p: Promise<unknown>, code: SamlErrorCode) {
  await assert.rejects(p, (e: unknown) =>
    isSamlError(e) && e.code === code
      ? true
      : assert.fail(`expected ${code}, got ${String((e as Error).message)} ${(e as { code?: string }).code}`),
  );
}

describe('single logout (SAML core 3.7, profiles 4.4)', () => {
  it('builds a signed IdP-initiated LogoutRequest that xml-crypto and xmlsec1 verify', async (t) => {
    const built = buildLogoutRequest({
      issuer: IDP,
      destination: SP_SLO,
      nameId,
      sessionIndexes: ['_s1'],
      signing: { credential: idp.credential },
    });
    const root = parseXml(built.xml).documentElement!;
    const v = verifyEnvelopedSignature(built.xml, root, requiredChild(root, NS.ds, 'Signature'), {
      certificates: [idp.certificatePem],
    });
    assert.equal(v.element.getAttribute('ID'), built.id);
    assert.equal(requiredChild(v.element, NS.saml, 'NameID').getAttribute('SPNameQualifier'), SP_ENTITY);
    if (!needPeers(t, 'xmlsec1')) return;
    const res = xmlsecVerify([built.xml], idp.certificatePem, 'LogoutRequest');
    assert.ok(res.ok, res.output);
  });

  it('receives an SP LogoutRequest over HTTP-Redirect with a query-string signature', async () => {
    const req = spLogoutRequest();
    const url = encodeRedirect({
      destination: IDP_SLO,
      param: 'SAMLRequest',
      xml: req.xml,
      relayState: 'back',
      signing: { credential: spKey.credential },
    });
    const r = await receiveLogoutRequest({ binding: 'redirect', query: queryOf(url) }, ctx());
    assert.equal(r.request.id, req.id);
    assert.equal(r.request.nameId.value, 'u-alice');
    assert.deepEqual(r.request.sessionIndexes, ['_s1', '_s2']);
    assert.equal(r.relayState, 'back');
    assert.equal(r.signed, true);
  });

  it('receives an SP LogoutRequest over HTTP-POST signed by xml-crypto', async () => {
    const signed = signPost(spLogoutRequest().xml, spKey);
    const r = await receiveLogoutRequest({ binding: 'post', form: postForm(signed) }, ctx());
    assert.equal(r.binding, 'post');
    assert.equal(r.request.nameId.format, NAMEID_FORMAT.persistent);
  });

  it('reads the whole NameID when a comment splits it: signed bytes carry no comments (docs/security.md, SAML rule 2)', async () => {
    const split = spLogoutRequest().xml.replace('>u-alice<', '>u-<!-- injected -->alice<');
    const r = await receiveLogoutRequest({ binding: 'post', form: postForm(signPost(split, spKey)) }, ctx());
    assert.equal(r.request.nameId.value, 'u-alice');
    // Without a signature the raw document is read, and a comment inside a value is refused outright.
    await rejects(
      receiveLogoutRequest({ binding: 'post', form: postForm(split) }, ctx({ requireSignature: false })),
      'comment_in_value',
    );
  });

  it('refuses unsigned, tampered, expired, replayed and misdirected LogoutRequests', async () => {
    const unsigned = encodeRedirect({ destination: IDP_SLO, param: 'SAMLRequest', xml: spLogoutRequest().xml });
    await rejects(receiveLogoutRequest({ binding: 'redirect', query: queryOf(unsigned) }, ctx()), 'signature_missing');
    await rejects(
      receiveLogoutRequest(
        { binding: 'post', form: postForm(signPost(spLogoutRequest().xml, spKey).replace('u-alice', 'u-bob')) },
        ctx(),
      ),
      'signature_invalid',
    );
    const old = spLogoutRequest({ now: new Date(Date.now() - 100_000), lifetimeSeconds: 30 });
    await rejects(receiveLogoutRequest({ binding: 'post', form: postForm(signPost(old.xml, spKey)) }, ctx()), 'stale');
    const c = ctx();
    const once = { binding: 'post', form: postForm(signPost(spLogoutRequest().xml, spKey)) } as const;
    await receiveLogoutRequest(once, c);
    await rejects(receiveLogoutRequest(once, c), 'replayed');
    const elsewhere = buildLogoutRequest({ issuer: SP_ENTITY, destination: 'https://other.test/slo', nameId });
    await rejects(
      receiveLogoutRequest({ binding: 'post', form: postForm(signPost(elsewhere.xml, spKey)) }, ctx()),
      'destination_mismatch',
    );
  });

  it('builds a LogoutResponse (signed for POST) and receives an SP LogoutResponse only for a request Keyway sent', async (t) => {
    const mine = buildLogoutResponse({
      issuer: IDP,
      destination: SP_SLO,
      inResponseTo: '_r1',
      signing: { credential: idp.credential },
    });
    if (needPeers(t, 'xmlsec1')) {
      const res = xmlsecVerify([mine.xml], idp.certificatePem, 'LogoutResponse');
      assert.ok(res.ok, res.output);
    }
    const spResponse = buildLogoutResponse({
      issuer: SP_ENTITY,
      destination: IDP_SLO,
      inResponseTo: '_sent1',
      status: { code: STATUS.success },
    });
    const url = encodeRedirect({
      destination: IDP_SLO,
      param: 'SAMLResponse',
      xml: spResponse.xml,
      signing: { credential: spKey.credential },
    });
    const sent = new Set([`${SP_ENTITY} _sent1`]);
    const expectedRequestId = async (issuer: string, id: string) => sent.has(`${issuer} ${id}`);
    const r = await receiveLogoutResponse(
      { binding: 'redirect', query: queryOf(url) },
      { ...ctx(), expectedRequestId },
    );
    assert.equal(r.response.success, true);
    assert.equal(r.response.inResponseTo, '_sent1');
    const stray = buildLogoutResponse({ issuer: SP_ENTITY, destination: IDP_SLO, inResponseTo: '_never' });
    const strayUrl = encodeRedirect({
      destination: IDP_SLO,
      param: 'SAMLResponse',
      xml: stray.xml,
      signing: { credential: spKey.credential },
    });
    await rejects(
      receiveLogoutResponse({ binding: 'redirect', query: queryOf(strayUrl) }, { ...ctx(), expectedRequestId }),
      'invalid_field',
    );
  });

  it('refuses to encode a RelayState over 80 bytes (SAML bindings 3.4.3)', () => {
    assert.throws(
      () => encodeRedirect({ destination: SP_SLO, param: 'SAMLRequest', xml: '<x/>', relayState: 'y'.repeat(81) }),
      {
        code: 'relay_state_too_long',
      },
    );
  });
});
