import type { Rule } from '../rule.js';
import { isAdminEquivalent } from './admin-equivalence.js';

export const passRoleOnAllRoles: Rule = {
  id: 'passrole-on-all-roles',
  severity: 'medium',
  title: 'iam:PassRole on every role',
  description:
    'The permission may pass any role in the account to a service, including roles far more powerful than itself. ' +
    'Whether that becomes an escalation depends on which services it can start; privilege-escalation reports the ' +
    'combinations it knows, this rule reports the loose PassRole itself.',
  check(context) {
    return [...context.permissions.keys()]
      .filter((name) => !isAdminEquivalent(context, name))
      .flatMap((name) => {
        const decision = context.can(name, 'iam:PassRole', { resource: '*' });
        const everywhere = decision.allowedBy.filter((a) => a.resource === '*' && a.statement.conditions.length === 0);
        if (everywhere.length === 0) return [];
        return [
          {
            permission: name,
            message: `Permission "${name}" may pass every role in the account (iam:PassRole on "*" without conditions).`,
            fix: 'Limit iam:PassRole to the role ARNs the work needs, with an iam:PassedToService condition.',
            statements: context.evidence(name, everywhere),
            location: context.permissions.get(name)?.location,
          },
        ];
      });
  },
};
