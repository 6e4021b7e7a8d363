/**
 * What the access file asks of AWS and of Keyway's bindings, given the organisation as it is now: permission
 * sets and assignments (identity-center), roles, SAML providers and bindings (iam-federation).
 */
import type { AwsIamAppConfig } from '../aws-iam-app.js';
import { providerNameFor } from '../aws-iam-app.js';
import { roleArn } from '../aws-names.js';
import { desiredIamState, type DesiredProvider, type MetadataFingerprint } from '../iam-plan.js';
import { samlTrustPolicy, type PolicyDocument } from '../trust-policy.js';
import type { AccessFinding, AccessModel, Boundary, CustomerManagedRef, Delivery, Grant, Permission } from './model.js';
import { normaliseSessionDuration } from './parse-file.js';
import { resolveGrants, type OrgAccount, type OrgSnapshot, type ResolvedGrant } from './org.js';

export const managedPolicyArn = (name: string): string => `arn:aws:iam::aws:policy/${name}`;
export const customerPolicyArn = (accountId: string, ref: CustomerManagedRef): string =>
  `arn:aws:iam::${accountId}:policy${ref.path}${ref.name}`;

export interface DesiredPermissionSet {
  readonly name: string;
  readonly description: string;
  readonly sessionDuration: string;
  readonly managedArns: readonly string[];
  readonly inline: PolicyDocument | null;
  readonly customerManaged: readonly CustomerManagedRef[];
  readonly boundary: Boundary | null;
}

export interface DesiredAssignment {
  readonly accountId: string;
  readonly permissionSet: string;
  readonly group: string;
  readonly grants: readonly number[];
}

export interface DesiredAccessRole {
  readonly accountId: string;
  readonly permission: string;
  readonly name: string;
  readonly path: string;
  readonly arn: string;
  readonly description: string;
  readonly trustPolicy: PolicyDocument;
  readonly inline: PolicyDocument | null;
  readonly managedArns: readonly string[];
  readonly boundaryArn: string | null;
  readonly maxSessionDuration: number;
}

export interface DesiredBinding {
  readonly group: string;
  readonly accountId: string;
  readonly accountName: string;
  readonly roleName: string;
  readonly rolePath: string;
  readonly grants: readonly number[];
}

export interface DesiredState {
  readonly permissionSets: readonly DesiredPermissionSet[];
  readonly assignments: readonly DesiredAssignment[];
  readonly providers: readonly DesiredProvider[];
  readonly roles: readonly DesiredAccessRole[];
  readonly bindings: readonly DesiredBinding[];
  /** Accounts that iam-federation grants reach, which Keyway must know by name for its bindings. */
  readonly federatedAccounts: readonly OrgAccount[];
}

/** What iam-federation needs from Keyway: its AWS IAM application and current IdP metadata. */
export interface FederationContext {
  readonly config: AwsIamAppConfig;
  readonly metadataXml: string;
  readonly fingerprint: MetadataFingerprint;
}

export const INLINE_ROLE_POLICY_NAME = 'keyway';

const describe = (p: Permission): string => p.description ?? `Keyway access: ${p.name}`;

/** Grants in force at `now`; an expired grant is as if it were not written (its removals are labelled). */
export const isActive = (g: Grant, now: Date): boolean => g.until === null || Date.parse(g.until) > now.getTime();

function permissionSetOf(p: Permission): DesiredPermissionSet {
  return {
    name: p.name,
    description: describe(p),
    sessionDuration: p.sessionDuration,
    managedArns: p.managed.map(managedPolicyArn).sort(),
    inline: p.inline,
    customerManaged: [...p.customerManaged].sort((a, b) => `${a.path}${a.name}`.localeCompare(`${b.path}${b.name}`)),
    boundary: p.boundary,
  };
}

