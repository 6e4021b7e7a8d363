import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { newDoubleSubmitPair, verifyDoubleSubmit, verifySynchronizerToken } from './csrf.js';
import { looksLikeApiToken, newApiToken, newSessionSecrets, secretsEqual, sha256Hex } from './secrets.js';

test('accepts a double-submit pair minted with the server key and refuses forged, swapped or missing halves', () => {
  const key = randomBytes(32);
  const pair = newDoubleSubmitPair(key);
  assert.equal(verifyDoubleSubmit(key, pair.cookieValue, pair.formValue), true);
  assert.equal(verifyDoubleSubmit(randomBytes(32), pair.cookieValue, pair.formValue), false);
  assert.equal(verifyDoubleSubmit(key, pair.cookieValue, pair.cookieValue), false);
  assert.equal(verifyDoubleSubmit(key, undefined, pair.formValue), false);
  assert.equal(verifyDoubleSubmit(key, pair.cookieValue, undefined), false);
  assert.equal(verifyDoubleSubmit(key, newDoubleSubmitPair(key).cookieValue, pair.formValue), false);
});

test('refuses a form value that only decodes to the right HMAC: truncated, padded, or with characters outside base64url', () => {
  const key = randomBytes(32);
  const pair = newDoubleSubmitPair(key);
  assert.equal(verifyDoubleSubmit(key, pair.cookieValue, pair.formValue.slice(0, -1)), false);
  assert.equal(verifyDoubleSubmit(key, pair.cookieValue, `${pair.formValue}=`), false);
  assert.equal(
    verifyDoubleSubmit(key, pair.cookieValue, `${pair.formValue.slice(0, 20)}!${pair.formValue.slice(20)}`),
    false,
  );
  assert.equal(verifyDoubleSubmit(key, pair.cookieValue, `${pair.formValue}AA`), false);
});

test('checks a synchronizer token against the session secret and never accepts an empty one', () => {
  assert.equal(verifySynchronizerToken('abc123', 'abc123'), true);
  assert.equal(verifySynchronizerToken('abc123', 'abc124'), false);
  assert.equal(verifySynchronizerToken('abc123', ''), false);
  assert.equal(verifySynchronizerToken('abc123', undefined), false);
  assert.equal(secretsEqual('', ''), false);
});

test('mints 256-bit API tokens, session ids whose stored form is only a SHA-256, and separate 256-bit CSRF secrets', () => {
  const token = newApiToken();
  assert.equal(looksLikeApiToken(token), true);
  assert.equal(looksLikeApiToken(`${token}x`), false);
  const { id, idHash, csrfSecret } = newSessionSecrets();
  assert.equal(Buffer.from(id, 'base64url').length, 32);
  assert.equal(idHash, sha256Hex(id));
  assert.match(idHash, /^[0-9a-f]{64}$/);
  assert.equal(Buffer.from(csrfSecret, 'base64url').length, 32);
  assert.notEqual(csrfSecret, id);
  assert.notEqual(newSessionSecrets().id, id, 'each call draws new bytes');
});
