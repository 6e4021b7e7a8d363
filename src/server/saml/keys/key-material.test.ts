import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createSign, createVerify, randomBytes } from 'node:crypto';
import type { SigningKey } from '../../../core/index.js';
import { createKeyMaterialFactory, createKeyVault } from './key-material.js';
import { masterKeyFrom } from './master-key.js';

const master = masterKeyFrom(randomBytes(32));

const asKey = async (id: string) => {
  const m = await createKeyMaterialFactory({ master, commonName: 'idp.example' }).generate(id);
  const key: SigningKey = {
    id,
    state: 'current',
    algorithm: 'RSA',
    ...m,
    createdAt: '',
    activatedAt: null,
    retiredAt: null,
  };
  return key;
};

test('a generated key is RSA-2048 with a self-signed SHA-256 certificate whose public key matches the sealed private key', async () => {
  const key = await asKey('k1');
  const cert = new X509Certificate(key.certificatePem);
  assert.equal(cert.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
  assert.ok(cert.verify(cert.publicKey), 'self-signed');
  assert.equal(cert.fingerprint256, key.fingerprint);
  const priv = createKeyVault(master).privateKey(key);
  const sig = createSign('RSA-SHA256').update('x').sign(priv);
  assert.ok(createVerify('RSA-SHA256').update('x').verify(cert.publicKey, sig));
  assert.doesNotMatch(key.encryptedPrivateKey, /PRIVATE KEY|MII/);
});

test('a sealed private key does not open under another master key, on another key row, or when altered', async () => {
  const key = await asKey('k2');
  assert.throws(() => createKeyVault(masterKeyFrom(randomBytes(32))).privateKey(key), /sealed with another master key/);
  assert.throws(() => createKeyVault(master).privateKey({ ...key, id: 'k3' }), /failed its integrity check/);
  const parts = key.encryptedPrivateKey.split(':');
  const ct = Buffer.from(parts[4] ?? '', 'base64url');
  ct[10] = (ct[10] ?? 0) ^ 1;
  parts[4] = ct.toString('base64url');
  assert.throws(
    () => createKeyVault(master).privateKey({ ...key, encryptedPrivateKey: parts.join(':') }),
    /failed its integrity check/,
  );
});
