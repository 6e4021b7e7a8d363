/**
 * Self-signed X.509 certificates for SAML signing keys. SAML peers use the certificate only as a key carrier
 * (SAML metadata interoperability profile), so self-signed is normal. Keys come from node:crypto; node-forge
 * only assembles and signs the certificate structure, which node:crypto cannot do.
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { SamlError } from '../errors.js';

export interface SelfSignedCertificateOptions {
  readonly privateKey: KeyObject;
  readonly commonName: string;
  readonly notBefore?: Date;
  /** Validity in days from `notBefore`; 10 years by default (rotation is driven by metadata, not expiry). */
  readonly validDays?: number;
}

export function createSelfSignedCertificate(opts: SelfSignedCertificateOptions): string {
  if (opts.privateKey.type !== 'private' || opts.privateKey.asymmetricKeyType !== 'rsa') {
    throw new SamlError('bad_key', 'Self-signed certificates are made for RSA private keys only.');
  }
  const pem = opts.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(pem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e);
  // A positive serial: clear the top bit so DER does not read it as negative.
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;
  cert.serialNumber = serial.toString('hex');
  const notBefore = opts.notBefore ?? new Date();
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = new Date(notBefore.getTime() + (opts.validDays ?? 3650) * 86_400_000);
  const subject = [{ name: 'commonName', value: opts.commonName }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
  ]);
  cert.sign(forgeKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}
