import type { IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import {
  DEFAULT_INSTALLATION,
  DomainError,
  desiredIamState,
  diffIam,
  type AwsIamAppConfig,
  type IamChange,
  type IamPlan,
  type IamPlanFinding,
  type RoleBinding,
} from '../core/index.js';
import { applyIamChange } from './access/apply.js';
import { readLiveIamState } from './iam-live.js';
import { metadataFingerprint } from './metadata-fingerprint.js';

export interface AccountConnection {
  readonly accountId: string;
  readonly iam: IAMClient;
  /** When given, the credentials are checked to belong to `accountId` before anything is read or written. */
  readonly sts?: STSClient;
}

export interface PlanInput {
  readonly accounts: readonly AccountConnection[];
  readonly config: AwsIamAppConfig;
  readonly bindings: readonly RoleBinding[];
  /** Keyway's current IdP metadata, exactly as AWS will store it. */
  readonly metadataXml: string;
  readonly now?: Date;
}

/** Refuses to touch an account through credentials of another one (a wrong profile is a classic mistake). */
async function checkAccount(c: AccountConnection): Promise<void> {
  if (!c.sts) return;
  const who = await c.sts.send(new GetCallerIdentityCommand({}));
  if (who.Account !== c.accountId) {
    throw new DomainError(
      'precondition_failed',
      `the AWS credentials belong to account ${who.Account ?? 'unknown'} (${who.Arn ?? ''}), not ${c.accountId}; choose the right profile or credentials`,
    );
  }
}

/** Reads live state and diffs it; nothing is written. */
export async function planIamSetup(input: PlanInput): Promise<IamPlan> {
  const fingerprint = metadataFingerprint(input.metadataXml);
  if (fingerprint === null || fingerprint.certificates.length === 0) {
    throw new DomainError('invalid_input', 'Keyway IdP metadata has no entity ID or no signing certificate');
  }
  const changes: IamChange[] = [];
  const findings: IamPlanFinding[] = [];
  for (const c of input.accounts) {
    await checkAccount(c);
    const desired = desiredIamState({
      accountId: c.accountId,
      config: input.config,
      bindings: input.bindings,
      metadataXml: input.metadataXml,
      fingerprint,
    });
    if (desired.roles.length === 0)
      findings.push({
        severity: 'warning',
        accountId: c.accountId,
        message: `no binding names a role in ${c.accountId}; only the SAML provider is managed`,
      });
    const live = await readLiveIamState(c.iam, desired);
    const d = diffIam(desired, live, input.now);
    changes.push(...d.changes);
    findings.push(...d.findings);
  }
  return { formatVersion: 1, accounts: input.accounts.map((a) => a.accountId), changes, findings };
}

export type ApplyProgress = (event: { readonly change: IamChange; readonly status: 'started' | 'done' }) => void;

export interface ApplyResult {
  readonly applied: readonly IamChange[];
}

/** Performs a plan's changes in order (providers before the roles that trust them). Stops at the first error. */
export async function applyIamPlan(
  plan: IamPlan,
  accounts: readonly AccountConnection[],
  progress?: ApplyProgress,
): Promise<ApplyResult> {
  if (plan.findings.some((f) => f.severity === 'error')) {
    throw new DomainError(
      'precondition_failed',
      `the plan has errors; fix them first: ${plan.findings
        .filter((f) => f.severity === 'error')
        .map((f) => f.message)
        .join('; ')}`,
    );
  }
  const byAccount = new Map(accounts.map((a) => [a.accountId, a]));
  const ordered = [...plan.changes].sort((a, b) => rank(a) - rank(b));
  const applied: IamChange[] = [];
  for (const change of ordered) {
    const conn = byAccount.get(change.accountId);
    if (!conn) throw new DomainError('invalid_input', `no AWS connection for account ${change.accountId}`);
    progress?.({ change, status: 'started' });
    // The access plane's executor: one implementation of every IAM write Keyway makes.
    await applyIamChange(conn.iam, change, DEFAULT_INSTALLATION);
    applied.push(change);
    progress?.({ change, status: 'done' });
  }
  return { applied };
}

const rank = (c: IamChange): number => (c.resource === 'saml-provider' ? 0 : 1);
