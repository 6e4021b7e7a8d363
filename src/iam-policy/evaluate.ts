import { evaluateConditions, type RequestContext, type Truth } from './conditions.js';
import type { PolicyDocument, Statement } from './document.js';
import { anyWildcardRegExp, covers, mayOverlap } from './wildcards.js';

/**
 * IAM's decision for one session, after the AWS documentation page "Policy evaluation logic": an explicit deny
 * in any policy wins; otherwise an identity-based allow is needed, and when a permissions boundary is set the
 * boundary must allow too. Resource-based policies, SCPs and RCPs are outside a permission's own documents and
 * are not part of this evaluation.
 *
 * Written here rather than taken from a package: the maintained JavaScript IAM simulators on the npm registry
 * (`@cloud-copilot/iam-simulate` and the packages it builds on) are AGPL/GPL-licensed, which Keyway's
 * permissive licence cannot carry. The service catalogue does come from a package (see `catalogue.ts`).
 */

export interface NamedPolicy {
  /** How findings name the policy: an AWS-managed policy ARN, `inline`, or a customer-managed reference. */
  readonly name: string;
  readonly document: PolicyDocument;
}

export interface PolicySet {
  readonly identity: readonly NamedPolicy[];
  readonly boundary?: NamedPolicy | undefined;
}

/** A statement that took part in a decision, with the policy it came from. */
export interface StatementRef {
  readonly policy: string;
  readonly statement: Statement;
}

interface CompiledStatement extends StatementRef {
  readonly actionPattern: RegExp;
  readonly notAction: boolean;
}

export interface CompiledPolicySet {
  readonly identity: readonly CompiledStatement[];
  readonly boundary: readonly CompiledStatement[] | undefined;
}

function compileStatement(policy: string, statement: Statement): CompiledStatement {
  const patterns = statement.actions ?? statement.notActions ?? [];
  return {
    policy,
    statement,
    actionPattern: anyWildcardRegExp(patterns, true),
    notAction: statement.notActions !== undefined,
  };
}

/** Compiles the wildcards of every statement once, so that thousands of checks against one set stay cheap. */
export function compilePolicySet(set: PolicySet): CompiledPolicySet {
  const compile = (p: NamedPolicy) => p.document.statements.map((s) => compileStatement(p.name, s));
  return {
    identity: set.identity.flatMap(compile),
    boundary: set.boundary === undefined ? undefined : compile(set.boundary),
  };
}

const actionMatches = (s: CompiledStatement, action: string): boolean => {
  const hit = s.actionPattern.test(action);
  return s.notAction ? !hit : hit;
};

/** `*` as the request's resource asks "on at least one resource". */
export const ANY_RESOURCE = '*';

export interface AccessRequest {
  readonly action: string;
  /**
   * One resource ARN, or an ARN pattern with wildcards asking "on at least one resource the pattern names"
   * (`*` for any resource at all).
   */
  readonly resource: string;
  readonly context?: RequestContext;
}

export interface Decision {
  readonly allowed: boolean;
  /** Allow statements that grant the request, each with the resource (pattern) it grants it on. */
  readonly allowedBy: readonly (StatementRef & { readonly resource: string })[];
  /** Deny statements that certainly apply. */
  readonly deniedBy: readonly StatementRef[];
  /** Allowed only because a deny's condition could not be decided; the deny may still apply at run time. */
  readonly conditionalDenies: readonly StatementRef[];
}

const EMPTY_CONTEXT: RequestContext = new Map();

/** The resource patterns within `wanted` that an Allow statement grants its actions on. */
function grantedWithin(s: Statement, wanted: string): readonly string[] {
  if (s.resources !== undefined) {
    return s.resources.filter((r) => mayOverlap(r, wanted)).map((r) => (covers(wanted, r) ? r : wanted));
  }
  if (s.notResources !== undefined) return s.notResources.some((r) => covers(r, wanted)) ? [] : [wanted];
  return [wanted];
}

/** Whether a statement's resource element certainly covers every resource the pattern names. */
function coversPattern(s: Statement, pattern: string): boolean {
  if (s.resources !== undefined) return s.resources.some((r) => covers(r, pattern));
  if (s.notResources !== undefined) return !s.notResources.some((r) => mayOverlap(r, pattern));
  return true;
}

/** Whether a statement's resource element may include some resource the pattern names. */
function touchesPattern(s: Statement, pattern: string): boolean {
  if (s.resources !== undefined) return s.resources.some((r) => mayOverlap(r, pattern));
  if (s.notResources !== undefined) return !s.notResources.some((r) => covers(r, pattern));
  return true;
}

function conditionsOf(s: CompiledStatement, context: RequestContext): Truth {
  return s.statement.conditions.length === 0 ? 'true' : evaluateConditions(s.statement.conditions, context);
}

/**
 * Decides a request against a compiled policy set. Conditions are judged conservatively: an allow whose
 * condition cannot be decided counts as allowing, a deny whose condition cannot be decided does not count as
 * denying. A condition therefore never hides access unless it provably restricts it. For a resource pattern,
 * a deny hides an allow only when it covers the allowed part entirely.
 */
export function decide(set: CompiledPolicySet, request: AccessRequest): Decision {
  const context = request.context ?? EMPTY_CONTEXT;
  const wanted = request.resource;
  const all = set.boundary === undefined ? set.identity : [...set.identity, ...set.boundary];
  const denies = all.filter((s) => s.statement.effect === 'Deny' && actionMatches(s, request.action));
  const certainDenies = denies.filter((s) => conditionsOf(s, context) === 'true');
  const uncertainDenies = denies.filter((s) => conditionsOf(s, context) === 'unknown');

  const boundaryAllows = (pattern: string): boolean =>
    set.boundary === undefined ||
    set.boundary.some(
      (s) =>
        s.statement.effect === 'Allow' &&
        actionMatches(s, request.action) &&
        conditionsOf(s, context) !== 'false' &&
        touchesPattern(s.statement, pattern),
    );

  const allowedBy: (StatementRef & { resource: string })[] = [];
  const deniedBy = new Set<CompiledStatement>();
  for (const s of set.identity) {
    if (s.statement.effect !== 'Allow' || !actionMatches(s, request.action)) continue;
    if (conditionsOf(s, context) === 'false') continue;
    for (const pattern of grantedWithin(s.statement, wanted)) {
      // What is allowed lies within both the granted pattern and the wanted one: a deny of either covers it.
      const blocking = certainDenies.filter(
        (d) => coversPattern(d.statement, pattern) || coversPattern(d.statement, wanted),
      );
      if (blocking.length > 0) {
        for (const d of blocking) deniedBy.add(d);
        continue;
      }
      if (!boundaryAllows(pattern)) continue;
      allowedBy.push({ policy: s.policy, statement: s.statement, resource: pattern });
    }
  }
  const ref = ({ policy, statement }: CompiledStatement): StatementRef => ({ policy, statement });
  return {
    allowed: allowedBy.length > 0,
    allowedBy,
    deniedBy: [...deniedBy].map(ref),
    conditionalDenies: allowedBy.length > 0 ? uncertainDenies.map(ref) : [],
  };
}
