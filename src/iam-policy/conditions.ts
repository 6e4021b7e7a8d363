import type { ConditionClause } from './document.js';
import { wildcardRegExp } from './wildcards.js';

/**
 * What is known about a request: condition keys (lower-cased) and their values. A key that is not in the map
 * is unknown; a key mapped to an empty list is known to be absent from the request.
 */
export type RequestContext = ReadonlyMap<string, readonly string[]>;

/** A condition can be decided only when the request's values are known; otherwise it is `unknown`. */
export type Truth = 'true' | 'false' | 'unknown';

type Compare = (contextValue: string, policyValue: string) => boolean | undefined;

const num = (s: string): number | undefined => (s.trim() === '' || Number.isNaN(Number(s)) ? undefined : Number(s));
const date = (s: string): number | undefined => {
  const n = /^\d+$/.test(s) ? Number(s) * 1000 : Date.parse(s);
  return Number.isNaN(n) ? undefined : n;
};
const ordered = (parse: (s: string) => number | undefined, test: (a: number, b: number) => boolean): Compare => {
  return (c, p) => {
    const [a, b] = [parse(c), parse(p)];
    return a === undefined || b === undefined ? undefined : test(a, b);
  };
};

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    n = n * 256 + Number(part);
  }
  return n;
}

/** IPv4 CIDR matching; an IPv6 value or range makes the answer unknown rather than wrong. */
const inCidr: Compare = (c, p) => {
  const [range, bitsText] = p.split('/');
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  const [ip, net] = [ipv4ToInt(c), ipv4ToInt(range ?? '')];
  if (ip === undefined || net === undefined || !(bits >= 0 && bits <= 32)) return undefined;
  const size = 2 ** (32 - bits);
  return Math.floor(ip / size) === Math.floor(net / size);
};

/** Each base operator as a positive test; negated operators are listed with the positive test they negate. */
const POSITIVE: Record<string, Compare> = {
  stringequals: (c, p) => c === p,
  stringequalsignorecase: (c, p) => c.toLowerCase() === p.toLowerCase(),
  stringlike: (c, p) => wildcardRegExp(p, false).test(c),
  arnequals: (c, p) => wildcardRegExp(p, false).test(c),
  arnlike: (c, p) => wildcardRegExp(p, false).test(c),
  numericequals: ordered(num, (a, b) => a === b),
  numericlessthan: ordered(num, (a, b) => a < b),
  numericlessthanequals: ordered(num, (a, b) => a <= b),
  numericgreaterthan: ordered(num, (a, b) => a > b),
  numericgreaterthanequals: ordered(num, (a, b) => a >= b),
  dateequals: ordered(date, (a, b) => a === b),
  datelessthan: ordered(date, (a, b) => a < b),
  datelessthanequals: ordered(date, (a, b) => a <= b),
  dategreaterthan: ordered(date, (a, b) => a > b),
  dategreaterthanequals: ordered(date, (a, b) => a >= b),
  bool: (c, p) => c.toLowerCase() === p.toLowerCase(),
  binaryequals: (c, p) => c === p,
  ipaddress: inCidr,
};
const NEGATED: Record<string, string> = {
  stringnotequals: 'stringequals',
  stringnotequalsignorecase: 'stringequalsignorecase',
  stringnotlike: 'stringlike',
  arnnotequals: 'arnequals',
  arnnotlike: 'arnlike',
  numericnotequals: 'numericequals',
  datenotequals: 'dateequals',
  notipaddress: 'ipaddress',
};

const or = (a: Truth, b: Truth): Truth =>
  a === 'true' || b === 'true' ? 'true' : a === 'unknown' || b === 'unknown' ? 'unknown' : 'false';
const not = (a: Truth): Truth => (a === 'true' ? 'false' : a === 'false' ? 'true' : 'unknown');
const fromBool = (b: boolean | undefined): Truth => (b === undefined ? 'unknown' : b ? 'true' : 'false');

/**
 * Decides one condition clause against what is known of the request, following the AWS documentation pages
 * "IAM JSON policy elements: Condition operators" (…IfExists, Null, negated operators with a missing key) and
 * "Single-valued vs. multivalued context keys" (ForAnyValue / ForAllValues).
 */
export function evaluateCondition(clause: ConditionClause, context: RequestContext): Truth {
  let operator = clause.operator.toLowerCase();
  let quantifier: 'any' | 'all' | undefined;
  if (operator.startsWith('foranyvalue:')) [quantifier, operator] = ['any', operator.slice('foranyvalue:'.length)];
  else if (operator.startsWith('forallvalues:'))
    [quantifier, operator] = ['all', operator.slice('forallvalues:'.length)];
  const ifExists = operator.endsWith('ifexists');
  if (ifExists) operator = operator.slice(0, -'ifexists'.length);

  // Policy variables are resolved per request; without the request they are unknown.
  if (clause.values.some((v) => v.includes('${'))) return 'unknown';
  const values = context.get(clause.key);
  if (values === undefined) return 'unknown';

  if (operator === 'null') {
    const wantsAbsent = clause.values.some((v) => v.toLowerCase() === 'true');
    const wantsPresent = clause.values.some((v) => v.toLowerCase() === 'false');
    return fromBool(values.length === 0 ? wantsAbsent : wantsPresent);
  }
  const negatedOf = NEGATED[operator];
  const test = POSITIVE[negatedOf ?? operator];
  if (test === undefined) return 'unknown';

  if (values.length === 0) {
    if (ifExists || quantifier === 'all') return 'true';
    return negatedOf !== undefined ? 'true' : 'false';
  }
  const matchesOne = (v: string): Truth => {
    let result: Truth = 'false';
    for (const p of clause.values) result = or(result, fromBool(test(v, p)));
    return negatedOf !== undefined ? not(result) : result;
  };
  if (quantifier === 'all') {
    let all: Truth = 'true';
    for (const v of values) {
      const one = matchesOne(v);
      if (one === 'false') return 'false';
      if (one === 'unknown') all = 'unknown';
    }
    return all;
  }
  if (negatedOf !== undefined && quantifier === undefined) {
    // A negated operator on a multivalued key holds only when no value matches.
    let anyMatch: Truth = 'false';
    for (const v of values) anyMatch = or(anyMatch, not(matchesOne(v)));
    return not(anyMatch);
  }
  let any: Truth = 'false';
  for (const v of values) any = or(any, matchesOne(v));
  return any;
}

/** All clauses of a statement must hold. */
export function evaluateConditions(clauses: readonly ConditionClause[], context: RequestContext): Truth {
  let result: Truth = 'true';
  for (const clause of clauses) {
    const one = evaluateCondition(clause, context);
    if (one === 'false') return 'false';
    if (one === 'unknown') result = 'unknown';
  }
  return result;
}
