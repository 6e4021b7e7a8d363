import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBucket } from './rate-limit.js';

test('the token bucket allows a burst, refills at the configured rate and names the wait for Retry-After', () => {
  let t = 0;
  const b = new TokenBucket({ ratePerSecond: 2, burst: 2 }, () => t);
  assert.equal(b.take().ok, true);
  assert.equal(b.take().ok, true);
  assert.deepEqual(b.take(), { ok: false, retryAfterSeconds: 1 });
  t += 500;
  assert.equal(b.take().ok, true);
  assert.equal(b.take().ok, false);
  t += 10_000;
  assert.equal(b.take().ok, true);
  assert.equal(b.take().ok, true);
  assert.equal(b.take().ok, false, 'refill never exceeds the burst');
});

test('a rate of zero turns the limit off', () => {
  const b = new TokenBucket({ ratePerSecond: 0, burst: 0 }, () => 0);
  for (let i = 0; i < 1000; i++) assert.equal(b.take().ok, true);
});
