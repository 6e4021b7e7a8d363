/**
 * SimulatePrincipalPolicy and SimulateCustomPolicy, decided by Keyway's IAM policy evaluator (`src/iam-policy`,
 * the one the access analysis uses) and answered in IAM's SimulatePolicyResponse shape. That evaluator covers
 * identity policies and permissions boundaries; resource policies, SCPs and session policies are not evaluated.
 */
import { compilePolicySet, decide, parsePolicyDocument, PolicyDocumentError } from '../../iam-policy/index.js';
import type { NamedPolicy, PolicyDocument } from '../../iam-policy/index.js';
import type { QueryOperation } from '../http/contract.js';
import { AwsServiceError } from '../http/contract.js';
import type { QueryInput } from '../http/query-params.js';
import { el } from '../http/xml.js';
import type { XmlContent } from '../http/xml.js';
import { MAX_ITEMS, RULES, listResult, op } from './iam-operation.js';
import { members } from './iam-shapes.js';
import type { IamStore, RoleDoc } from './iam-store.js';
import { paginate } from './pagination.js';
import { validatePolicyDocument } from './policy-document.js';

type SourceType = 'role' | 'aws-managed' | 'user-managed' | 'none';

interface SourcePolicy {
  readonly id: string;
  readonly type: SourceType;
  readonly document: string;
}

interface Evaluation {
  readonly action: string;
  readonly resource: string;
  readonly decision: 'allowed' | 'explicitDeny' | 'implicitDeny';
  readonly matched: readonly SourcePolicy[];
  readonly allowedByBoundary: boolean | undefined;
}

function readPolicies(q: QueryInput, name: string): string[] {
  return q.list(name, RULES.policyDocument);
}

/** `ContextEntries.member.N.{ContextKeyName, ContextKeyValues.member.M, ContextKeyType}`. */
function readContext(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 1; i <= 1000; i++) {
    const name = params.get(`ContextEntries.member.${i}.ContextKeyName`);
    if (name === null) break;
    const type = params.get(`ContextEntries.member.${i}.ContextKeyType`) ?? 'string';
    const values: string[] = [];
    for (let j = 1; j <= 1000; j++) {
      const v = params.get(`ContextEntries.member.${i}.ContextKeyValues.member.${j}`);
      if (v === null) break;
      values.push(v);
    }
    out[name] = type.endsWith('List') ? values : (values[0] ?? '');
  }
  return out;
}

function parsed(p: SourcePolicy): PolicyDocument {
  try {
    return parsePolicyDocument(p.document);
  } catch (e) {
    if (e instanceof PolicyDocumentError)
      throw new AwsServiceError('MalformedPolicyDocument', `${p.id}: ${e.message}`, 400);
    throw e;
  }
}

/** The Deny statements of a policy read as Allows: whether they cover a request is whether they deny it. */
function denialsAsGrants(doc: PolicyDocument): PolicyDocument {
  return {
    ...doc,
    statements: doc.statements.filter((s) => s.effect === 'Deny').map((s) => ({ ...s, effect: 'Allow' as const })),
  };
}

