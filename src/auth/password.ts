import { hash, verify } from '@node-rs/argon2';
import type { Algorithm } from '@node-rs/argon2';

/**
 * argon2id with the OWASP Password Storage Cheat Sheet's first recommended configuration:
 * m=19456 KiB (19 MiB), t=2, p=1. The parameters live in each PHC string, so raising them later
 * only affects new hashes; `needsRehash` tells the caller when to upgrade a stored one.
 */
export const argon2idParameters = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

// `Algorithm` is an ambient const enum, which isolatedModules cannot read; 2 is its Argon2id member.
const argon2id = 2 as Algorithm;
const options = { ...argon2idParameters, algorithm: argon2id };

/** Limits chosen so that paste and password managers work (WCAG 2.2 3.3.8) while one request cannot make hashing expensive. */
export const passwordPolicy = { minLength: 8, maxLength: 256 } as const;

export const hashPassword = (password: string): Promise<string> => hash(password, options);

/** False for a wrong password and for a malformed stored hash, so a corrupt row can never sign anyone in. */
export const verifyPassword = async (phc: string, password: string): Promise<boolean> => {
  if (password.length > passwordPolicy.maxLength) return false;
  try {
    return await verify(phc, password);
  } catch {
    return false;
  }
};

let dummyHash: Promise<string> | undefined;
/**
 * Spends the same time as a real verification so that an unknown userName cannot be told apart from a
 * wrong password by the response time. The dummy hash is made once per process with the same parameters.
 */
export const verifyAgainstDummy = async (password: string): Promise<false> => {
  dummyHash ??= hash('keyway-dummy-password-for-timing', options);
  await verifyPassword(await dummyHash, password);
  return false;
};

export const needsRehash = (phc: string): boolean =>
  !phc.startsWith(
    `$argon2id$v=19$m=${argon2idParameters.memoryCost},t=${argon2idParameters.timeCost},p=${argon2idParameters.parallelism}$`,
  );

/** Problems with a proposed new password, as plain sentences; empty when it is acceptable (NIST SP 800-63B 5.1.1.2). */
export const passwordProblems = (password: string): string[] => {
  const problems: string[] = [];
  if ([...password].length < passwordPolicy.minLength)
    problems.push(`must be at least ${passwordPolicy.minLength} characters`);
  if (password.length > passwordPolicy.maxLength)
    problems.push(`must be at most ${passwordPolicy.maxLength} characters`);
  if (password.trim().length === 0 && password.length > 0) problems.push('must not be only whitespace');
  return problems;
};
