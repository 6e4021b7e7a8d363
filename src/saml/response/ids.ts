import { randomBytes } from 'node:crypto';

/**
 * A SAML ID: an NCName (so it starts with `_`) carrying 160 random bits, the SHOULD of SAML core 1.3.4.
 */
export function newSamlId(): string {
  return '_' + randomBytes(20).toString('hex');
}