function evaluate(
  identity: readonly SourcePolicy[],
  boundary: readonly SourcePolicy[],
  actions: readonly string[],
  resources: readonly string[],
  context: Record<string, string | string[]>,
): Evaluation[] {
  const named = (p: SourcePolicy): NamedPolicy => ({ name: p.id, document: parsed(p) });
  const identityDocs = identity.map(named);
  const boundaryDocs = boundary.map(named);
  const byId = new Map([...identity, ...boundary].map((p) => [p.id, p]));
  // IAM applies one boundary; several given to the simulator must all allow, so they are merged as one policy
  // only when there is exactly one, and checked one by one otherwise.
  const sets = (boundaryDocs.length === 0 ? [undefined] : boundaryDocs).map((b) =>
    compilePolicySet({ identity: identityDocs, boundary: b }),
  );
  const denials = compilePolicySet({
    identity: [...identityDocs, ...boundaryDocs].map((p) => ({ name: p.name, document: denialsAsGrants(p.document) })),
  });
  const boundaryOnly = boundaryDocs.map((b) => compilePolicySet({ identity: [b] }));
  const ctx = new Map(Object.entries(context).map(([k, v]) => [k.toLowerCase(), typeof v === 'string' ? [v] : v]));
  const out: Evaluation[] = [];
  for (const action of actions) {
    for (const resource of resources) {
      const request = { action, resource, context: ctx };
      const decisions = sets.map((set) => decide(set, request));
      const denied = decide(denials, request);
      const allowed = !denied.allowed && decisions.every((d) => d.allowed);
      const decision = allowed ? 'allowed' : denied.allowed ? 'explicitDeny' : 'implicitDeny';
      const matched =
        decision === 'allowed'
          ? decisions.flatMap((d) => d.allowedBy.map((r) => r.policy))
          : decision === 'explicitDeny'
            ? denied.allowedBy.map((r) => r.policy)
            : [];
      out.push({
        action,
        resource,
        decision,
        matched: [...new Set(matched)].map((id) => byId.get(id)).filter((p): p is SourcePolicy => p !== undefined),
        allowedByBoundary: boundaryOnly.length > 0 ? boundaryOnly.every((b) => decide(b, request).allowed) : undefined,
      });
    }
  }
  return out;
}

function evaluationXml(e: Evaluation): XmlContent[] {
  return [
    el('EvalActionName', e.action),
    el('EvalResourceName', e.resource),
    el('EvalDecision', e.decision),
    members(
      'MatchedStatements',
      e.matched.map((p) => [el('SourcePolicyId', p.id), el('SourcePolicyType', p.type)]),
    ),
    members('MissingContextValues', []),
    e.allowedByBoundary !== undefined
      ? el('PermissionsBoundaryDecisionDetail', el('AllowedByPermissionsBoundary', e.allowedByBoundary))
      : undefined,
  ];
}

interface Common {
  readonly actions: string[];
  readonly resources: string[];
  readonly context: Record<string, string | string[]>;
  readonly boundaryInputs: string[];
  readonly marker?: string;
  readonly maxItems?: number;
}

function readCommon(q: QueryInput, params: URLSearchParams): Common {
  const boundaryInputs = readPolicies(q, 'PermissionsBoundaryPolicyInputList');
  const actions = q.list('ActionNames', RULES.actionName);
  const resources = q.list('ResourceArns', RULES.resourceName);
  const resourcePolicy = q.string('ResourcePolicy', RULES.policyDocument);
  if (resourcePolicy !== undefined) {
    // Refused rather than ignored, so a caller never reads a decision that left its resource policy out.
    throw new AwsServiceError('InvalidInput', 'ResourcePolicy is not evaluated by the Keyway AWS emulator.', 400);
  }
  q.string('ResourceOwner', { min: 1, max: 2048 });
  q.string('CallerArn', { min: 1, max: 2048 });
  q.string('ResourceHandlingOption', { min: 1, max: 64 });
  const maxItems = q.int('MaxItems', MAX_ITEMS);
  const marker = q.string('Marker', RULES.marker);
  q.done();
  if (actions.length === 0)
    throw new AwsServiceError('InvalidInput', 'ActionNames must contain at least one action.', 400);
  for (const doc of [...boundaryInputs]) validatePolicyDocument(doc, 'identity');
  return {
    actions,
    resources: resources.length > 0 ? resources : ['*'],
    context: readContext(params),
    boundaryInputs,
    ...(marker !== undefined ? { marker } : {}),
    ...(maxItems !== undefined ? { maxItems } : {}),
  };
}

function respond(common: Common, identity: SourcePolicy[], boundary: SourcePolicy[]): string {
  const results = evaluate(identity, boundary, common.actions, common.resources, common.context);
  const page = paginate(
    results.map((r, i) => ({ r, key: String(i).padStart(8, '0') })),
    (x) => x.key,
    common.marker,
    common.maxItems,
  );
  return listResult(
    'EvaluationResults',
    page.items.map((x) => evaluationXml(x.r)),
    page,
  );
}

