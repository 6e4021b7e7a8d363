import { createContext } from './context.js';
import { atLeast, SEVERITIES, type AnalysisInput, type Finding, type Severity } from './model.js';
import type { Rule } from './rule.js';
import { actionsMatching } from './rules/expand.js';
import { isAdminEquivalent, RULES } from './rules/index.js';

export interface AnalysisReport {
  readonly findings: readonly Finding[];
  /** How each permission is classified, for the matrix page and the generated docs. */
  readonly classification: ReadonlyMap<string, PermissionClass>;
}

/**
 * `admin`: nearly everything on every resource; `privilege-escalation`: can make itself more powerful;
 * `write`: changes resources; `read-only`: reads only.
 */
export type PermissionClass = 'admin' | 'privilege-escalation' | 'write' | 'read-only';

function acknowledgementFor(input: AnalysisInput, finding: Omit<Finding, 'acknowledged'>): string | undefined {
  const ack = (input.acknowledgements ?? []).find(
    (a) =>
      a.rule === finding.rule &&
      (a.permission === undefined || a.permission === finding.permission) &&
      (a.grant === undefined || finding.grants.includes(a.grant)),
  );
  return ack?.reason;
}

/** Runs every rule (or the given ones) over the access model and live state. */
export function analyse(input: AnalysisInput, rules: readonly Rule[] = RULES): AnalysisReport {
  const context = createContext(input);
  const findings: Finding[] = [];
  for (const rule of rules) {
    for (const draft of rule.check(context)) {
      const finding = {
        rule: rule.id,
        severity: draft.severity ?? rule.severity,
        grants: [],
        accounts: [],
        people: [],
        ...draft,
      };
      const acknowledged = acknowledgementFor(input, finding);
      findings.push(acknowledged === undefined ? finding : { ...finding, acknowledged });
    }
  }
  findings.sort((a, b) => SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity));
  const classification = new Map<string, PermissionClass>();
  const escalating = new Set(findings.filter((f) => f.rule === 'privilege-escalation').map((f) => f.permission));
  for (const p of input.permissions) {
    let kind: PermissionClass = 'read-only';
    if (isAdminEquivalent(context, p.name)) kind = 'admin';
    else if (escalating.has(p.name)) kind = 'privilege-escalation';
    else if (writes(context, p.name)) kind = 'write';
    classification.set(p.name, kind);
  }
  return { findings, classification };
}

function writes(context: ReturnType<typeof createContext>, permission: string): boolean {
  const p = context.permissions.get(permission);
  if (p === undefined) return false;
  for (const policy of p.policies) {
    for (const s of policy.document.statements) {
      if (s.effect !== 'Allow') continue;
      const named = s.notActions !== undefined ? ['*'] : (s.actions ?? []);
      for (const action of actionsMatching(context, named)) {
        const info = context.input.catalogue.find(action);
        if (info === undefined || info.accessLevel === 'List' || info.accessLevel === 'Read') continue;
        if (context.can(permission, action).allowed) return true;
      }
    }
  }
  return false;
}

/** Findings that stop an apply: at or above the threshold and not acknowledged in the access file. */
export const blockingFindings = (findings: readonly Finding[], threshold: Severity): Finding[] =>
  findings.filter((f) => f.acknowledged === undefined && atLeast(f.severity, threshold));
