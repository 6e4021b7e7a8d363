import type { StatementRef } from '../../../iam-policy/index.js';
import type { AnalysisContext } from '../context.js';
import type { FindingDraft } from '../model.js';
import type { Rule } from '../rule.js';
import { isAdminEquivalent } from './admin-equivalence.js';
import { ESCALATION_METHODS, type EscalationStep } from './escalation-methods.js';

const contextFor = (step: EscalationStep) =>
  step.passedTo === undefined ? undefined : new Map([['iam:passedtoservice', [step.passedTo]]]);

const describe = (step: EscalationStep) =>
  step.passedTo === undefined ? step.action : `${step.action} (to ${step.passedTo})`;

/** Escalation needs every step of a method; the steps may come from different policies of the permission. */
function escalations(context: AnalysisContext, permission: string): FindingDraft[] {
  const findings: FindingDraft[] = [];
  for (const method of ESCALATION_METHODS) {
    const used: StatementRef[] = [];
    let possible = true;
    for (const step of method.steps) {
      const stepContext = contextFor(step);
      const decision = context.can(permission, step.action, stepContext === undefined ? {} : { context: stepContext });
      if (!decision.allowed) {
        possible = false;
        break;
      }
      used.push(...decision.allowedBy);
    }
    if (!possible) continue;
    const p = context.permissions.get(permission);
    findings.push({
      permission,
      message: `Permission "${permission}" can escalate its own privileges: it may ${method.title} (${method.steps.map(describe).join(' + ')}) [${method.id}].`,
      fix:
        'Remove or deny one of the listed actions, scope them to specific resources (for iam:PassRole, specific role ARNs ' +
        'and an iam:PassedToService condition), or add a permissions boundary that excludes them.',
      statements: context.evidence(permission, used),
      location: p?.location,
    });
  }
  return findings;
}

export const privilegeEscalation: Rule = {
  id: 'privilege-escalation',
  severity: 'high',
  title: 'Privilege escalation path',
  description:
    'A session of the permission can grant itself more than it was given: alone (iam:CreatePolicyVersion) or by ' +
    'combining actions across all its policies (iam:PassRole with ec2:RunInstances, lambda:CreateFunction with ' +
    'lambda:InvokeFunction, …), judged after explicit denies and the permissions boundary. Permissions that are ' +
    'already administrator-equivalent are reported by admin-equivalence instead.',
  check(context) {
    return [...context.permissions.keys()]
      .filter((name) => !isAdminEquivalent(context, name))
      .flatMap((name) => escalations(context, name));
  },
};
