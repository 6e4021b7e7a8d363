/**
 * SimulatePrincipalPolicy and SimulateCustomPolicy, evaluated by `@cloud-copilot/iam-simulate` (the IAM policy
 * evaluation library Keyway's access analysis also uses), answered in IAM's SimulatePolicyResponse shape.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { RunSimulationResults, SimulationIdentityPolicy } from '@cloud-copilot/iam-simulate';
import type { CallerContext, QueryOperation } from '../http/contract.js';
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

const DECISION = { Allowed: 'allowed', ExplicitlyDenied: 'explicitDeny', ImplicitlyDenied: 'implicitDeny' } as const;

function statementsOf(result: RunSimulationResults): { policyId: string; allow: boolean }[] {
  if (result.resultType === 'error') return [];
  const analyses = result.resultType === 'single' ? [result.result] : result.results;
  return analyses.flatMap((r) => [
    ...(r.analysis.identityAnalysis?.allowStatements ?? []).map((s) => ({ policyId: s.policyId, allow: true })),
    ...(r.analysis.identityAnalysis?.denyStatements ?? []).map((s) => ({ policyId: s.policyId, allow: false })),
  ]);
}

function boundaryAllowed(result: RunSimulationResults): boolean | undefined {
  if (result.resultType === 'error') return undefined;
  const analyses = result.resultType === 'single' ? [result.result] : result.results;
  const pb = analyses.map((r) => r.analysis.permissionBoundaryAnalysis?.result).filter((x) => x !== undefined);
  return pb.length === 0 ? undefined : pb.some((x) => x === 'Allowed');
}

async function evaluate(
  identity: readonly SourcePolicy[],
  boundary: readonly SourcePolicy[],
  principal: string,
  account: string,
  actions: readonly string[],
  resources: readonly string[],
  context: Record<string, string | string[]>,
  resourcePolicy: string | undefined,
): Promise<Evaluation[]> {
  const byId = new Map([...identity, ...boundary].map((p) => [p.id, p]));
  const toSim = (p: SourcePolicy): SimulationIdentityPolicy => ({ name: p.id, policy: JSON.parse(p.document) });
  const out: Evaluation[] = [];
  for (const action of actions) {
    for (const resource of resources) {
      const owner = /^arn:[^:]+:[^:]*:[^:]*:(\d{12}):/.exec(resource)?.[1] ?? account;
      const result = await runSimulation(
        {
          request: { principal, action, resource: { resource, accountId: owner }, contextVariables: context },
          identityPolicies: identity.map(toSim),
          serviceControlPolicies: [],
          resourceControlPolicies: [],
          ...(boundary.length > 0 ? { permissionBoundaryPolicies: boundary.map(toSim) } : {}),
          ...(resourcePolicy !== undefined ? { resourcePolicy: JSON.parse(resourcePolicy) } : {}),
        },
        {},
      );
      if (result.resultType === 'error') {
        throw new AwsServiceError('InvalidInput', `The policy simulation failed: ${result.errors.message}`, 400);
      }
      const decision = DECISION[result.overallResult];
      // The statements that decided: the Allows of an allowed request, the Denies of a denied one.
      const matched = statementsOf(result)
        .filter((s) => (decision === 'allowed' ? s.allow : decision === 'explicitDeny' && !s.allow))
        .map((s) => byId.get(s.policyId))
        .filter((p): p is SourcePolicy => p !== undefined);
      out.push({
        action,
        resource,
        decision,
        matched: [...new Set(matched)],
        allowedByBoundary: boundary.length > 0 ? boundaryAllowed(result) : undefined,
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
  readonly resourcePolicy?: string;
  readonly callerArn?: string;
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
  q.string('ResourceOwner', { min: 1, max: 2048 });
  const callerArn = q.string('CallerArn', { min: 1, max: 2048 });
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
    ...(resourcePolicy !== undefined ? { resourcePolicy } : {}),
    ...(callerArn !== undefined ? { callerArn } : {}),
    context: readContext(params),
    boundaryInputs,
    ...(marker !== undefined ? { marker } : {}),
    ...(maxItems !== undefined ? { maxItems } : {}),
  };
}

async function respond(
  common: Common,
  identity: SourcePolicy[],
  boundary: SourcePolicy[],
  principal: string,
  account: string,
): Promise<string> {
  const results = await evaluate(
    identity,
    boundary,
    principal,
    account,
    common.actions,
    common.resources,
    common.context,
    common.resourcePolicy,
  );
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
    SimulateCustomPolicy: op((q, account, caller: CallerContext, params) => {
      const policies = readPolicies(q, 'PolicyInputList');
      const common = readCommon(q, params);
      for (const doc of policies) validatePolicyDocument(doc, 'identity');
      return respond(
        common,
        inputs(policies, 'PolicyInputList.'),
        inputs(common.boundaryInputs, 'PermissionsBoundaryPolicyInputList.'),
        common.callerArn ?? caller.principalArn,
        account,
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
      return respond(common, identity, boundary, role.arn, account);
    }),
  };
}

/**
 * Whether a role's own policies (inline, attached, boundary) allow `action` on `resource`: what STS asks when a
 * role session assumes a role whose trust policy names the session's account rather than the role itself.
 */
export async function rolePoliciesAllow(
  iam: IamStore,
  roleArn: string,
  action: string,
  resource: string,
): Promise<boolean> {
  const m = /^arn:aws:iam::(\d{12}):role\/(?:[\x21-\x7e]*\/)?([\w+=,.@-]+)$/.exec(roleArn);
  const role = m ? iam.findRole(m[1] as string, m[2] as string) : undefined;
  if (!role || !m) return false;
  const account = m[1] as string;
  const { identity, boundary } = rolePolicySources(iam, account, role);
  const [result] = await evaluate(identity, boundary, role.arn, account, [action], [resource], {}, undefined);
  return result?.decision === 'allowed';
}