function managedSource(iam: IamStore, account: string, arn: string): SourcePolicy {
  const view = iam.requireManagedPolicy(account, arn);
  return {
    id: arn,
    type: view.kind === 'aws' ? 'aws-managed' : 'user-managed',
    document: iam.policyVersion(account, arn, view.policy.defaultVersionId).version.document,
  };
}

/** A role's identity policies (inline, then attached managed at their default versions) and its boundary. */
function rolePolicySources(
  iam: IamStore,
  account: string,
  role: RoleDoc,
): { identity: SourcePolicy[]; boundary: SourcePolicy[] } {
  return {
    identity: [
      ...role.inlinePolicies.map((p) => ({ id: p.name, type: 'role' as const, document: p.document })),
      ...role.managedPolicyArns.map((arn) => managedSource(iam, account, arn)),
    ],
    boundary:
      role.permissionsBoundaryArn !== undefined ? [managedSource(iam, account, role.permissionsBoundaryArn)] : [],
  };
}

const inputs = (docs: readonly string[], prefix: string): SourcePolicy[] =>
  docs.map((document, i) => ({ id: `${prefix}${i + 1}`, type: 'none' as const, document }));

export function simulationOperations(iam: IamStore): Record<string, QueryOperation> {
  return {
    SimulateCustomPolicy: op((q, _account, _caller, params) => {
      const policies = readPolicies(q, 'PolicyInputList');
      const common = readCommon(q, params);
      for (const doc of policies) validatePolicyDocument(doc, 'identity');
      return respond(
        common,
        inputs(policies, 'PolicyInputList.'),
        inputs(common.boundaryInputs, 'PermissionsBoundaryPolicyInputList.'),
      );
    }),
    SimulatePrincipalPolicy: op((q, account, _caller, params) => {
      const source = q.requiredString('PolicySourceArn', RULES.arn);
      const extra = readPolicies(q, 'PolicyInputList');
      const common = readCommon(q, params);
      for (const doc of extra) validatePolicyDocument(doc, 'identity');
      const m = /^arn:aws:iam::(\d{12}):role\/(?:[\x21-\x7e]*\/)?([\w+=,.@-]+)$/.exec(source);
      if (!m) {
        // Users and groups are not emulated; anything that is not a role ARN names nothing here.
        throw new AwsServiceError('InvalidInput', `Invalid ARN: Could not be parsed! (${source})`, 400);
      }
      if (m[1] !== account)
        throw new AwsServiceError('NoSuchEntity', `The role with name ${m[2]} cannot be found.`, 404);
      const role = iam.role(account, m[2] as string);
      const sources = rolePolicySources(iam, account, role);
      const identity = [...sources.identity, ...inputs(extra, 'PolicyInputList.')];
      const boundary = [...sources.boundary, ...inputs(common.boundaryInputs, 'PermissionsBoundaryPolicyInputList.')];
      return respond(common, identity, boundary);
    }),
  };
}

/**
 * Whether a role's own policies (inline, attached, boundary) allow `action` on `resource`: what STS asks when a
 * role session assumes a role whose trust policy names the session's account rather than the role itself.
 */
export function rolePoliciesAllow(iam: IamStore, roleArn: string, action: string, resource: string): boolean {
  const m = /^arn:aws:iam::(\d{12}):role\/(?:[\x21-\x7e]*\/)?([\w+=,.@-]+)$/.exec(roleArn);
  const role = m ? iam.findRole(m[1] as string, m[2] as string) : undefined;
  if (!role || !m) return false;
  const account = m[1] as string;
  const { identity, boundary } = rolePolicySources(iam, account, role);
  const [result] = evaluate(identity, boundary, [action], [resource], {});
  return result?.decision === 'allowed';
}
