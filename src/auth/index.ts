export {
  argon2idParameters,
  hashPassword,
  needsRehash,
  passwordPolicy,
  passwordProblems,
  verifyAgainstDummy,
  verifyPassword,
} from './password.js';
export {
  apiTokenPrefix,
  hmacBase64url,
  looksLikeApiToken,
  newApiToken,
  newSessionSecrets,
  randomSecret,
  secretsEqual,
  sha256Hex,
} from './secrets.js';
export { formValueFor, newDoubleSubmitPair, verifyDoubleSubmit, verifySynchronizerToken } from './csrf.js';
export type { DoubleSubmitPair } from './csrf.js';
export { checkThrottle, recordFailure } from './throttle.js';
export type { ThrottleCounter, ThrottlePolicy, ThrottleVerdict } from './throttle.js';
export { newTotpSecret, totpCode, totpStep, totpUri, verifyTotp } from './totp.js';
export { seal, unseal } from './sealed.js';
