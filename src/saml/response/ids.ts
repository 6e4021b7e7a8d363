import { randomFillSync } from 'node:crypto';

const ID_BYTES = 20;
const POOL_IDS = 256;
const pool = Buffer.alloc(ID_BYTES * POOL_IDS);
let next = POOL_IDS;

/**
 * A SAML ID: an NCName (so it starts with `_`) carrying 160 random bits, the SHOULD of SAML core 1.3.4.
 * Random bytes are drawn from the CSPRNG in batches (as node's randomUUID does), since one call per ID costs
 * more than the rest of the ID handling; each slice of the pool is used once.
 */
export function newSamlId(): string {
  if (next === POOL_IDS) {
    randomFillSync(pool);
    next = 0;
  }
  const start = next++ * ID_BYTES;
  return `_${pool.toString('hex', start, start + ID_BYTES)}`;
}
