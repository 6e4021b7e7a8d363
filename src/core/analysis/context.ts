import {
  ANY_RESOURCE,
  compilePolicySet,
  decide,
  type CompiledPolicySet,
  type Decision,
  type RequestContext,
  type StatementRef,
} from '../../iam-policy/index.js';
import type { AnalysisInput, GrantInput, PermissionInput, StatementEvidence } from './model.js';

/** One way a person reaches an account: through a grant of a permission to one of their groups. */
export interface Reach {
  readonly person: string;
  readonly account: string;
  readonly permission: string;
  readonly grant: GrantInput;
}

/**
 * What every rule reads: the input plus views computed once per analysis run (compiled policies, who reaches
 * what). Built per run and dropped with it, so nothing is remembered between runs.
 */
export interface AnalysisContext {
  readonly input: AnalysisInput;
  readonly permissions: ReadonlyMap<string, PermissionInput>;
  /** Grants in force at `input.now`: expired grants no longer give access. */
  readonly activeGrants: readonly GrantInput[];
  /** Every (person, account, permission) reached through an active grant. */
  readonly reach: readonly Reach[];
  /**
   * Decides whether a session of the permission can perform the action on some resource it applies to, or on
   * the given resource (an ARN or an ARN pattern; `*` for the literal "every resource").
   */
  can(permission: string, action: string, options?: { resource?: string; context?: RequestContext }): Decision;
  evidence(permission: string, refs: readonly StatementRef[]): StatementEvidence[];
  /** Computes a value once per run (rules share answers such as "is this permission admin-equivalent"). */
  once<T>(key: string, compute: () => T): T;
}

/** `until` is an instant, or a bare date meaning the end of that day (UTC). */
export const isExpired = (grant: GrantInput, now: Date): boolean =>
  grant.until !== undefined &&
  Date.parse(grant.until.includes('T') ? grant.until : `${grant.until}T23:59:59.999Z`) <= now.getTime();

export function createContext(input: AnalysisInput): AnalysisContext {
  const permissions = new Map(input.permissions.map((p) => [p.name, p]));
  const compiled = new Map<string, CompiledPolicySet>();
  const setOf = (name: string): CompiledPolicySet => {
    let set = compiled.get(name);
    if (set === undefined) {
      const p = permissions.get(name);
      set = compilePolicySet({ identity: p?.policies ?? [], boundary: p?.boundary });
      compiled.set(name, set);
    }
    return set;
  };
  const activeGrants = input.grants.filter((g) => !isExpired(g, input.now));
  const members = new Map(input.groups.map((g) => [g.name, g.members]));
  const reach: Reach[] = [];
  for (const grant of activeGrants) {
    for (const person of members.get(grant.group) ?? []) {
      for (const account of grant.accounts) reach.push({ person, account, permission: grant.permission, grant });
    }
  }
  const answers = new Map<string, unknown>();
  return {
    input,
    permissions,
    activeGrants,
    reach,
    can: (permission, action, options = {}) => {
      const ask = (resource: string) =>
        decide(setOf(permission), {
          action,
          resource,
          ...(options.context !== undefined ? { context: options.context } : {}),
        });
      if (options.resource !== undefined) return ask(options.resource);
      // "On some resource" means some resource the action can act on: a deny of every policy ARN hides
      // iam:CreatePolicyVersion even when the allow says `*`.
      const patterns = input.catalogue.find(action)?.resourcePatterns ?? [];
      if (patterns.length === 0) return ask(ANY_RESOURCE);
      const decisions = patterns.map(ask);
      return {
        allowed: decisions.some((d) => d.allowed),
        allowedBy: decisions.flatMap((d) => d.allowedBy),
        deniedBy: decisions.flatMap((d) => d.deniedBy),
        conditionalDenies: decisions.flatMap((d) => d.conditionalDenies),
      };
    },
    evidence: (permission, refs) => {
      const seen = new Set<string>();
      const out: StatementEvidence[] = [];
      for (const { policy, statement } of refs) {
        const key = `${policy}#${statement.index}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ permission, policy, index: statement.index, sid: statement.sid, statement: statement.source });
      }
      return out;
    },
    once: <T>(key: string, compute: () => T): T => {
      if (!answers.has(key)) answers.set(key, compute());
      return answers.get(key) as T;
    },
  };
}
