import { createHash } from 'node:crypto';
import { AwsServiceError } from '../../http/contract.js';
import type { AccountDirectory, EmulatorLogger, IamRoleInfo, IamWriter } from '../../world-contract.js';
import type { IdcInstance } from '../instance.js';
import {
  provisionedKey,
  type CustomerManagedPolicyReference,
  type PermissionSetRecord,
  type SsoAdminState,
} from './model.js';

/**
 * Turns a permission set into the role Identity Center keeps in each member account ([doc] SSOUG-2022
 * IAM Identity Center User Guide, "Using service-linked roles for IAM Identity Center"):
 * `AWSReservedSSO_<PermissionSet>_<16 hex>` at
 * `/aws-reserved/sso.amazonaws.com/[region/]`, MaxSessionDuration 12 h, protected from IAM, trusting the
 * account's `AWSSSO_<hex>_DO_NOT_DELETE` SAML provider.
 */
export const INLINE_POLICY_NAME = 'AwsSSOInlinePolicy';
export const ROLE_MAX_SESSION = 43200;

const hex16 = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 16);

export function reservedRoleName(inst: IdcInstance, ps: PermissionSetRecord): string {
  return `AWSReservedSSO_${ps.name}_${hex16(`${inst.instanceArn}|${ps.arn}`)}`;
}

export function reservedRolePath(inst: IdcInstance): string {
  return inst.region === 'us-east-1'
    ? '/aws-reserved/sso.amazonaws.com/'
    : `/aws-reserved/sso.amazonaws.com/${inst.region}/`;
}

export function samlProviderName(inst: IdcInstance): string {
  return `AWSSSO_${hex16(inst.instanceArn)}_DO_NOT_DELETE`;
}

export function samlProviderArn(inst: IdcInstance, accountId: string): string {
  return `arn:aws:iam::${accountId}:saml-provider/${samlProviderName(inst)}`;
}

function trustPolicy(inst: IdcInstance, accountId: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: samlProviderArn(inst, accountId) },
        Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'],
        Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } },
      },
    ],
  });
}

const cmpArn = (accountId: string, ref: CustomerManagedPolicyReference): string =>
  `arn:aws:iam::${accountId}:policy${ref.Path}${ref.Name}`;

export type ProvisionOutcome =
  | { readonly ok: true; readonly role: IamRoleInfo }
  | { readonly ok: false; readonly reason: string };

export class Provisioner {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly inst: IdcInstance,
    private readonly state: SsoAdminState,
    private readonly iam: IamWriter,
    private readonly accounts: AccountDirectory,
    private readonly log: EmulatorLogger,
    private readonly delayMs: number,
    /** Identity Center's IdP metadata for the account SAML provider its roles trust. */
    private readonly accountIdpMetadata: () => string,
  ) {}

  /** Runs `fn` after the configured delay, so callers see IN_PROGRESS first, as with AWS. */
  later(fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      try {
        fn();
      } catch (e) {
        this.log.warn('identity-center-async-failed', { error: String(e) });
      }
    }, this.delayMs);
    t.unref();
    this.timers.add(t);
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /**
   * Creates or replaces the permission set's role in one account with its current policies, after making sure
   * the account has the `AWSSSO_…_DO_NOT_DELETE` SAML provider the role's trust policy names.
   */
  provision(ps: PermissionSetRecord, accountId: string): ProvisionOutcome {
    const account = this.accounts.getAccount(accountId);
    if (account?.status !== 'ACTIVE')
      return { ok: false, reason: `Account ${accountId} is not an active member of the organization.` };
    const refs = [...ps.customerManagedPolicies];
    if (ps.boundary && 'CustomerManagedPolicyReference' in ps.boundary)
      refs.push(ps.boundary.CustomerManagedPolicyReference);
    for (const ref of refs) {
      if (!this.iam.hasCustomerManagedPolicy(accountId, ref.Name, ref.Path)) {
        return {
          ok: false,
          reason: `Received a 404 status error: Policy name: ${ref.Name} does not exist or is not attachable.`,
        };
      }
    }
    const roleName = reservedRoleName(this.inst, ps);
    let boundaryArn: string | undefined;
    if (ps.boundary)
      boundaryArn =
        'ManagedPolicyArn' in ps.boundary
          ? ps.boundary.ManagedPolicyArn
          : cmpArn(accountId, ps.boundary.CustomerManagedPolicyReference);
    try {
      this.iam.ensureSamlProvider(accountId, samlProviderName(this.inst), this.accountIdpMetadata());
      const role = this.iam.putRole(accountId, {
        name: roleName,
        path: reservedRolePath(this.inst),
        assumeRolePolicyDocument: trustPolicy(this.inst, accountId),
        maxSessionDuration: ROLE_MAX_SESSION,
        inlinePolicies: ps.inlinePolicy !== undefined ? { [INLINE_POLICY_NAME]: ps.inlinePolicy } : {},
        managedPolicyArns: [...ps.managedPolicyArns, ...ps.customerManagedPolicies.map((r) => cmpArn(accountId, r))],
        ...(boundaryArn !== undefined ? { permissionsBoundaryArn: boundaryArn } : {}),
        protected: true,
      });
      const existing = this.state.provisioned.get(provisionedKey(ps.arn, accountId));
      this.state.putProvisioned({
        accountId,
        permissionSetArn: ps.arn,
        version: ps.version,
        roleName,
        seq: existing?.seq ?? this.state.nextSeq(),
      });
      return { ok: true, role };
    } catch (e) {
      if (e instanceof AwsServiceError)
        return { ok: false, reason: `Received a ${e.status} status error: ${e.message}` };
      throw e;
    }
  }

  /**
   * A deleted user or group takes its account assignments with it, as in Identity Center (a group deleted and
   * re-created is a new principal with no assignments); roles left without any assignment are removed.
   */
  removePrincipal(type: 'USER' | 'GROUP', principalId: string): void {
    const gone = [...this.state.assignments.entries()].filter(
      ([, a]) => a.principalType === type && a.principalId === principalId,
    );
    for (const [key, a] of gone) {
      this.state.deleteAssignment(key);
      const ps = this.state.permissionSets.get(a.permissionSetArn);
      if (ps && this.state.assignmentsFor(a.accountId, ps.arn).length === 0) this.deprovision(ps, a.accountId);
    }
  }

  /** Removes the role once no assignment of the permission set remains in the account. */
  deprovision(ps: PermissionSetRecord, accountId: string): void {
    const key = provisionedKey(ps.arn, accountId);
    const rec = this.state.provisioned.get(key);
    if (!rec) return;
    this.iam.deleteRole(accountId, rec.roleName);
    this.state.deleteProvisioned(key);
  }
}
