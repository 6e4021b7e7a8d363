import type { Rule } from '../rule.js';
import { adminEquivalence } from './admin-equivalence.js';
import { controlPlaneTakeover } from './control-plane.js';
import { customerPolicyDiffers } from './customer-policy-differs.js';
import { grantedToNobody } from './granted-to-nobody.js';
import { guardrailBypass } from './guardrail-bypass.js';
import { passRoleOnAllRoles } from './passrole-on-all-roles.js';
import { privilegeEscalation } from './privilege-escalation.js';
import { redundantGrant } from './redundant-grant.js';
import { sessionDurationMismatch } from './session-duration.js';
import { temporaryWithoutExpiry } from './temporary-without-expiry.js';
import { writeOnAllResources } from './write-on-all-resources.js';

export { isAdminEquivalent } from './admin-equivalence.js';
export { ESCALATION_METHODS } from './escalation-methods.js';

/** Every rule, in the order findings are reported. */
export const RULES: readonly Rule[] = [
  controlPlaneTakeover,
  adminEquivalence,
  privilegeEscalation,
  guardrailBypass,
  customerPolicyDiffers,
  sessionDurationMismatch,
  redundantGrant,
  passRoleOnAllRoles,
  writeOnAllResources,
  temporaryWithoutExpiry,
  grantedToNobody,
];
