import { wildcardRegExp, type StatementRef } from '../../../iam-policy/index.js';
import type { AnalysisContext } from '../context.js';
import type { Rule } from '../rule.js';

/** Share of all catalogued actions a permission must allow on every resource to count as an administrator. */
const ADMIN_SHARE = 0.99;

const serviceOf = (pattern: string): string => (pattern === '*' ? '*' : (pattern.split(':')[0] ?? ''));

const servicePattern = (pattern: string): RegExp => wildcardRegExp(serviceOf(pattern), true);

/** Cheap bound first: the allow statements must name nearly every service before every action is checked. */
function coversNearlyEveryService(context: AnalysisContext, permission: string): boolean {
  const p = context.permissions.get(permission);
  if (p === undefined) return false;
  const services = new Set(context.input.catalogue.actions.map((a) => a.service));
  const covered = new Set<string>();
  for (const policy of p.policies) {
    for (const s of policy.document.statements) {
      if (s.effect !== 'Allow') continue;
      if (s.notActions !== undefined) return true;
      for (const pattern of s.actions ?? []) {
        const re = servicePattern(pattern);
        for (const service of services) if (re.test(service)) covered.add(service);
      }
    }
  }
  return covered.size >= services.size * ADMIN_SHARE;
}

interface AdminAnswer {
  readonly admin: boolean;
  readonly statements: readonly StatementRef[];
}

function adminAnswer(context: AnalysisContext, permission: string): AdminAnswer {
  return context.once(`admin:${permission}`, () => {
    if (!coversNearlyEveryService(context, permission)) return { admin: false, statements: [] };
    const actions = context.input.catalogue.actions;
    const used = new Map<string, StatementRef>();
    let allowed = 0;
    for (const action of actions) {
      const decision = context.can(permission, action.name, { resource: '*' });
      const everywhere = decision.allowedBy.filter((ref) => ref.resource === '*');
      if (everywhere.length === 0) continue;
      allowed += 1;
      for (const ref of everywhere) used.set(`${ref.policy}#${ref.statement.index}`, ref);
    }
    return { admin: allowed >= actions.length * ADMIN_SHARE, statements: [...used.values()] };
  });
}

/** Whether a session of the permission can do nearly everything on every resource. */
export const isAdminEquivalent = (context: AnalysisContext, permission: string): boolean =>
  adminAnswer(context, permission).admin;

const NAMED_ADMIN = /admin/i;

export const adminEquivalence: Rule = {
  id: 'admin-equivalence',
  severity: 'high',
  title: 'Administrator access under another name',
  description:
    'The permission allows at least 99 % of all AWS actions on every resource — effectively `*:*` on `*` — but its ' +
    'name does not say it is an administrator permission, so reviewers and the people who request it cannot tell.',
  check(context) {
    return [...context.permissions.keys()]
      .filter((name) => !NAMED_ADMIN.test(name) && isAdminEquivalent(context, name))
      .map((name) => ({
        permission: name,
        message: `Permission "${name}" is administrator-equivalent (nearly every action on every resource) but is not named as an administrator permission.`,
        fix: 'Rename it so that its power is visible (for example "Admin-…"), or narrow its policies to what the job needs.',
        statements: context.evidence(name, adminAnswer(context, name).statements),
        location: context.permissions.get(name)?.location,
      }));
  },
};
