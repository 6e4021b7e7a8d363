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
});

test('the stored private key is sealed: no form of the private key (DER, PEM, base64 or hex) appears in it', async () => {
  const key = await asKey('k4');
  const priv = createKeyVault(master).privateKey(key);
  const blob = key.encryptedPrivateKey;
  // Each needle is at least 64 characters (the DER forms over a kilobyte), so ciphertext cannot hold one by chance.
  const ders = [priv.export({ type: 'pkcs8', format: 'der' }), priv.export({ type: 'pkcs1', format: 'der' })];
  const texts = [
    ...ders.flatMap((der) => [der.toString('base64'), der.toString('base64url'), der.toString('hex')]),
    ...(['pkcs8', 'pkcs1'] as const).flatMap((type) =>
      priv
        .export({ type, format: 'pem' })
        .toString()
        .split('\n')
        .filter((line) => line.length === 64),
    ),
  ];
  assert.ok(texts.length > 40, 'the needles cover the whole key');
  for (const text of texts) assert.ok(!blob.includes(text), 'no text form of the key is stored');
  for (const part of blob.split(':'))
    for (const encoding of ['base64url', 'hex'] as const)
      for (const der of ders)
        assert.ok(!Buffer.from(part, encoding).includes(der), 'no binary form of the key is stored');
  assert.ok(!blob.includes('PRIVATE KEY'));
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
