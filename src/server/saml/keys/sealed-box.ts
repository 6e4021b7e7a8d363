import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DomainError } from '../../../core/index.js';
import type { MasterKey } from './master-key.js';

const VERSION = 'kw1';

/**
 * AES-256-GCM with a random 96-bit IV; the key id is the additional authenticated data, so a sealed private key
 * copied onto another key's row does not open. Format: `kw1:<master key id>:<iv>:<tag>:<ciphertext>` (base64url).
 */
export const seal = (master: MasterKey, keyId: string, plaintext: Buffer): string => {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', master.key, iv);
  cipher.setAAD(Buffer.from(keyId, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [
    VERSION,
    master.id,
    iv.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
    ct.toString('base64url'),
  ].join(':');
};

export const open = (master: MasterKey, keyId: string, sealed: string): Buffer => {
  const [version, masterId, iv, tag, ct] = sealed.split(':');
  if (version !== VERSION || !masterId || !iv || !tag || ct === undefined)
    throw new DomainError('precondition_failed', `signing key ${keyId} is not in a format this Keyway can read`);
  if (masterId !== master.id) {
    throw new DomainError(
      'precondition_failed',
      `signing key ${keyId} was sealed with another master key (id ${masterId}; this process has ${master.id}); set KEYWAY_MASTER_KEY to the key it was made with`,
    );
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', master.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(keyId, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]);
  } catch {
    throw new DomainError(
      'precondition_failed',
      `signing key ${keyId} failed its integrity check; the stored key was altered`,
    );
  }
};
