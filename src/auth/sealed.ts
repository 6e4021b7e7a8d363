/**
 * Small secrets at rest (TOTP seeds) sealed with AES-256-GCM under a key derived from the master key.
 * Format: `v1.<iv>.<ciphertext>.<tag>` (base64url). The associated data binds a sealed value to its owner,
 * so a sealed value copied to another user's row does not open.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const seal = (key: Uint8Array, plaintext: string, associatedData: string): string => {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), ct.toString('base64url'), cipher.getAuthTag().toString('base64url')].join(
    '.',
  );
};

/** The plaintext, or null when the value was tampered with, sealed under another key, or bound to other data. */
export const unseal = (key: Uint8Array, sealed: string, associatedData: string): string | null => {
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== 'v1') return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(parts[1] as string, 'base64url'));
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(Buffer.from(parts[3] as string, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(parts[2] as string, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    return null;
  }
};
