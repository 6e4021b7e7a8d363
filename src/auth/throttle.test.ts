import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkThrottle, recordFailure } from './throttle.js';
import type { ThrottleCounter } from './throttle.js';

const policy = {
  backoffAfter: 5,
  backoffBaseSeconds: 1,
  backoffMaxSeconds: 60,
  lockAfter: 10,
  windowSeconds: 900,
  lockSeconds: 900,
};
const t0 = new Date('2026-01-01T00:00:00Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);

test('allows the first four failures without delay, then backs off exponentially from the fifth', () => {
  let c: ThrottleCounter | null = null;
  for (let i = 1; i <= 4; i++) {
    c = recordFailure(c, 'user:alice', policy, t0);
    assert.equal(c.lockedUntil, null);
    assert.deepEqual(checkThrottle(c, policy, t0), { allowed: true });
  }
  c = recordFailure(c, 'user:alice', policy, t0);
  assert.equal(c.lockedUntil, at(1).toISOString());
  assert.equal(checkThrottle(c, policy, t0).allowed, false);
  assert.equal(checkThrottle(c, policy, at(1)).allowed, true);
  c = recordFailure(c, 'user:alice', policy, t0);
  assert.equal(c.lockedUntil, at(2).toISOString());
});

test('locks the key for the lock period at the tenth failure within the window', () => {
  let c: ThrottleCounter | null = null;
  for (let i = 1; i <= 10; i++) c = recordFailure(c, 'ip:1.2.3.4', policy, t0);
  const verdict = checkThrottle(c, policy, at(60));
  assert.deepEqual(verdict, { allowed: false, retryAt: at(900), locked: true });
  assert.equal(checkThrottle(c, policy, at(900)).allowed, true);
});

test('starts a new window once the old one has passed, so old failures are forgotten', () => {
  let c: ThrottleCounter | null = null;
  for (let i = 1; i <= 4; i++) c = recordFailure(c, 'user:bob', policy, t0);
  c = recordFailure(c, 'user:bob', policy, at(901));
  assert.equal(c.failures, 1);
  assert.equal(c.windowStartedAt, at(901).toISOString());
  assert.equal(c.lockedUntil, null);
});
