import type { FindingDraft } from '../model.js';
import type { Rule } from '../rule.js';

export const redundantGrant: Rule = {
  id: 'redundant-grant',
  severity: 'low',
  title: 'Overlapping grants',
  description:
    'The same people receive the same permission in the same accounts through more than one grant. Removing one ' +
    'of them changes nothing, which makes reviews misleading: the access survives the removal people expect to end it.',
  check(context) {
    const routes = new Map<string, Set<string>>();
    for (const r of context.reach) {
      const key = `${r.person}\u0000${r.account}\u0000${r.permission}`;
      const set = routes.get(key) ?? new Set<string>();
      set.add(r.grant.id);
      routes.set(key, set);
    }
    const cases = new Map<
      string,
      { permission: string; grants: string[]; people: Set<string>; accounts: Set<string> }
    >();
    for (const [key, grants] of routes) {
      if (grants.size < 2) continue;
      const [person = '', account = '', permission = ''] = key.split('\u0000');
      const ids = [...grants].sort();
      const id = `${permission}\u0000${ids.join('\u0000')}`;
      const c = cases.get(id) ?? { permission, grants: ids, people: new Set(), accounts: new Set() };
      c.people.add(person);
      c.accounts.add(account);
      cases.set(id, c);
    }
    return [...cases.values()].map(
      (c): FindingDraft => ({
        permission: c.permission,
        message: `Grants ${c.grants.join(', ')} all give permission "${c.permission}" to the same ${c.people.size} people in ${c.accounts.size} accounts.`,
        fix: 'Keep one grant for this access (usually the one on the narrowest group) and remove the others.',
        statements: [],
        grants: c.grants,
        people: [...c.people].sort(),
        accounts: [...c.accounts].sort(),
        location: context.input.grants.find((g) => g.id === c.grants[1])?.location,
      }),
    );
  },
};
