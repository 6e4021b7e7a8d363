import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, needsRehash, passwordProblems, verifyAgainstDummy, verifyPassword } from './password.js';

test('hashes with argon2id at the OWASP parameters m=19456, t=2, p=1 and a fresh salt each time', async () => {
  const a = await hashPassword('correct horse battery staple');
  const b = await hashPassword('correct horse battery staple');
  assert.match(a, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  assert.notEqual(a, b);
  assert.equal(needsRehash(a), false);
  assert.equal(needsRehash('$argon2id$v=19$m=4096,t=3,p=1$abc$def'), true);
});

test('verifies the right password and refuses a wrong one, a malformed hash and an oversized password', async () => {
  const phc = await hashPassword('s3cret-passphrase');
  assert.equal(await verifyPassword(phc, 's3cret-passphrase'), true);
  assert.equal(await verifyPassword(phc, 'S3cret-passphrase'), false);
  assert.equal(await verifyPassword('not a phc string', 's3cret-passphrase'), false);
  assert.equal(await verifyPassword(phc, 'x'.repeat(10_000)), false);
  assert.equal(await verifyAgainstDummy('anything'), false);
});

test('reports passwords that are too short, too long or blank (NIST SP 800-63B 5.1.1.2)', () => {
  assert.deepEqual(passwordProblems('long enough pass'), []);
  assert.deepEqual(passwordProblems('short'), ['must be at least 8 characters']);
  assert.deepEqual(passwordProblems('x'.repeat(300)), ['must be at most 256 characters']);
  assert.deepEqual(passwordProblems('          '), ['must not be only whitespace']);
});
