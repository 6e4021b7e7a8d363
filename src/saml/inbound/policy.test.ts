import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BINDING } from '../constants.js';
import { InMemoryReplayCache } from './memory-replay-cache.js';
import { checkFreshness, checkNotReplayed, replayExpiry, resolveAcs, resolveSlo } from './policy.js';
import type { ServiceProviderTrust } from './ports.js';

const sp = (acs: ServiceProviderTrust['assertionConsumerServices']): ServiceProviderTrust => ({
  entityId: 'https://sp',
  signingCertificates: [],
  authnRequestsSigned: false,
  assertionConsumerServices: acs,
  singleLogoutServices: [
    { binding: BINDING.redirect, location: 'https://sp/slo', responseLocation: 'https://sp/slo-done' },
  ],
});

describe('inbound policy rules', () => {
  it('picks the default ACS per SAML metadata 2.2.3: isDefault, else first not marked false, else first', () => {
    const a = { binding: BINDING.post, location: 'https://a' };
    const b = { binding: BINDING.post, location: 'https://b' };
    assert.equal(resolveAcs({}, sp([a, { ...b, isDefault: true }])).location, 'https://b');
    assert.equal(resolveAcs({}, sp([{ ...a, isDefault: false }, b])).location, 'https://b');
    assert.equal(
      resolveAcs(
        {},
        sp([
          { ...a, isDefault: false },
          { ...b, isDefault: false },
        ]),
      ).location,
      'https://a',
    );
    assert.throws(() => resolveAcs({}, sp([{ binding: BINDING.redirect, location: 'https://r' }])), {
      code: 'acs_not_registered',
    });
  });

  it('matches a requested ACS URL exactly, without normalisation', () => {
    const s = sp([{ binding: BINDING.post, location: 'https://sp/acs' }]);
    assert.equal(resolveAcs({ acsUrl: 'https://sp/acs' }, s).location, 'https://sp/acs');
    for (const near of ['https://SP/acs', 'https://sp/acs?x', 'https://sp/acs#', 'https://sp//acs', 'https://sp/ACS']) {
      assert.throws(() => resolveAcs({ acsUrl: near }, s), { code: 'acs_not_registered' }, near);
    }
  });

  it("finds the SP's SLO endpoint and its ResponseLocation", () => {
    assert.equal(resolveSlo(sp([]), 'redirect', false).url, 'https://sp/slo');
    assert.equal(resolveSlo(sp([]), 'redirect', true).url, 'https://sp/slo-done');
    assert.throws(() => resolveSlo(sp([]), 'post', false), { code: 'unsupported_binding' });
  });

  it('accepts an IssueInstant within max age plus skew, refuses older and future ones', () => {
    const now = new Date('2026-01-01T00:10:00Z');
    checkFreshness(new Date('2026-01-01T00:04:00Z'), { now });
    assert.throws(() => checkFreshness(new Date('2026-01-01T00:03:59Z'), { now }), { code: 'stale' });
    assert.throws(() => checkFreshness(new Date('2026-01-01T00:11:01Z'), { now }), { code: 'not_yet_valid' });
    assert.equal(replayExpiry(now, { now }).toISOString(), '2026-01-01T00:17:00.000Z');
  });

  it('remembers IDs per issuer until they expire, within a bounded memory', async () => {
    let clock = 0;
    const cache = new InMemoryReplayCache(4, () => clock);
    await checkNotReplayed(cache, 'sp1', '_a', new Date(100));
    await checkNotReplayed(cache, 'sp2', '_a', new Date(100));
    await assert.rejects(checkNotReplayed(cache, 'sp1', '_a', new Date(100)), { code: 'replayed' });
    clock = 100;
    await checkNotReplayed(cache, 'sp1', '_a', new Date(200));
    for (let i = 0; i < 20; i++) assert.equal(await cache.checkAndRemember(`k${i}`, new Date(10_000)), true);
  });
});
