import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { newTotpSecret, totpCode, totpStep, totpUri, verifyTotp } from './totp.js';
import { seal, unseal } from './sealed.js';

const t0 = new Date('2026-05-01T12:00:10Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);

test('matches the RFC 6238 appendix B test vector for SHA-1 (T=59 → 94287082, 6 digits → 287082)', () => {
  const rfcSecret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'; // base32 of "12345678901234567890"
  assert.equal(totpCode(rfcSecret, new Date(59_000)), '287082');
  assert.equal(verifyTotp(rfcSecret, '287082', new Date(59_000), null), 1);
});

test('accepts the current code and the neighbouring steps for clock skew, and nothing further away', () => {
  const secret = newTotpSecret();
  assert.equal(verifyTotp(secret, totpCode(secret, t0), t0, null), totpStep(t0));
  assert.equal(verifyTotp(secret, totpCode(secret, at(-30)), t0, null), totpStep(t0) - 1);
  assert.equal(verifyTotp(secret, totpCode(secret, at(30)), t0, null), totpStep(t0) + 1);
  assert.equal(verifyTotp(secret, totpCode(secret, at(-90)), t0, null), null);
});

test('refuses a code already used (replay) and anything that is not six digits', () => {
  const secret = newTotpSecret();
  const code = totpCode(secret, t0);
  const step = verifyTotp(secret, code, t0, null);
  assert.equal(verifyTotp(secret, code, t0, step), null);
  for (const bad of ['', '12345', '1234567', 'abcdef', '12 34 5x'])
    assert.equal(verifyTotp(secret, bad, t0, null), null, bad);
  assert.match(totpUri(secret, 'alice', 'Keyway'), /^otpauth:\/\/totp\/Keyway:alice\?.*secret=[A-Z2-7]+/);
});

test('seals secrets with AES-256-GCM bound to their owner, refusing tampering, other keys and other owners', () => {
  const key = randomBytes(32);
  const sealed = seal(key, 'JBSWY3DPEHPK3PXP', 'user:1');
  assert.equal(unseal(key, sealed, 'user:1'), 'JBSWY3DPEHPK3PXP');
  assert.equal(unseal(key, sealed, 'user:2'), null);
  assert.equal(unseal(randomBytes(32), sealed, 'user:1'), null);
  const parts = sealed.split('.');
  parts[2] = Buffer.from('tampered').toString('base64url');
  assert.equal(unseal(key, parts.join('.'), 'user:1'), null);
  assert.equal(unseal(key, 'garbage', 'user:1'), null);
});
