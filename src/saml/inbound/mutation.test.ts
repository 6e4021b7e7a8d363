/**
 * Mutation testing of the inbound pipeline: every way of changing a signed request either fails with a
 * SamlError (never another exception, never a hang) or — when the change is invisible to the signature, such as
 * whitespace between attributes — yields exactly the values that were signed.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BINDING } from '../constants.js';
import { isSamlError } from '../errors.js';
import { testKeyPair } from '../test-support/keys.js';
import { authnRequestXml, IDP_SSO, redirectQuery, signPost, SP_ACS, SP_ENTITY, postForm } from '../test-support/sp.js';
import { InMemoryReplayCache } from './memory-replay-cache.js';
import type { ServiceProviderTrust } from './ports.js';
import { receiveAuthnRequest, type AuthnRequestContext } from './receive-authn-request.js';
import type { InboundHttpMessage } from './receive-message.js';

const spKey = testKeyPair('sp');
const sp: ServiceProviderTrust = {
  entityId: SP_ENTITY,
  signingCertificates: [spKey.certificatePem],
  authnRequestsSigned: true,
  assertionConsumerServices: [
    { index: 0, isDefault: true, binding: BINDING.post, location: SP_ACS },
    { index: 1, binding: BINDING.post, location: 'https://sp.test/acs2' },
  ],
};
const ctx = (): AuthnRequestContext => ({
  lookupSp: async (id) => (id === SP_ENTITY ? sp : undefined),
  replayCache: new InMemoryReplayCache(),
  ssoUrls: [IDP_SSO],
});

const SNIPPETS = [
  '<',
  '>',
  '&',
  '"',
  "'",
  '<!---->',
  '<?x?>',
  '<!DOCTYPE a>',
  ']]>',
  '\u0000',
  'é',
  ' ',
  '=',
  '/',
  'xmlns:x="u"',
  '<x/>',
  '&amp;',
  '&#x0;',
  '\r',
];

function* mutations(text: string, count: number, seed: number): Generator<string> {
  let x = seed;
  const rnd = (n: number) => {
    x = (x * 1103515245 + 12345) >>> 0;
    return x % n;
  };
  for (let i = 0; i < count; i++) {
    const at = rnd(text.length);
    switch (rnd(3)) {
      case 0:
        yield text.slice(0, at) + text.slice(at + 1);
        break;
      case 1:
        yield text.slice(0, at) + SNIPPETS[rnd(SNIPPETS.length)] + text.slice(at);
        break;
      default:
        yield text.slice(0, at) + String.fromCharCode(32 + rnd(95)) + text.slice(at + 1);
    }
  }
}

async function outcome(input: InboundHttpMessage, expectedId: string): Promise<'rejected' | 'same'> {
  try {
    const r = await receiveAuthnRequest(input, ctx());
    assert.equal(r.request.id, expectedId);
    assert.equal(r.request.issuer, SP_ENTITY);
    assert.equal(r.acs.location, SP_ACS);
    return 'same';
  } catch (e) {
    assert.ok(isSamlError(e), `not a SamlError: ${e instanceof Error ? e.stack : String(e)}`);
    return 'rejected';
  }
}

describe('inbound pipeline under mutation', () => {
  it('property: a mutated signed POST AuthnRequest is rejected with a SamlError or read as signed', async () => {
    const id = '_mutation-post';
    // KeyInfo is left out: it is never used (keys come from configuration), so changes there are rightly ignored.
    const signed = signPost(authnRequestXml({ id }), spKey).replace(/<ds:KeyInfo>[\s\S]*<\/ds:KeyInfo>/, '');
    const seen = { rejected: 0, same: 0 };
    for (const m of mutations(signed, 300, 11)) seen[await outcome({ binding: 'post', form: postForm(m) }, id)]++;
    assert.ok(seen.rejected > 250, JSON.stringify(seen));
  });

  it('property: a mutated signed Redirect query is rejected with a SamlError or read as signed', async () => {
    const id = '_mutation-redirect';
    const query = redirectQuery(authnRequestXml({ id }), { key: spKey, relayState: 'rs' });
    const seen = { rejected: 0, same: 0 };
    for (const m of mutations(query, 300, 23)) seen[await outcome({ binding: 'redirect', query: m }, id)]++;
    assert.ok(seen.rejected > 250, JSON.stringify(seen));
  });
});
