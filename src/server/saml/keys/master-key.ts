import { createHash } from 'node:crypto';

/** The key that seals signing keys: derived from KEYWAY_MASTER_KEY for this one purpose (config.deriveKey). */
export interface MasterKey {
  readonly key: Buffer;
  /** Short fingerprint stored beside each sealed key, so a wrong master key gives a clear error, not a GCM failure. */
  readonly id: string;
}

export const masterKeyFrom = (key: Buffer): MasterKey => {
  if (key.length !== 32) throw new Error('the signing-key sealing key must be 32 bytes');
  return { key, id: createHash('sha256').update('keyway-master-key-id').update(key).digest('hex').slice(0, 16) };
};
