import type { Group, User } from '../directory/types.js';
import type { AwsIamAppConfig } from './aws-iam-app.js';
import { roleSessionNameOf, userValue } from './aws-attributes.js';
import type { AwsAccount, RoleBinding } from './bindings.js';
import { compareRoles, resolveRoles } from './bindings.js';
import { checkSourceIdentity, checkTagValue, roleArn } from './aws-names.js';
import { isDomainError } from '../errors.js';

export interface BindingSource {
  readonly bindingId: string;
  readonly groupId: string;
  readonly groupName: string;
  /** False when the user is in the group only through a nested group; null when not known. */
  readonly direct: boolean | null;
}

export interface ExplainedRole {
  readonly accountId: string;
  readonly accountName: string | null;
  readonly roleName: string;
  readonly rolePath: string;
  readonly roleArn: string;
}

export interface ReceivedRole extends ExplainedRole {
  readonly providerArn: string;
  readonly via: readonly BindingSource[];
}

export type DenialReason =
  | { readonly code: 'user_suspended' }
  | { readonly code: 'not_in_group'; readonly groups: readonly { id: string; name: string }[] }
  | { readonly code: 'no_binding' }
  | { readonly code: 'unknown_account' }
  | { readonly code: 'not_assigned_to_app'; readonly app: string };

export interface DeniedRole extends ExplainedRole {
  readonly reasons: readonly DenialReason[];
}

export interface Explanation {
  readonly user: { readonly id: string; readonly userName: string; readonly status: User['status'] };
  readonly groups: readonly { id: string; name: string }[];
  readonly received: readonly ReceivedRole[];
  readonly notReceived: readonly DeniedRole[];
  /** Values that would make AWS reject the assertion (RoleSessionName, SourceIdentity, tags). */
  readonly problems: readonly string[];
}

export interface ExplainInput {
  readonly user: User;
  readonly effectiveGroups: readonly Group[];
  /** The user's direct groups, to tell direct from nested membership. */
  readonly directGroupIds?: ReadonlySet<string>;
  readonly allGroups: ReadonlyMap<string, Group>;
  readonly bindings: readonly RoleBinding[];
  readonly accounts: readonly AwsAccount[];
  readonly config: AwsIamAppConfig;
  /** When the AWS app is restricted to some groups and the user is in none of them. */
  readonly appAccess?: { readonly app: string; readonly allowed: boolean };
  /** A role asked about explicitly (`--account --role`), reported even when no binding names it. */
  readonly ask?: { readonly accountId: string; readonly roleName: string; readonly rolePath?: string };
}

/** "Why can (or can't) alice reach this role?" — built from the same resolution the assertion uses. */
export function explain(input: ExplainInput): Explanation {
  const { user, config } = input;
  const accountName = (id: string): string | null => input.accounts.find((a) => a.id === id)?.name ?? null;
  const knownAccount = (id: string): boolean => input.accounts.some((a) => a.id === id);
  const groupName = (id: string): string => input.allGroups.get(id)?.displayName ?? id;
  const active = user.status === 'active';
  const allowed = input.appAccess?.allowed ?? true;
  const effective = input.effectiveGroups.map((g) => g.id);
  const resolved = resolveRoles(effective, input.bindings, config);
  const byBinding = new Map(input.bindings.map((b) => [b.id, b]));

  const received: ReceivedRole[] = [];
  const notReceived: DeniedRole[] = [];
  const gateReasons = (): DenialReason[] => {
    const r: DenialReason[] = [];
    if (!active) r.push({ code: 'user_suspended' });
    if (!allowed) r.push({ code: 'not_assigned_to_app', app: input.appAccess?.app ?? 'AWS' });
    return r;
  };
  for (const role of resolved) {
    const base = {
      accountId: role.accountId,
      accountName: accountName(role.accountId),
      roleName: role.roleName,
      rolePath: role.rolePath,
      roleArn: role.roleArn,
    };
    const gates = gateReasons();
    if (!knownAccount(role.accountId)) gates.push({ code: 'unknown_account' });
    if (gates.length > 0) {
      notReceived.push({ ...base, reasons: gates });
      continue;
    }
    const via = role.bindingIds.map((id) => {
      const b = byBinding.get(id)!;
      return {
        bindingId: id,
        groupId: b.groupId,
        groupName: groupName(b.groupId),
        direct: input.directGroupIds ? input.directGroupIds.has(b.groupId) : null,
      };
    });
    received.push({ ...base, providerArn: role.providerArn, via });
  }

  const reached = new Set(resolved.map((r) => `${r.accountId}:${r.roleName.toLowerCase()}`));
  const missing = new Map<string, { b: RoleBinding; groups: Map<string, string> }>();
  for (const b of input.bindings) {
    const key = `${b.accountId}:${b.roleName.toLowerCase()}`;
    if (reached.has(key)) continue;
    const hit = missing.get(key) ?? { b, groups: new Map<string, string>() };
    hit.groups.set(b.groupId, groupName(b.groupId));
    missing.set(key, hit);
  }
  for (const { b, groups } of missing.values()) {
    const reasons: DenialReason[] = [
      ...gateReasons(),
      {
        code: 'not_in_group',
        groups: [...groups].map(([id, name]) => ({ id, name })).sort((x, y) => x.name.localeCompare(y.name)),
      },
    ];
    notReceived.push({
      accountId: b.accountId,
      accountName: accountName(b.accountId),
      roleName: b.roleName,
      rolePath: b.rolePath,
      roleArn: roleArn(b.accountId, b.rolePath, b.roleName),
      reasons,
    });
  }
  if (input.ask) {
    const key = `${input.ask.accountId}:${input.ask.roleName.toLowerCase()}`;
    if (!reached.has(key) && !missing.has(key)) {
      const reasons: DenialReason[] = [...gateReasons(), { code: 'no_binding' }];
      if (!knownAccount(input.ask.accountId)) reasons.push({ code: 'unknown_account' });
      const path = input.ask.rolePath ?? '/';
      notReceived.push({
        accountId: input.ask.accountId,
        accountName: accountName(input.ask.accountId),
        roleName: input.ask.roleName,
        rolePath: path,
        roleArn: roleArn(input.ask.accountId, path, input.ask.roleName),
        reasons,
      });
    }
  }

  const problems: string[] = [];
  const collect = (fn: () => unknown): void => {
    try {
      fn();
    } catch (e) {
      if (!isDomainError(e)) throw e;
      problems.push(e.message);
    }
  };
  collect(() => roleSessionNameOf(user, config));
  if (config.sourceIdentityFrom !== null) {
    const from = config.sourceIdentityFrom;
    collect(() => checkSourceIdentity(userValue(user, from), `SourceIdentity (from ${from})`));
  }
  for (const tag of config.principalTags) {
    collect(() => {
      const v = userValue(user, tag.from);
      if (v !== undefined && v !== '') checkTagValue(v, `PrincipalTag:${tag.key}`);
    });
  }
  return {
    user: { id: user.id, userName: user.userName, status: user.status },
    groups: input.effectiveGroups
      .map((g) => ({ id: g.id, name: g.displayName }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    received,
    notReceived: notReceived.sort(compareRoles),
    problems,
  };
}
