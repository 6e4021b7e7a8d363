import type { FindingDraft } from '../model.js';
import type { Rule } from '../rule.js';

const DEFAULT_DURATION = 'PT1H';

export const sessionDurationMismatch: Rule = {
  id: 'session-duration-mismatch',
  severity: 'low',
  title: 'Different session lengths for one person in one account',
  description:
    'A person reaches one account with several permissions whose session durations differ. Which limit applies ' +
    'then depends on the permission they happen to pick, so a short session meant for sensitive work can be ' +
    'avoided by picking the other permission.',
  check(context) {
    const durations = new Map<string, Map<string, string>>();
    for (const r of context.reach) {
      const key = `${r.person}\u0000${r.account}`;
      const map = durations.get(key) ?? new Map<string, string>();
      map.set(r.permission, context.permissions.get(r.permission)?.sessionDuration ?? DEFAULT_DURATION);
      durations.set(key, map);
    }
    const cases = new Map<
      string,
      { label: string; permissions: string[]; people: Set<string>; accounts: Set<string> }
    >();
    for (const [key, map] of durations) {
      if (new Set(map.values()).size < 2) continue;
      const [person = '', account = ''] = key.split('\u0000');
      const entries = [...map].sort(([a], [b]) => a.localeCompare(b));
      const label = entries.map(([p, d]) => `"${p}" ${d}`).join(', ');
      const c = cases.get(label) ?? {
        label,
        permissions: entries.map(([p]) => p),
        people: new Set(),
        accounts: new Set(),
      };
      c.people.add(person);
      c.accounts.add(account);
      cases.set(label, c);
    }
    return [...cases.values()].map(
      (c): FindingDraft => ({
        permission: c.permissions[0],
        message: `${c.people.size} people reach the same accounts with permissions of different session durations: ${c.label}.`,
        fix: 'Give permissions that the same people hold in one account the same session duration, or split the groups.',
        statements: [],
        people: [...c.people].sort(),
        accounts: [...c.accounts].sort(),
        location: context.permissions.get(c.permissions[0] ?? '')?.location,
      }),
    );
  },
};
