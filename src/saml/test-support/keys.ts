/** Test credentials: RSA keys from node:crypto with self-signed certificates, made once per test process. */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createSigningCredential, type SigningCredential } from '../crypto/credential.js';
import { createSelfSignedCertificate } from '../crypto/self-signed.js';

export interface TestKeyPair {
  readonly privateKey: KeyObject;
  readonly privateKeyPem: string;
  readonly certificatePem: string;
  readonly credential: SigningCredential;
}

const cache = new Map<string, TestKeyPair>();

/** A named RSA-2048 key with its certificate; the same name returns the same key within one process. */
export function testKeyPair(name = 'idp'): TestKeyPair {
  const hit = cache.get(name);
  if (hit) return hit;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const certificatePem = createSelfSignedCertificate({ privateKey, commonName: `keyway-test-${name}` });
  const pair: TestKeyPair = {
    privateKey,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    certificatePem,
    credential: createSigningCredential(privateKey, certificatePem),
  };
  cache.set(name, pair);
  return pair;
}
