/** Reads everything a plan compares the file with, in as few calls as the AWS APIs allow. */
import { GetPolicyCommand, GetPolicyVersionCommand, NoSuchEntityException } from '@aws-sdk/client-iam';
import { decodePolicyDocument } from '../iam-live.js';
import {
  desiredState,
  managedPolicyArn,
  MANAGED_TAG,
  type AccessFinding,
  type AccessModel,
  type FederationContext,
  type LiveAccountIam,
  type LiveIdentityCenter,
  type LiveKeyway,
  type LiveState,
  type ManagedPolicyInfo,
} from '../../core/index.js';
import type { AwsConnections } from './connections.js';
import { inPool, RateLimiter } from './pacing.js';
import { readAccountIam } from './read-iam.js';
import { readIdentityCenter } from './read-idc.js';
import { readOrganization } from './read-org.js';

export interface ReadLiveInput {
  readonly aws: AwsConnections;
  readonly model: AccessModel;
  readonly keyway: LiveKeyway;
  readonly federation: FederationContext | null;
  readonly now: Date;
  /** Identity Center's collective limit is 20 calls per second (IAM Identity Center quotas). */
  readonly idcCallsPerSecond?: number;
  readonly concurrency?: number;
  /** Read the assignments of every permission set, not only Keyway's (for the matrix). */
  readonly allAssignments?: boolean;
  readonly progress?: (line: string) => void;
}

const usesTags = (model: AccessModel): boolean => {
  const sels = [
    ...[...model.accounts.values()].flat(),
    ...model.grants.flatMap((g) => (g.accounts.kind === 'inline' ? [g.accounts.selector] : [])),
  ];
  const walk = (s: { tags?: unknown; exclude?: readonly unknown[] }): boolean =>
    s.tags !== undefined || (s.exclude ?? []).some((x) => walk(x as { tags?: unknown }));
  return sels.some(walk);
};

export async function readLiveState(input: ReadLiveInput): Promise<LiveState> {
  const { aws, model } = input;
  const progress = input.progress ?? (() => {});
  const concurrency = input.concurrency ?? 8;
  const org = await readOrganization(aws.organizations, { tags: usesTags(model), progress });
  const { desired } = desiredState({ model, org, now: input.now, federation: input.federation, includeExpired: true });
  const inst = model.settings.installation;
  const wantedPs = new Set(desired.permissionSets.map((p) => p.name));
  const adopted = new Set(model.adopt.permissionSets);
  const needsIdc =
    model.grants.some((g) => g.delivery === 'identity-center') || adopted.size > 0 || input.allAssignments;
  let idc: LiveIdentityCenter | null = null;
  try {
    idc = await readIdentityCenter(aws, {
      detail: (name, tags) => tags[MANAGED_TAG] === inst || wantedPs.has(name) || adopted.has(name),
      allAssignments: input.allAssignments ?? false,
      limiter: new RateLimiter(input.idcCallsPerSecond ?? 20),
      concurrency,
      progress,
    });
  } catch (e) {
    if (needsIdc) throw e;
  }
  const fedAccounts = new Set(desired.federatedAccounts.map((a) => a.id));
  for (const b of input.keyway.bindings) if (b.rolePath === model.settings.rolePath) fedAccounts.add(b.accountId);
  const providers = new Map(desired.providers.map((p) => [p.arn.split(':')[4] ?? '', p]));
  const iam: LiveAccountIam[] = await inPool([...fedAccounts].sort(), 4, async (accountId) => {
    const { iam } = await aws.account(accountId);
    return readAccountIam(
      iam,
      accountId,
      providers.get(accountId) ?? null,
      model.settings.rolePath,
      desired.roles.filter((r) => r.accountId === accountId).map((r) => r.name),
    );
  });
  if (iam.length) progress(`read IAM in ${iam.length} accounts`);
  return { org, idc, iam, keyway: input.keyway };
}

/** An AWS-managed policy the file names must exist (read once per distinct name from the management account). */
export async function checkManagedPolicies(aws: AwsConnections, model: AccessModel): Promise<AccessFinding[]> {
  const uses = new Map<string, { at: AccessFinding['at']; permission: string }>();
  for (const p of model.permissions.values()) {
    for (const m of p.managed) if (!uses.has(m)) uses.set(m, { at: p.fieldAt.managed ?? p.at, permission: p.name });
    if (p.boundary && 'managed' in p.boundary && !uses.has(p.boundary.managed))
      uses.set(p.boundary.managed, { at: p.fieldAt.boundary ?? p.at, permission: p.name });
  }
  if (uses.size === 0) return [];
  const { iam } = await aws.account(await aws.managementAccountId());
  const findings: AccessFinding[] = [];
  await inPool([...uses.entries()], 4, async ([name, use]) => {
    try {
      await iam.send(new GetPolicyCommand({ PolicyArn: managedPolicyArn(name) }));
    } catch (e) {
      if (!(e instanceof NoSuchEntityException)) throw e;
      findings.push({
        severity: 'error',
        rule: 'unknown-managed-policy',
        message: `permission ${use.permission}: AWS has no managed policy ${managedPolicyArn(name)}`,
        at: use.at,
      });
    }
  });
  return findings;
}

/** Descriptions and default-version documents of AWS-managed policies, for generated docs; unknown names are skipped. */
export async function managedPolicyInfo(
  aws: AwsConnections,
  names: readonly string[],
): Promise<Map<string, ManagedPolicyInfo>> {
  const { iam } = await aws.account(await aws.managementAccountId());
  const out = new Map<string, ManagedPolicyInfo>();
  await inPool(names, 4, async (name) => {
    try {
      const p = (await iam.send(new GetPolicyCommand({ PolicyArn: managedPolicyArn(name) }))).Policy;
      let document: unknown = null;
      if (p?.DefaultVersionId) {
        // Without the document (an endpoint that does not serve policy versions) the page names the policy only.
        document = await iam
          .send(new GetPolicyVersionCommand({ PolicyArn: managedPolicyArn(name), VersionId: p.DefaultVersionId }))
          .then((v) => decodePolicyDocument(v.PolicyVersion?.Document))
          .catch(() => null);
      }
      out.set(name, { description: p?.Description ?? null, document });
    } catch (e) {
      if (!(e instanceof NoSuchEntityException)) throw e;
    }
  });
  return out;
}
