import type { StatementRef } from '../../../iam-policy/index.js';
import type { FindingDraft } from '../model.js';
import type { Rule } from '../rule.js';
import { isAdminEquivalent } from './admin-equivalence.js';
import { actionsMatching } from './expand.js';

const WRITE_LEVELS = new Set(['Write', 'Permissions management', 'Tagging']);

export const writeOnAllResources: Rule = {
  id: 'write-on-all-resources',
  severity: 'medium',
  title: 'Write actions on every resource',
  description:
    'An allow statement grants write actions with `Resource: "*"` although those actions can be limited to ' +
    'resources. Every bucket, table or key in the account is then writable, including ones created later. ' +
    'Actions that AWS only authorises on `*` are not reported. Administrator-equivalent permissions are reported ' +
    'by admin-equivalence instead.',
  check(context) {
    const findings: FindingDraft[] = [];
    for (const [name, permission] of context.permissions) {
      if (isAdminEquivalent(context, name)) continue;
      const refs: StatementRef[] = [];
      const actions = new Set<string>();
      for (const policy of permission.policies) {
        for (const s of policy.document.statements) {
          if (s.effect !== 'Allow' || s.actions === undefined) continue;
          if (s.resources !== undefined && !s.resources.includes('*')) continue;
          let hit = false;
          for (const action of actionsMatching(context, s.actions)) {
            const info = context.input.catalogue.find(action);
            if (info === undefined || info.wildcardOnly || !WRITE_LEVELS.has(info.accessLevel)) continue;
            const decision = context.can(name, action, { resource: '*' });
            if (!decision.allowedBy.some((a) => a.resource === '*')) continue;
            actions.add(info.name);
            hit = true;
          }
          if (hit) refs.push({ policy: policy.name, statement: s });
        }
      }
      if (actions.size === 0) continue;
      const list = [...actions].sort();
      const sample = list.slice(0, 5).join(', ') + (list.length > 5 ? `, … (${list.length} in all)` : '');
      findings.push({
        permission: name,
        message: `Permission "${name}" allows write actions on every resource: ${sample}.`,
        fix: 'Name the resources (ARNs, or ARN patterns with a prefix the team owns) in the Resource element.',
        statements: context.evidence(name, refs),
        location: permission.location,
      });
    }
    return findings;
  },
};
