import { DomainError } from '../errors.js';
import type { AwsIamAppConfig } from './aws-iam-app.js';
import { providerNameFor } from './aws-iam-app.js';
import {
  checkAccountId,
  checkAccountName,
  checkRoleName,
  checkRolePath,
  checkRolePathAndName,
  roleArn,
  samlProviderArn,
} from './aws-names.js';

/** An AWS account Keyway knows, so people can say "prod" instead of a 12-digit id. */
export interface AwsAccount {
  readonly id: string;
  /** Unique case-insensitively. */
  readonly name: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface NewAwsAccount {
  readonly id: string;
  readonly name: string;
}

/** "Members of group G may assume role R in account N." */
export interface RoleBinding {
  readonly id: string;
  readonly groupId: string;
  readonly accountId: string;
  readonly roleName: string;
  /** `/` unless the role lives under a path. */
  readonly rolePath: string;
  readonly createdAt: string;
}

export interface NewRoleBinding {
  readonly groupId: string;
  readonly accountId: string;
  readonly roleName: string;
  readonly rolePath?: string;
}

export function validateNewAccount(input: NewAwsAccount): NewAwsAccount {
  return { id: checkAccountId(input.id, 'id'), name: checkAccountName(input.name, 'name') };
}

export function validateNewBinding(input: NewRoleBinding): Required<NewRoleBinding> {
  if (typeof input.groupId !== 'string' || input.groupId.length === 0) {
    throw new DomainError('invalid_input', 'a binding needs a group', [{ at: 'groupId', message: 'required' }]);
  }
  const accountId = checkAccountId(input.accountId);
  const roleName = checkRoleName(input.roleName);
  const rolePath = checkRolePath(input.rolePath ?? '/');
  checkRolePathAndName(rolePath, roleName);
  return { groupId: input.groupId, accountId, roleName, rolePath };
}

/** One value of the `https://aws.amazon.com/SAML/Attributes/Role` attribute, with where it came from. */
export interface ResolvedRole {
  readonly accountId: string;
  readonly roleName: string;
  readonly rolePath: string;
  readonly roleArn: string;
  readonly providerArn: string;
  /** `role-arn,provider-arn`, the order AWS documents. */
  readonly value: string;
  /** Bindings that grant it, in a stable order. */
  readonly bindingIds: readonly string[];
  readonly groupIds: readonly string[];
}

/** IAM role names are unique case-insensitively per account (reference_iam-quotas), so dedupe that way. */
const roleKey = (b: { accountId: string; roleName: string }): string => `${b.accountId}:${b.roleName.toLowerCase()}`;

/**
 * The roles a user reaches through any of their effective groups: one per role, deduplicated, ordered by
 * account id then role path and name so that the same directory state always yields the same assertion.
 * Runs in O(bindings) with one set lookup each, so a user in many groups with many bindings stays cheap.
 */
export function resolveRoles(
  effectiveGroupIds: Iterable<string>,
  bindings: readonly RoleBinding[],
  config: Pick<AwsIamAppConfig, 'samlProviderName' | 'samlProviderNames'>,
): ResolvedRole[] {
  const groups =
    effectiveGroupIds instanceof Set ? (effectiveGroupIds as ReadonlySet<string>) : new Set(effectiveGroupIds);
  const byRole = new Map<string, { b: RoleBinding; bindingIds: string[]; groupIds: string[]; pathName: string }>();
  for (const b of bindings) {
    if (!groups.has(b.groupId)) continue;
    const key = roleKey(b);
    const hit = byRole.get(key);
    if (hit) {
      hit.bindingIds.push(b.id);
      if (!hit.groupIds.includes(b.groupId)) hit.groupIds.push(b.groupId);
    } else {
      byRole.set(key, { b, bindingIds: [b.id], groupIds: [b.groupId], pathName: b.rolePath + b.roleName });
    }
  }
  // The order of compareRoles, with path + name built once per role rather than per comparison, and one
  // provider ARN per account: a user with hundreds of roles signs in often.
  const entries = [...byRole.values()].sort((x, y) =>
    x.b.accountId !== y.b.accountId
      ? x.b.accountId < y.b.accountId
        ? -1
        : 1
      : x.pathName < y.pathName
        ? -1
        : x.pathName > y.pathName
          ? 1
          : 0,
  );
  const hasOverrides = Object.keys(config.samlProviderNames).length > 0;
  const roles: ResolvedRole[] = new Array(entries.length);
  let lastAccount = '';
  let pArn = '';
  for (let i = 0; i < entries.length; i++) {
    const { b, bindingIds, groupIds } = entries[i]!;
    // Sorted by account, so the provider ARN changes only at an account boundary.
    if (b.accountId !== lastAccount) {
      lastAccount = b.accountId;
      pArn = samlProviderArn(
        b.accountId,
        hasOverrides ? providerNameFor(config as AwsIamAppConfig, b.accountId) : config.samlProviderName,
      );
    }
    const rArn = roleArn(b.accountId, b.rolePath, b.roleName);
    roles[i] = {
      accountId: b.accountId,
      roleName: b.roleName,
      rolePath: b.rolePath,
      roleArn: rArn,
      providerArn: pArn,
      value: `${rArn},${pArn}`,
      bindingIds: bindingIds.length > 1 ? bindingIds.sort() : bindingIds,
      groupIds: groupIds.length > 1 ? groupIds.sort() : groupIds,
    };
  }
  return roles;
}

/** What the sign-in path needs of a binding: the role, not which binding or group granted it. */
export interface BoundRole {
  readonly accountId: string;
  readonly rolePath: string;
  readonly roleName: string;
}

/**
 * The Role attribute values (`role-arn,provider-arn`) for roles already filtered to the user's groups: the same
 * values, deduplication and order as resolveRoles, without the per-role provenance an assertion does not carry.
 */
export function roleValues(
  bound: readonly BoundRole[],
  config: Pick<AwsIamAppConfig, 'samlProviderName' | 'samlProviderNames'>,
): string[] {
  const byRole = new Map<string, { r: BoundRole; pathName: string }>();
  for (const r of bound) {
    const key = roleKey(r);
    if (!byRole.has(key)) byRole.set(key, { r, pathName: r.rolePath + r.roleName });
  }
  const entries = [...byRole.values()].sort((x, y) =>
    x.r.accountId !== y.r.accountId
      ? x.r.accountId < y.r.accountId
        ? -1
        : 1
      : x.pathName < y.pathName
        ? -1
        : x.pathName > y.pathName
          ? 1
          : 0,
  );
  const hasOverrides = Object.keys(config.samlProviderNames).length > 0;
  const values: string[] = new Array(entries.length);
  let lastAccount = '';
  let pArn = '';
  for (let i = 0; i < entries.length; i++) {
    const { r } = entries[i]!;
    if (r.accountId !== lastAccount) {
      lastAccount = r.accountId;
      pArn = samlProviderArn(
        r.accountId,
        hasOverrides ? providerNameFor(config as AwsIamAppConfig, r.accountId) : config.samlProviderName,
      );
    }
    values[i] = `${roleArn(r.accountId, r.rolePath, r.roleName)},${pArn}`;
  }
  return values;
}

export function compareRoles(
  a: { accountId: string; rolePath: string; roleName: string },
  b: { accountId: string; rolePath: string; roleName: string },
): number {
  if (a.accountId !== b.accountId) return a.accountId < b.accountId ? -1 : 1;
  const an = a.rolePath + a.roleName;
  const bn = b.rolePath + b.roleName;
  return an < bn ? -1 : an > bn ? 1 : 0;
}

/** Finds an account by 12-digit id or by name (case-insensitive); the error lists what is known. */
export function findAccount(accounts: readonly AwsAccount[], idOrName: string): AwsAccount {
  const byId = accounts.find((a) => a.id === idOrName);
  if (byId) return byId;
  const lower = idOrName.toLowerCase();
  const byName = accounts.find((a) => a.name.toLowerCase() === lower);
  if (byName) return byName;
  const known = accounts.map((a) => `${a.name} (${a.id})`).join(', ') || 'none';
  throw new DomainError('not_found', `unknown AWS account ${JSON.stringify(idOrName)}; known accounts: ${known}`, [
    { at: 'account', message: 'unknown account' },
  ]);
}
