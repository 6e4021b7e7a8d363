import { createHash, createPrivateKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';
import type { KeyMaterialFactory, NewKeyMaterial, SigningKey } from '../../../core/index.js';
import type { MasterKey } from './master-key.js';
import { open, seal } from './sealed-box.js';

const generateRsa = promisify(generateKeyPair);

export interface KeyMaterialOptions {
  readonly master: MasterKey;
  /** 2048 by default: about 7× faster to sign than 3072, and what AWS and most SPs expect. */
  readonly bits?: 2048 | 3072 | 4096;
  /** Certificate subject common name, e.g. the IdP host. */
  readonly commonName: string;
  readonly validityYears?: number;
}

const fingerprintOf = (pem: string): string =>
  createHash('sha256')
    .update(Buffer.from(pem.replace(/-----[^-]+-----|\s+/g, ''), 'base64'))
    .digest('hex')
    .toUpperCase()
    .match(/../g)
    ?.join(':') ?? '';

/** RSA key pair from node:crypto; node-forge only assembles and self-signs the X.509 certificate (SHA-256). */
export const createKeyMaterialFactory = ({
  master,
  bits = 2048,
  commonName,
  validityYears = 10,
}: KeyMaterialOptions): KeyMaterialFactory => ({
  async generate(id: string): Promise<NewKeyMaterial> {
    const { publicKey, privateKey } = await generateRsa('rsa', { modulusLength: bits, publicExponent: 0x10001 });
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
    cert.serialNumber = `01${id.replace(/-/g, '').slice(0, 30)}`;
    const notBefore = new Date(Date.now() - 60_000);
    const notAfter = new Date(notBefore);
    notAfter.setUTCFullYear(notAfter.getUTCFullYear() + validityYears);
    cert.validity.notBefore = notBefore;
    cert.validity.notAfter = notAfter;
    const name = [
      { name: 'commonName', value: commonName.slice(0, 64) },
      { name: 'organizationName', value: 'Keyway SAML IdP' },
    ];
    cert.setSubject(name);
    cert.setIssuer(name);
    cert.setExtensions([
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true },
    ]);
    const pkcs1 = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    cert.sign(forge.pki.privateKeyFromPem(pkcs1), forge.md.sha256.create());
    const certificatePem = forge.pki.certificateToPem(cert);
    const der = privateKey.export({ type: 'pkcs8', format: 'der' });
    return {
      bits,
      certificatePem,
      fingerprint: fingerprintOf(certificatePem),
      encryptedPrivateKey: seal(master, id, der),
    };
  },
});

/** Opens sealed private keys on demand and keeps the KeyObjects of this process (keys never change once made). */
export interface KeyVault {
  privateKey(key: SigningKey): KeyObject;
}

export const createKeyVault = (master: MasterKey): KeyVault => {
  const opened = new Map<string, KeyObject>();
  return {
    privateKey(key) {
      const hit = opened.get(key.id);
      if (hit) return hit;
      const k = createPrivateKey({ key: open(master, key.id, key.encryptedPrivateKey), format: 'der', type: 'pkcs8' });
      opened.set(key.id, k);
      return k;
    },
  };
};
