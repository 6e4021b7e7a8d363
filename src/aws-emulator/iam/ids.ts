import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** IAM unique ids: a type prefix (`AROA` roles, `ANPA` managed policies) and 17 random characters. */
export function newIamId(prefix: 'AROA' | 'ANPA'): string {
  const bytes = randomBytes(17);
  let id = prefix;
  for (const b of bytes) id += ALPHABET[b & 31];
  return id;
}

/** SAMLProviderUUID as GetSAMLProvider reports it (`[A-Z0-9]{22,64}`). */
export function newSamlProviderUuid(): string {
  const bytes = randomBytes(26);
  let id = '';
  for (const b of bytes) id += ALPHABET[b & 31];
  return id;
}
