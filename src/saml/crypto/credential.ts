/**
 * A signing credential: an RSA private key with its X.509 certificate, checked to match and prepared once
 * (KeyObject, base64 DER for KeyInfo) so signing a response does no PEM parsing.
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { SamlError } from '../errors.js';

export interface SigningCredential {
  readonly privateKey: KeyObject;
  readonly certificate: X509Certificate;
  /** PEM of the certificate, normalised. */
  readonly certificatePem: string;
  /** Base64 DER of the certificate on one line, as it appears in `<ds:X509Certificate>`. */
  readonly certificateBase64: string;
}

export const MIN_RSA_BITS = 2048;

/** Builds a credential; refuses keys that are not RSA ≥ 2048 bits or that do not match the certificate. */
export function createSigningCredential(privateKey: KeyObject | string, certificate: string): SigningCredential {
  let key: KeyObject;
  let cert: X509Certificate;
  try {
    key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
    cert = new X509Certificate(toPem(certificate));
  } catch (e) {
    throw new SamlError(
      'bad_key',
      'The signing key or certificate cannot be read.',
      e instanceof Error ? e.message : undefined,
    );
  }
  if (key.type !== 'private' || key.asymmetricKeyType !== 'rsa') {
    throw new SamlError('bad_key', 'The signing key must be an RSA private key.');
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) throw new SamlError('bad_key', `The signing key must have at least ${MIN_RSA_BITS} bits.`);
  if (!cert.checkPrivateKey(key)) throw new SamlError('bad_key', 'The signing key does not match the certificate.');
  return {
    privateKey: key,
    certificate: cert,
    certificatePem: cert.toString(),
    certificateBase64: cert.raw.toString('base64'),
  };
}

/** Accepts a PEM certificate or its bare base64 body (as found in metadata) and returns PEM. */
export function toPem(certificate: string): string {
  const trimmed = certificate.trim();
  if (trimmed.startsWith('-----BEGIN CERTIFICATE-----')) return `${trimmed}\n`;
  const body = trimmed.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw new SamlError('bad_key', 'The certificate is not base64.');
  return `-----BEGIN CERTIFICATE-----\n${body.replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;
}

/** The base64 DER body of a certificate (for metadata `<ds:X509Certificate>`). */
export function certificateBase64(certificate: string): string {
  try {
    return new X509Certificate(toPem(certificate)).raw.toString('base64');
  } catch (e) {
    throw new SamlError('bad_key', 'The certificate cannot be read.', e instanceof Error ? e.message : undefined);
  }
}

/** The public key of a configured certificate, used as the only trust anchor for a peer's signatures. */
export function publicKeyOf(certificate: string): KeyObject {
  try {
    return new X509Certificate(toPem(certificate)).publicKey;
  } catch (e) {
    throw new SamlError('bad_key', 'The certificate cannot be read.', e instanceof Error ? e.message : undefined);
  }
}