function roleOf(p: Permission, account: OrgAccount, model: AccessModel, fed: FederationContext): DesiredAccessRole {
  const providerName = providerNameFor(fed.config, account.id);
  const path = model.settings.rolePath;
  return {
    accountId: account.id,
    permission: p.name,
    name: p.name,
    path,
    arn: roleArn(account.id, path, p.name),
    description: describe(p),
    trustPolicy: samlTrustPolicy({
      accountId: account.id,
      providerName,
      signInUrl: fed.config.signInUrl,
      sendsTags: fed.config.principalTags.length > 0,
      sendsSourceIdentity: fed.config.sourceIdentityFrom !== null,
    }),
    inline: p.inline,
    managedArns: [
      ...p.managed.map(managedPolicyArn),
      ...p.customerManaged.map((c) => customerPolicyArn(account.id, c)),
    ].sort(),
    boundaryArn: p.boundary
      ? 'managed' in p.boundary
        ? managedPolicyArn(p.boundary.managed)
        : customerPolicyArn(account.id, p.boundary.customerManaged)
      : null,
    maxSessionDuration: normaliseSessionDuration(p.sessionDuration)?.seconds ?? 3600,
  };
}

export interface DesiredInput {
  readonly model: AccessModel;
  readonly org: OrgSnapshot;
  readonly now: Date;
  readonly federation: FederationContext | null;
  /** Keep expired grants (to tell which removals are expiries). */
  readonly includeExpired?: boolean;
}

export function desiredState(input: DesiredInput): {
  desired: DesiredState;
  resolved: ResolvedGrant[];
  findings: AccessFinding[];
} {
  const { model, org, now, federation } = input;
  const { grants: resolved, findings } = resolveGrants(model, org);
  const active = resolved.filter((r) => input.includeExpired || isActive(r.grant, now));
  const psNames = new Set<string>();
  const assignments = new Map<string, { a: DesiredAssignment; grants: number[] }>();
  const roles = new Map<string, DesiredAccessRole>();
  const bindings = new Map<string, { b: DesiredBinding; grants: number[] }>();
  const fedAccounts = new Map<string, OrgAccount>();
  const usesFederation = model.grants.some((g) => g.delivery === 'iam-federation');
  if (usesFederation && federation === null)
    findings.push({
      severity: 'error',
      rule: 'no-aws-iam-app',
      message: 'iam-federation grants need an AWS IAM application in Keyway (keyway apps create --type aws-iam …)',
      at: model.grants.find((g) => g.delivery === 'iam-federation')?.at ?? null,
    });
  for (const { grant, accounts } of active) {
    const p = model.permissions.get(grant.permission);
    if (!p) continue;
    for (const account of accounts) {
      if (grant.delivery === 'identity-center') {
        psNames.add(p.name);
        const key = `${account.id}|${p.name}|${grant.group.toLowerCase()}`;
        const hit = assignments.get(key);
        if (hit) hit.grants.push(grant.index);
        else
          assignments.set(key, {
            a: { accountId: account.id, permissionSet: p.name, group: grant.group, grants: [] },
            grants: [grant.index],
          });
      } else if (federation) {
        fedAccounts.set(account.id, account);
        const role = roleOf(p, account, model, federation);
        roles.set(`${account.id}|${role.name.toLowerCase()}`, role);
        const key = `${account.id}|${role.name.toLowerCase()}|${grant.group.toLowerCase()}`;
        const hit = bindings.get(key);
        if (hit) hit.grants.push(grant.index);
        else
          bindings.set(key, {
            b: {
              group: grant.group,
              accountId: account.id,
              accountName: account.name,
              roleName: role.name,
              rolePath: role.path,
              grants: [],
            },
            grants: [grant.index],
          });
      }
    }
  }
  const providers = federation
    ? [...fedAccounts.keys()].sort().map(
        (accountId) =>
          desiredIamState({
            accountId,
            config: federation.config,
            bindings: [],
            metadataXml: federation.metadataXml,
            fingerprint: federation.fingerprint,
          }).provider,
      )
    : [];
  const byKey = <T>(m: Map<string, T>): T[] =>
    [...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, v]) => v);
  return {
    desired: {
      permissionSets: [...psNames].sort().map((n) => permissionSetOf(model.permissions.get(n) as Permission)),
      assignments: byKey(assignments).map(({ a, grants }) => ({ ...a, grants })),
      providers,
      roles: byKey(roles),
      bindings: byKey(bindings).map(({ b, grants }) => ({ ...b, grants })),
      federatedAccounts: [...fedAccounts.values()].sort((a, b) => a.id.localeCompare(b.id)),
    },
    resolved,
    findings,
  };
}

/** Deliveries the file uses, so the adapters read only what is needed. */
export const deliveriesOf = (model: AccessModel): Set<Delivery> => new Set(model.grants.map((g) => g.delivery));
