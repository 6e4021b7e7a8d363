import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readIdpTrustAnchors, ReplayCache, SamlRejection } from './index.js';
import { fixtureMetadata, makeFixtureKey } from './fixture-idp.js';

const key1 = makeFixtureKey('one');
const key2 = makeFixtureKey('two');

test('reads the IdP entityID and every signing certificate from metadata (SAML metadata §2.4.1.1)', () => {
  const a = readIdpTrustAnchors(fixtureMetadata('https://idp.example.test', [key1, key2]));
  assert.equal(a.entityId, 'https://idp.example.test');
  assert.equal(a.certificatesPem.length, 2);
  assert.match(a.certificatesPem[0]!, /^-----BEGIN CERTIFICATE-----\n/);
});

test('refuses metadata with a DOCTYPE, or without an IDPSSODescriptor', () => {
  const meta = fixtureMetadata('https://idp.example.test', [key1]);
  assert.throws(
    () => readIdpTrustAnchors(meta.replace('<md:EntityDescriptor', '<!DOCTYPE x><md:EntityDescriptor')),
    (e: unknown) => e instanceof SamlRejection && e.code === 'malformed',
  );
  assert.throws(
    () => readIdpTrustAnchors(meta.replace(/IDPSSODescriptor/g, 'SPSSODescriptor')),
    (e: unknown) => e instanceof SamlRejection && e.code === 'bad_structure',
  );
});

test('the replay cache accepts an ID once until it expires, then again', () => {
  const cache = new ReplayCache(2);
  assert.equal(cache.claim('a', 1_000, 0), true);
  assert.equal(cache.claim('a', 1_000, 500), false);
  assert.equal(cache.claim('a', 2_000, 1_000), true, 'an expired entry no longer blocks');
});

test('a full replay cache refuses new IDs rather than forgetting live ones', () => {
  const cache = new ReplayCache(2);
  cache.claim('a', 10_000, 0);
  cache.claim('b', 10_000, 0);
  assert.throws(() => cache.claim('c', 10_000, 1), RangeError);
  assert.equal(cache.claim('c', 20_000, 10_000), true, 'expired entries are purged to make room');
});
