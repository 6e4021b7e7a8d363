export {
  ACR,
  STRENGTHS,
  amrOf,
  isAuthStrength,
  meetsStrength,
  requiredStrength,
  strengthOf,
  strengthOfAcr,
  strongest,
} from './strength.js';
export type { AuthStrength, StrengthPolicy, StrengthPolicyStore, StrengthSubject } from './strength.js';
