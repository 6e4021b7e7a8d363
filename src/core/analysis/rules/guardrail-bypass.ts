import type { StatementRef } from '../../../iam-policy/index.js';
import type { AnalysisContext } from '../context.js';
import type { FindingDraft } from '../model.js';
import type { Rule } from '../rule.js';
import { actionsMatching } from './expand.js';

interface Bypass {
  readonly actions: readonly string[];
  readonly denies: readonly StatementRef[];
  readonly allows: readonly StatementRef[];
}

/** The actions one permission denies that another allows, on the resources the deny names. */
function bypass(context: AnalysisContext, guarded: string, other: string): Bypass | undefined {
  return context.once(`bypass:${guarded}:${other}`, () => {
    const p = context.permissions.get(guarded);
    if (p === undefined) return undefined;
    const actions = new Set<string>();
    const denies: StatementRef[] = [];
    const allows: StatementRef[] = [];
    const policies = p.boundary === undefined ? p.policies : [...p.policies, p.boundary];
    for (const policy of policies) {
      for (const s of policy.document.statements) {
        if (s.effect !== 'Deny' || s.actions === undefined) continue;
        let hit = false;
        for (const action of actionsMatching(context, s.actions)) {
          for (const resource of s.resources ?? ['*']) {
            const decision = context.can(other, action, { resource });
            if (!decision.allowed) continue;
            actions.add(action);
            allows.push(...decision.allowedBy);
            hit = true;
            break;
          }
        }
        if (hit) denies.push({ policy: policy.name, statement: s });
      }
    }
    return actions.size === 0 ? undefined : { actions: [...actions].sort(), denies, allows };
  });
}

export const guardrailBypass: Rule = {
  id: 'deny-guardrail-bypassed',
  severity: 'medium',
  title: 'A deny guardrail that another permission sidesteps',
  description:
    "An explicit deny in one permission only constrains that permission's own sessions. When the same person " +
    'receives, through any of their groups, a second permission in the same account that allows what the first ' +
    'denies, the guardrail does not hold for them: they sign in with the other permission.',
  check(context) {
    const byPersonAccount = new Map<string, Set<string>>();
    for (const r of context.reach) {
      const key = `${r.person}\u0000${r.account}`;
      const set = byPersonAccount.get(key) ?? new Set<string>();
      set.add(r.permission);
      byPersonAccount.set(key, set);
    }
    const cases = new Map<string, { guarded: string; other: string; people: Set<string>; accounts: Set<string> }>();
    for (const [key, permissions] of byPersonAccount) {
      const [person = '', account = ''] = key.split('\u0000');
      for (const guarded of permissions) {
        for (const other of permissions) {
          if (other === guarded || bypass(context, guarded, other) === undefined) continue;
          const id = `${guarded}\u0000${other}`;
          const c = cases.get(id) ?? { guarded, other, people: new Set(), accounts: new Set() };
          c.people.add(person);
          c.accounts.add(account);
          cases.set(id, c);
        }
      }
    }
    const findings: FindingDraft[] = [];
    for (const c of cases.values()) {
      const b = bypass(context, c.guarded, c.other);
      if (b === undefined) continue;
      const sample =
        b.actions.slice(0, 5).join(', ') + (b.actions.length > 5 ? `, … (${b.actions.length} in all)` : '');
      findings.push({
        permission: c.guarded,
        message:
          `The deny in permission "${c.guarded}" does not constrain "${c.other}", which the same people also receive ` +
          `in the same accounts and which allows what the deny forbids: ${sample}.`,
        fix: `Put the guardrail into "${c.other}" as well (or into a permissions boundary or SCP that covers both), or stop granting both to the same people in one account.`,
        statements: [...context.evidence(c.guarded, b.denies), ...context.evidence(c.other, b.allows)],
        people: [...c.people].sort(),
        accounts: [...c.accounts].sort(),
        grants: [
          ...new Set(
            context.reach
              .filter(
                (r) =>
                  c.people.has(r.person) &&
                  c.accounts.has(r.account) &&
                  (r.permission === c.guarded || r.permission === c.other),
              )
              .map((r) => r.grant.id),
          ),
        ].sort(),
        location: context.permissions.get(c.guarded)?.location,
      });
    }
    return findings;
  },
};
