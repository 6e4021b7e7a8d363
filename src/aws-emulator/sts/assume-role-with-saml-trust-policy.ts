/**
 * Evaluates a role's trust policy for AssumeRoleWithSAML and AssumeRole (IAM policy evaluation logic, reduced to
 * what a trust policy can say): an explicit Deny wins, then some Allow must match the action, the federated principal and
 * every condition. Condition keys are case-insensitive; values case-sensitive unless the operator says otherwise.
 * Anything this evaluator does not understand never grants: an unknown operator fails an Allow and matches a Deny.
 */

/** Request context: lower-cased key → values (several for multi-valued keys such as `saml:edupersonaffiliation`). */
export type ConditionContext = ReadonlyMap<string, readonly string[]>;

export interface TrustRequest {
  readonly action: string;
  /** The SAML provider ARN of AssumeRoleWithSAML. */
  readonly federatedPrincipal?: string;
  /** What the caller of AssumeRole is, as `AWS` principals name it (role or session ARN, or its account's root). */
  readonly awsPrincipals?: readonly string[];
  readonly context: ConditionContext;
}

interface Statement {
  readonly Effect?: unknown;
  readonly Action?: unknown;
  readonly NotAction?: unknown;
  readonly Principal?: unknown;
  readonly NotPrincipal?: unknown;
  readonly Condition?: unknown;
}

function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined ? [] : [v];
}

function strings(v: unknown): string[] {
  return asList(v).filter((x): x is string => typeof x === 'string');
}

/** IAM wildcard matching: `*` any run, `?` one character. */
function globMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, ignoreCase ? 'is' : 's').test(value);
}

function actionMatches(statement: Statement, action: string): boolean {
  if (statement.Action !== undefined) return strings(statement.Action).some((p) => globMatch(p, action, true));
  if (statement.NotAction !== undefined) return !strings(statement.NotAction).some((p) => globMatch(p, action, true));
  return false;
}

/** A bare account id in an `AWS` principal means that account's root. */
const normalizeAws = (x: string): string => (/^\d{12}$/.test(x) ? `arn:aws:iam::${x}:root` : x);

function principalListed(principal: unknown, request: TrustRequest): boolean {
  if (principal === '*') return true;
  if (typeof principal !== 'object' || principal === null) return false;
  const p = principal as Record<string, unknown>;
  const federated = request.federatedPrincipal;
  if (federated !== undefined && strings(p.Federated).some((x) => x === federated || x === '*')) return true;
  const aws = strings(p.AWS).map(normalizeAws);
  return aws.includes('*') || (request.awsPrincipals ?? []).some((x) => aws.includes(x));
}

function principalMatches(statement: Statement, request: TrustRequest): boolean {
  if (statement.Principal !== undefined) return principalListed(statement.Principal, request);
  if (statement.NotPrincipal !== undefined) return !principalListed(statement.NotPrincipal, request);
  return false;
}

type Compare = (contextValue: string, policyValue: string) => boolean;

const COMPARATORS: Readonly<Record<string, { compare: Compare; negated: boolean }>> = {
  stringequals: { compare: (a, b) => a === b, negated: false },
  stringnotequals: { compare: (a, b) => a === b, negated: true },
  stringequalsignorecase: { compare: (a, b) => a.toLowerCase() === b.toLowerCase(), negated: false },
  stringnotequalsignorecase: { compare: (a, b) => a.toLowerCase() === b.toLowerCase(), negated: true },
  stringlike: { compare: (a, b) => globMatch(b, a, false), negated: false },
  stringnotlike: { compare: (a, b) => globMatch(b, a, false), negated: true },
  arnequals: { compare: (a, b) => globMatch(b, a, false), negated: false },
  arnlike: { compare: (a, b) => globMatch(b, a, false), negated: false },
  arnnotequals: { compare: (a, b) => globMatch(b, a, false), negated: true },
  arnnotlike: { compare: (a, b) => globMatch(b, a, false), negated: true },
  bool: { compare: (a, b) => a.toLowerCase() === b.toLowerCase(), negated: false },
};

/** `undefined` when the operator is not understood. */
function evaluateOperator(
  operator: string,
  key: string,
  policyValues: string[],
  context: ConditionContext,
): boolean | undefined {
  let op = operator.toLowerCase();
  let quantifier: 'any' | 'all' | undefined;
  if (op.startsWith('foranyvalue:')) {
    quantifier = 'any';
    op = op.slice('foranyvalue:'.length);
  } else if (op.startsWith('forallvalues:')) {
    quantifier = 'all';
    op = op.slice('forallvalues:'.length);
  }
  const ifExists = op.endsWith('ifexists');
  if (ifExists) op = op.slice(0, -'ifexists'.length);
  const values = context.get(key.toLowerCase());

  if (op === 'null' && !quantifier && !ifExists) {
    const wantAbsent = policyValues.some((v) => v.toLowerCase() === 'true');
    return wantAbsent === (values === undefined || values.length === 0);
  }
  const comparator = COMPARATORS[op];
  if (!comparator) return undefined;
  const matchesOne = (contextValue: string): boolean => {
    const hit = policyValues.some((pv) => comparator.compare(contextValue, pv));
    return comparator.negated ? !hit : hit;
  };
  if (values === undefined || values.length === 0) {
    // An absent key matches nothing; negated operators, …IfExists and ForAllValues are then true (IAM docs).
    if (quantifier === 'all') return true;
    if (quantifier === 'any') return false;
    return ifExists || comparator.negated;
  }
  if (quantifier === 'all') return values.every(matchesOne);
  return values.some(matchesOne);
}

/** `true`/`false`, or `undefined` when some part could not be evaluated. */
function conditionsMatch(condition: unknown, context: ConditionContext): boolean | undefined {
  if (condition === undefined) return true;
  if (typeof condition !== 'object' || condition === null || Array.isArray(condition)) return undefined;
  let unknown = false;
  for (const [operator, block] of Object.entries(condition as Record<string, unknown>)) {
    if (typeof block !== 'object' || block === null || Array.isArray(block)) return undefined;
    for (const [key, raw] of Object.entries(block as Record<string, unknown>)) {
      const values = asList(raw).map((v) =>
        typeof v === 'string' ? v : typeof v === 'boolean' || typeof v === 'number' ? String(v) : undefined,
      );
      if (values.some((v) => v === undefined)) return undefined;
      const result = evaluateOperator(operator, key, values as string[], context);
      if (result === false) return false;
      if (result === undefined) unknown = true;
    }
  }
  return unknown ? undefined : true;
}

/** Whether the trust policy document allows the request. A document that is not JSON allows nothing. */
export function trustPolicyAllows(document: string, request: TrustRequest): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    return false;
  }
  if (typeof parsed !== 'object' || parsed === null) return false;
  const statements = asList((parsed as Record<string, unknown>).Statement).filter(
    (s): s is Statement => typeof s === 'object' && s !== null && !Array.isArray(s),
  );
  let allowed = false;
  for (const s of statements) {
    if (!actionMatches(s, request.action) || !principalMatches(s, request)) continue;
    const cond = conditionsMatch(s.Condition, request.context);
    if (s.Effect === 'Deny' && cond !== false) return false;
    if (s.Effect === 'Allow' && cond === true) allowed = true;
  }
  return allowed;
}
