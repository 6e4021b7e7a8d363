import type { Rule } from '../rule.js';

export const grantedToNobody: Rule = {
  id: 'permission-granted-to-nobody',
  severity: 'low',
  title: 'A permission nobody receives',
  description:
    'The permission is declared but no grant in force gives it to anyone (no grant, only expired grants, or only ' +
    'groups without members). It still exists in AWS, where it can be assigned by hand, and it costs review time.',
  check(context) {
    const reached = new Set(context.reach.map((r) => r.permission));
    return [...context.permissions.values()]
      .filter((p) => !reached.has(p.name))
      .map((p) => ({
        permission: p.name,
        message: `Permission "${p.name}" is granted to nobody.`,
        fix: 'Remove the permission from the access file, or grant it to the group that needs it.',
        statements: [],
        location: p.location,
      }));
  },
};
