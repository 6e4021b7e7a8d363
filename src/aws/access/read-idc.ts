/**
 * Identity Center as it is: permission sets (contents and tags), their account assignments and the identity
 * store's groups. Assignments are read per provisioned (permission set, account) pair — what AWS's API allows
 * without reading per principal — so reads grow with permission sets, accounts and pages, not with people.
 */
import { DescribeUserCommand, ListGroupsCommand } from '@aws-sdk/client-identitystore';
import {
  DescribePermissionSetCommand,
  GetInlinePolicyForPermissionSetCommand,
  GetPermissionsBoundaryForPermissionSetCommand,
  ListAccountAssignmentsCommand,
  ListAccountsForProvisionedPermissionSetCommand,
  ListCustomerManagedPolicyReferencesInPermissionSetCommand,
  ListInstancesCommand,
  ListManagedPoliciesInPermissionSetCommand,
  ListPermissionSetsCommand,
  ListTagsForResourceCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-sso-admin';
import {
  DomainError,
  type LiveAssignment,
  type LiveBoundary,
  type LiveIdentityCenter,
  type LivePermissionSet,
} from '../../core/index.js';
import { decodePolicyDocument } from '../iam-live.js';
import type { AwsConnections } from './connections.js';
import { inPool, type RateLimiter } from './pacing.js';
import { pages } from './read-org.js';

export interface IdcReadOptions {
  /** Whether a permission set's contents and assignments are needed (ours, adopted or named by the file). */
  readonly detail: (name: string, tags: Readonly<Record<string, string>>) => boolean;
  /** Read the assignments of every permission set (the matrix), not only of detailed ones (the plan). */
  readonly allAssignments: boolean;
  readonly limiter: RateLimiter;
  readonly concurrency: number;
  readonly progress?: (line: string) => void;
}

export async function readIdentityCenter(aws: AwsConnections, o: IdcReadOptions): Promise<LiveIdentityCenter> {
  const sso = aws.ssoAdmin;
  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    await o.limiter.take();
    return fn();
  };
  const inst = (await call(() => sso.send(new ListInstancesCommand({})))).Instances?.[0];
  if (!inst?.InstanceArn || !inst.IdentityStoreId)
    throw new DomainError(
      'precondition_failed',
      'no IAM Identity Center instance is visible to these credentials (use the management account)',
    );
  const InstanceArn = inst.InstanceArn;
  const arns = await pages(async (NextToken) => {
    const r = await call(() => sso.send(new ListPermissionSetsCommand({ InstanceArn, NextToken, MaxResults: 100 })));
    return { items: r.PermissionSets ?? [], next: r.NextToken };
  });
  const permissionSets = await inPool(
    arns,
    o.concurrency,
    async (PermissionSetArn): Promise<LivePermissionSet & { detailed: boolean }> => {
      const [d, tagList] = await Promise.all([
        call(() => sso.send(new DescribePermissionSetCommand({ InstanceArn, PermissionSetArn }))),
        pages(async (NextToken) => {
          const r = await call(() =>
            sso.send(new ListTagsForResourceCommand({ InstanceArn, ResourceArn: PermissionSetArn, NextToken })),
          );
          return { items: r.Tags ?? [], next: r.NextToken };
        }),
      ]);
      const name = d.PermissionSet?.Name ?? '';
      const tags = Object.fromEntries(tagList.map((t) => [t.Key ?? '', t.Value ?? '']));
      const base = {
        arn: PermissionSetArn,
        name,
        description: d.PermissionSet?.Description ?? null,
        sessionDuration: d.PermissionSet?.SessionDuration ?? 'PT1H',
        tags,
      };
      const detailed = o.detail(name, tags);
      if (!detailed && !o.allAssignments)
        return { ...base, managed: [], inline: null, customerManaged: [], boundary: null, provisionedTo: [], detailed };
      const provisionedTo = await pages(async (NextToken) => {
        const r = await call(() =>
          sso.send(
            new ListAccountsForProvisionedPermissionSetCommand({
              InstanceArn,
              PermissionSetArn,
              NextToken,
              MaxResults: 100,
            }),
          ),
        );
        return { items: r.AccountIds ?? [], next: r.NextToken };
      });
      if (!detailed)
        return {
          ...base,
          managed: [],
          inline: null,
          customerManaged: [],
          boundary: null,
          provisionedTo: provisionedTo.sort(),
          detailed,
        };
      const [inline, managed, cmp, boundary] = await Promise.all([
        call(() => sso.send(new GetInlinePolicyForPermissionSetCommand({ InstanceArn, PermissionSetArn }))),
        pages(async (NextToken) => {
          const r = await call(() =>
            sso.send(new ListManagedPoliciesInPermissionSetCommand({ InstanceArn, PermissionSetArn, NextToken })),
          );
          return { items: r.AttachedManagedPolicies ?? [], next: r.NextToken };
        }),
        pages(async (NextToken) => {
          const r = await call(() =>
            sso.send(
              new ListCustomerManagedPolicyReferencesInPermissionSetCommand({
                InstanceArn,
                PermissionSetArn,
                NextToken,
              }),
            ),
          );
          return { items: r.CustomerManagedPolicyReferences ?? [], next: r.NextToken };
        }),
        call(() =>
          sso.send(new GetPermissionsBoundaryForPermissionSetCommand({ InstanceArn, PermissionSetArn })),
        ).catch((e: unknown) => {
          if (e instanceof ResourceNotFoundException) return null;
          throw e;
        }),
      ]);
      const pb = boundary?.PermissionsBoundary;
      const liveBoundary: LiveBoundary | null = pb?.ManagedPolicyArn
        ? { managedArn: pb.ManagedPolicyArn }
        : pb?.CustomerManagedPolicyReference?.Name
          ? {
              customerManaged: {
                name: pb.CustomerManagedPolicyReference.Name,
                path: pb.CustomerManagedPolicyReference.Path ?? '/',
              },
            }
          : null;
      return {
        ...base,
        managed: managed.map((m) => m.Arn ?? '').sort(),
        inline: inline.InlinePolicy ? decodePolicyDocument(inline.InlinePolicy) : null,
        customerManaged: cmp
          .map((c) => ({ name: c.Name ?? '', path: c.Path ?? '/' }))
          .sort((a, b) => `${a.path}${a.name}`.localeCompare(`${b.path}${b.name}`)),
        boundary: liveBoundary,
        provisionedTo: provisionedTo.sort(),
        detailed,
      };
    },
  );
  o.progress?.(`read ${permissionSets.length} permission sets from IAM Identity Center`);
  const pairs = permissionSets
    .filter((p) => p.detailed || o.allAssignments)
    .flatMap((p) => p.provisionedTo.map((accountId) => ({ accountId, arn: p.arn })));
  const assignmentLists = await inPool(pairs, o.concurrency, ({ accountId, arn }) =>
    pages(async (NextToken) => {
      const r = await call(() =>
        sso.send(
          new ListAccountAssignmentsCommand({
            InstanceArn,
            AccountId: accountId,
            PermissionSetArn: arn,
            NextToken,
            MaxResults: 100,
          }),
        ),
      );
      return { items: r.AccountAssignments ?? [], next: r.NextToken };
    }),
  );
  const assignments: LiveAssignment[] = assignmentLists
    .flat()
    .map((a) => ({
      accountId: a.AccountId ?? '',
      permissionSetArn: a.PermissionSetArn ?? '',
      principalType: a.PrincipalType === 'USER' ? ('USER' as const) : ('GROUP' as const),
      principalId: a.PrincipalId ?? '',
    }))
    .sort((a, b) =>
      `${a.accountId}|${a.permissionSetArn}|${a.principalType}|${a.principalId}`.localeCompare(
        `${b.accountId}|${b.permissionSetArn}|${b.principalType}|${b.principalId}`,
      ),
    );
  o.progress?.(`read ${assignments.length} account assignments over ${pairs.length} (permission set, account) pairs`);
  const IdentityStoreId = inst.IdentityStoreId;
  const groups = await pages(async (NextToken) => {
    const r = await call(() =>
      aws.identityStore.send(new ListGroupsCommand({ IdentityStoreId, NextToken, MaxResults: 100 })),
    );
    return { items: r.Groups ?? [], next: r.NextToken };
  });
  const userIds = [...new Set(assignments.filter((a) => a.principalType === 'USER').map((a) => a.principalId))];
  const users = await inPool(userIds, o.concurrency, async (UserId) => {
    const u = await call(() => aws.identityStore.send(new DescribeUserCommand({ IdentityStoreId, UserId })));
    return { id: UserId, userName: u.UserName ?? UserId };
  });
  return {
    instanceArn: InstanceArn,
    identityStoreId: IdentityStoreId,
    permissionSets: permissionSets.map(({ detailed: _d, ...p }) => p).sort((a, b) => a.name.localeCompare(b.name)),
    assignments,
    groups: groups
      .map((g) => ({ id: g.GroupId ?? '', displayName: g.DisplayName ?? '' }))
      .sort((a, b) => a.id.localeCompare(b.id)),
    users: users.sort((a, b) => a.id.localeCompare(b.id)),
  };
}
