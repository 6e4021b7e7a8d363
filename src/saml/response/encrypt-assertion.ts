/**
 * `<saml:EncryptedAssertion>` (SAML core 2.3.4, 6.2): AES-256-GCM content, RSA-OAEP key transport, done by
 * xml-encryption after the assertion is signed (so the SP decrypts, then verifies).
 */
import { DOMParser } from '@xmldom/xmldom';
import xmlenc from 'xml-encryption';
import { ExclusiveCanonicalization } from 'xml-crypto';
import { ALG } from '../constants.js';
import { SamlError } from '../errors.js';
import { publicKeyOf, toPem } from '../crypto/credential.js';
import { startTag } from '../xml/canonical-writer.js';
import { SAML } from '../xml/ns-decls.js';

export interface AssertionEncryption {
  /** The SP's encryption certificate (PEM or base64 DER), from its metadata `KeyDescriptor use="encryption"`. */
  readonly certificate: string;
  /**
   * `rsa-oaep-mgf1p` (XML-Enc 1.0, SHA-1 inside OAEP only; the most widely supported, default) or
   * `rsa-oaep` (XML-Enc 1.1 with SHA-256 digest and MGF1-SHA-256).
   */
  readonly keyTransport?: 'rsa-oaep-mgf1p' | 'rsa-oaep';
}

export async function encryptAssertion(assertion: string, opts: AssertionEncryption): Promise<string> {
  const pem = toPem(opts.certificate);
  const publicKey = publicKeyOf(pem);
  if (publicKey.asymmetricKeyType !== 'rsa') {
    throw new SamlError('encryption_failed', 'The SP encryption certificate must carry an RSA key.');
  }
  const oaep11 = opts.keyTransport === 'rsa-oaep';
  const encrypted = await new Promise<string>((resolve, reject) => {
    xmlenc.encrypt(
      assertion,
      {
        rsa_pub: publicKey.export({ type: 'spki', format: 'pem' }),
        pem,
        encryptionAlgorithm: ALG.aes256Gcm,
        keyEncryptionAlgorithm: oaep11 ? ALG.rsaOaep : ALG.rsaOaepMgf1p,
        ...(oaep11 ? { keyEncryptionDigest: 'sha256' as const, keyEncryptionMgf: 'sha256' } : {}),
        warnInsecureAlgorithm: false,
      },
      (err, result) => (err || result === undefined ? reject(err ?? new Error('no output')) : resolve(result)),
    );
  }).catch((e: unknown) => {
    throw new SamlError(
      'encryption_failed',
      'The assertion could not be encrypted.',
      e instanceof Error ? e.message : undefined,
    );
  });
  // The library's template has whitespace and self-closing tags; canonicalise our own output once so an
  // enclosing Response signature can still be computed over canonical text.
  const doc = new DOMParser().parseFromString(encrypted.trim(), 'application/xml');
  const root = doc.documentElement as unknown as Parameters<ExclusiveCanonicalization['process']>[0];
  const canonical = new ExclusiveCanonicalization().process(root, {});
  return `${startTag('saml:EncryptedAssertion', [], [SAML]) + canonical}</saml:EncryptedAssertion>`;
}
