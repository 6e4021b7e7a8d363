import type { Rule } from '../rule.js';

export const temporaryWithoutExpiry: Rule = {
  id: 'temporary-grant-without-expiry',
  severity: 'medium',
  title: 'Temporary group, permanent grant',
  description:
    'The group is marked as holding temporary access (contractors, incident responders, break-glass), but a ' +
    'grant to it has no `until` date, so the access never lapses on its own.',
  check(context) {
    const temporary = new Set(context.input.groups.filter((g) => g.temporary).map((g) => g.name));
    return context.input.grants
      .filter((g) => temporary.has(g.group) && g.until === undefined)
      .map((g) => ({
        permission: g.permission,
        message: `Grant ${g.id} gives permission "${g.permission}" to temporary group "${g.group}" without an expiry.`,
        fix: 'Add `until: YYYY-MM-DD` to the grant.',
        statements: [],
        grants: [g.id],
        accounts: [...g.accounts],
        location: g.location,
      }));
  },
};
