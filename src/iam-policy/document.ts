/**
 * The IAM policy language, read into a typed form. Grammar and element rules follow the AWS documentation page
 * "IAM JSON policy element reference" (Version, Statement, Sid, Effect, Action/NotAction, Resource/NotResource,
 * Principal/NotPrincipal, Condition).
 */

export type Effect = 'Allow' | 'Deny';

export interface ConditionClause {
  /** The operator as written, e.g. `StringEquals`, `ForAnyValue:StringLike`, `ArnNotLikeIfExists`. */
  readonly operator: string;
  /** Condition keys are case-insensitive; kept lower-cased. */
  readonly key: string;
  readonly values: readonly string[];
}

export interface Statement {
  readonly sid: string | undefined;
  readonly effect: Effect;
  /** Exactly one of `actions` / `notActions` is set. */
  readonly actions: readonly string[] | undefined;
  readonly notActions: readonly string[] | undefined;
  /** Exactly one of `resources` / `notResources` is set for identity policies. */
  readonly resources: readonly string[] | undefined;
  readonly notResources: readonly string[] | undefined;
  readonly conditions: readonly ConditionClause[];
  /** Position of the statement in its document, for findings that point at it. */
  readonly index: number;
  /** The statement exactly as written, for reports. */
  readonly source: unknown;
}

export interface PolicyDocument {
  readonly version: string | undefined;
  readonly statements: readonly Statement[];
}

export class PolicyDocumentError extends Error {
  override readonly name = 'PolicyDocumentError';
  constructor(
    /** JSON path of the offending element, e.g. `Statement[2].Action`. */
    readonly at: string,
    message: string,
  ) {
    super(`${at}: ${message}`);
  }
}

const STATEMENT_KEYS = new Set([
  'Sid',
  'Effect',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
  'Principal',
  'NotPrincipal',
]);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function stringList(value: unknown, at: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw new PolicyDocumentError(at, 'must not be an empty list');
  return list.map((item, i) => {
    if (typeof item !== 'string' || item === '')
      throw new PolicyDocumentError(`${at}[${i}]`, 'must be a non-empty string');
    return item;
  });
}

function actionList(value: unknown, at: string): string[] {
  return stringList(value, at).map((action, i) => {
    if (action !== '*' && !/^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$/.test(action)) {
      throw new PolicyDocumentError(`${at}[${i}]`, `"${action}" is not an action (service:Action, wildcards allowed)`);
    }
    return action;
  });
}

function conditionClauses(value: unknown, at: string): ConditionClause[] {
  if (value === undefined) return [];
  if (!isRecord(value)) throw new PolicyDocumentError(at, 'must be an object of operators');
  const clauses: ConditionClause[] = [];
  for (const [operator, block] of Object.entries(value)) {
    if (!isRecord(block)) throw new PolicyDocumentError(`${at}.${operator}`, 'must be an object of condition keys');
    for (const [key, raw] of Object.entries(block)) {
      const values = (Array.isArray(raw) ? raw : [raw]).map((v, i) => {
        if (typeof v === 'string') return v;
        if (typeof v === 'number' || typeof v === 'boolean') return String(v);
        throw new PolicyDocumentError(`${at}.${operator}.${key}[${i}]`, 'must be a string, number or boolean');
      });
      clauses.push({ operator, key: key.toLowerCase(), values });
    }
  }
  return clauses;
}

function readStatement(raw: unknown, index: number, at: string): Statement {
  if (!isRecord(raw)) throw new PolicyDocumentError(at, 'must be an object');
  for (const key of Object.keys(raw)) {
    if (!STATEMENT_KEYS.has(key)) throw new PolicyDocumentError(`${at}.${key}`, 'is not a statement element');
  }
  const effect = raw.Effect;
  if (effect !== 'Allow' && effect !== 'Deny')
    throw new PolicyDocumentError(`${at}.Effect`, 'must be "Allow" or "Deny"');
  if ((raw.Action === undefined) === (raw.NotAction === undefined)) {
    throw new PolicyDocumentError(at, 'needs exactly one of Action and NotAction');
  }
  if (raw.Resource !== undefined && raw.NotResource !== undefined) {
    throw new PolicyDocumentError(at, 'may not have both Resource and NotResource');
  }
  if (raw.Sid !== undefined && typeof raw.Sid !== 'string')
    throw new PolicyDocumentError(`${at}.Sid`, 'must be a string');
  return {
    sid: raw.Sid as string | undefined,
    effect,
    actions: raw.Action === undefined ? undefined : actionList(raw.Action, `${at}.Action`),
    notActions: raw.NotAction === undefined ? undefined : actionList(raw.NotAction, `${at}.NotAction`),
    resources: raw.Resource === undefined ? undefined : stringList(raw.Resource, `${at}.Resource`),
    notResources: raw.NotResource === undefined ? undefined : stringList(raw.NotResource, `${at}.NotResource`),
    conditions: conditionClauses(raw.Condition, `${at}.Condition`),
    index,
    source: raw,
  };
}

/** Reads a policy document given as JSON text or as an already parsed value. */
export function parsePolicyDocument(input: string | unknown): PolicyDocument {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (e) {
      throw new PolicyDocumentError('$', `is not JSON (${(e as Error).message})`);
    }
  }
  if (!isRecord(value)) throw new PolicyDocumentError('$', 'must be a JSON object');
  const version = value.Version;
  if (version !== undefined && version !== '2012-10-17' && version !== '2008-10-17') {
    throw new PolicyDocumentError('Version', 'must be "2012-10-17" or "2008-10-17"');
  }
  const raw = value.Statement;
  if (raw === undefined) throw new PolicyDocumentError('Statement', 'is required');
  const list = Array.isArray(raw) ? raw : [raw];
  return {
    version: version as string | undefined,
    statements: list.map((s, i) => readStatement(s, i, Array.isArray(raw) ? `Statement[${i}]` : 'Statement')),
  };
}
