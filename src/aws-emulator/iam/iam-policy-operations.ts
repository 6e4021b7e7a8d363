/**
 * IAM managed-policy operations: customer-managed policies and their versions, the AWS-managed catalogue
 * (read-only), who uses a policy, and GetAccountAuthorizationDetails.
 */
import type { QueryOperation } from '../http/contract.js';
import { el } from '../http/xml.js';
import type { XmlContent } from '../http/xml.js';
import { MAX_ITEMS, RULES, listResult, op, xml } from './iam-operation.js';
import {
  boundaryXml,
  encodePolicy,
  managedPolicyXml,
  members,
  policyVersionXml,
  roleIdentityXml,
  tagsXml,
} from './iam-shapes.js';
import type { PolicyCounts } from './iam-shapes.js';
import type { IamStore, ManagedPolicyView, RoleDoc } from './iam-store.js';
import { QUOTAS } from './iam-store.js';
import { awsManagedPolicies, awsManagedPolicy } from './managed-policies.js';
import { paginate } from './pagination.js';

const ENTITY_TYPE = { pattern: 'User|Role|Group|LocalManagedPolicy|AWSManagedPolicy' };
const USAGE = { pattern: 'PermissionsPolicy|PermissionsBoundary' };

/** Attachment and boundary counts of every policy used in the account, from one read of its roles. */
function usage(roles: readonly RoleDoc[]): (arn: string) => PolicyCounts {
  const attachments = new Map<string, number>();
  const boundaries = new Map<string, number>();
  for (const r of roles) {
    for (const arn of r.managedPolicyArns) attachments.set(arn, (attachments.get(arn) ?? 0) + 1);
    if (r.permissionsBoundaryArn !== undefined)
      boundaries.set(r.permissionsBoundaryArn, (boundaries.get(r.permissionsBoundaryArn) ?? 0) + 1);
  }
  return (arn) => ({ attachments: attachments.get(arn) ?? 0, boundaryUses: boundaries.get(arn) ?? 0 });
}

function roleDetailXml(role: RoleDoc): XmlContent[] {
  return [
    ...roleIdentityXml(role),
    members('InstanceProfileList', []),
    members(
      'RolePolicyList',
      role.inlinePolicies.map((p) => [el('PolicyName', p.name), el('PolicyDocument', encodePolicy(p.document))]),
    ),
    members(
      'AttachedManagedPolicies',
      role.managedPolicyArns.map((arn) => [
        el('PolicyName', arn.slice(arn.lastIndexOf('/') + 1)),
        el('PolicyArn', arn),
      ]),
    ),
    boundaryXml(role),
    role.tags.length > 0 ? tagsXml(role.tags) : undefined,
    el('RoleLastUsed'),
  ];
}

export function policyOperations(iam: IamStore): Record<string, QueryOperation> {
  const policyDetailXml = (account: string, view: ManagedPolicyView, counts: PolicyCounts): XmlContent[] => {
    const base = managedPolicyXml(view, counts, false);
    const versions = iam.policyVersions(account, view.policy.arn).map((v) => {
      const full = iam.policyVersion(account, view.policy.arn, v.versionId);
      return policyVersionXml({ ...full.version, isDefault: full.isDefault });
    });
    // ManagedPolicyDetail has no Tags member but does list every version with its document.
    return [
      ...base.slice(0, 8),
      view.kind === 'customer' && view.policy.description !== undefined
        ? el('Description', view.policy.description)
        : undefined,
      ...base.slice(8, 10),
      members('PolicyVersionList', versions),
    ];
  };

  return {
    CreatePolicy: op((q, account) => {
      const name = q.requiredString('PolicyName', RULES.policyName);
      const path = q.string('Path', RULES.path) ?? '/';
      const document = q.requiredString('PolicyDocument', RULES.policyDocument);
      const description = q.string('Description', RULES.description);
      const tags = q.tags('Tags', QUOTAS.tagsPerResource);
      q.done();
      const doc = iam.createPolicy(account, {
        name,
        path,
        document,
        tags,
        ...(description !== undefined ? { description } : {}),
      });
      return xml(
        el('Policy', managedPolicyXml({ kind: 'customer', policy: doc }, { attachments: 0, boundaryUses: 0 }, true)),
      );
    }),
    GetPolicy: op((q, account) => {
      const arn = q.requiredString('PolicyArn', RULES.arn);
      q.done();
      const view = iam.requireManagedPolicy(account, arn);
      return xml(el('Policy', managedPolicyXml(view, usage(iam.roles(account))(arn), true)));
    }),
    ListPolicies: op((q, account) => {
      const scope = q.string('Scope', { pattern: 'All|AWS|Local' }) ?? 'All';
      const onlyAttached = q.string('OnlyAttached', { pattern: 'true|false' }) === 'true';
      const prefix = q.string('PathPrefix', RULES.policyPathPrefix) ?? '/';
      const usageFilter = q.string('PolicyUsageFilter', USAGE);
      const marker = q.string('Marker', RULES.marker);
      const maxItems = q.int('MaxItems', MAX_ITEMS);
      q.done();
      const views: ManagedPolicyView[] = [];
      if (scope !== 'Local') views.push(...awsManagedPolicies().map((policy) => ({ kind: 'aws' as const, policy })));
      if (scope !== 'AWS')
        views.push(...iam.customerPolicies(account).map((policy) => ({ kind: 'customer' as const, policy })));
      const countsOf = usage(iam.roles(account));
      const used = (c: PolicyCounts): boolean =>
        usageFilter === 'PermissionsPolicy'
          ? c.attachments > 0
          : usageFilter === 'PermissionsBoundary'
            ? c.boundaryUses > 0
            : c.attachments + c.boundaryUses > 0;
      const listed = views
        .filter((v) => v.policy.path.startsWith(prefix))
        .map((v) => ({ v, counts: countsOf(v.policy.arn) }))
        .filter((x) => !onlyAttached || used(x.counts))
        .sort((a, b) => (a.v.policy.arn < b.v.policy.arn ? -1 : 1));
      const page = paginate(listed, (x) => x.v.policy.arn, marker, maxItems);
      return listResult(
        'Policies',
        page.items.map((x) => managedPolicyXml(x.v, x.counts, false)),
        page,
      );
    }),
    DeletePolicy: op((q, account) => {
      const arn = q.requiredString('PolicyArn', RULES.arn);
      q.done();
      iam.deletePolicy(account, arn);
      return undefined;
    }),

    CreatePolicyVersion: op((q, account) => {
      const arn = q.requiredString('PolicyArn', RULES.arn);
      const document = q.requiredString('PolicyDocument', RULES.policyDocument);
      const setAsDefault = q.string('SetAsDefault', { pattern: 'true|false' }) === 'true';
      q.done();
      const v = iam.createPolicyVersion(account, arn, document, setAsDefault);
      return xml(
        el(
          'PolicyVersion',
          policyVersionXml({ versionId: v.versionId, isDefault: setAsDefault, createDate: v.createDate }),
        ),
      );
    }),
    GetPolicyVersion: op((q, account) => {
      const arn = q.requiredString('PolicyArn', RULES.arn);
      const versionId = q.requiredString('VersionId', RULES.versionId);
      q.done();
      const { version, isDefault } = iam.policyVersion(account, arn, versionId);
      return xml(el('PolicyVersion', policyVersionXml({ ...version, isDefault })));
    }),
    ListPolicyVersions: op((q, account) => {
      const arn = q.requiredString('PolicyArn', RULES.arn);
      const marker = q.string('Marker', RULES.marker);
      const maxItems = q.int('MaxItems', MAX_ITEMS);
      q.done();
      const page = paginate(iam.policyVersions(account, arn), (v) => v.versionId, marker, maxItems);
      return listResult(
        'Versions',
        page.items.map((v) =>
          policyVersionXml({ versionId: v.versionId, isDefault: v.isDefault, createDate: v.createDate() }),
        ),
        page,
      );
    }),
    DeletePolicyVersion: op((q, account) => {
      const arn = q.requiredString('PolicyArn', RULES.arn);
      const versionId = q.requiredString('VersionId', RULES.versionId);
      q.done();
      iam.deletePolicyVersion(account, arn, versionId);
      return undefined;
    }),
    SetDefaultPolicyVersion: op((q, account) => {
      const arn = q.requiredString('PolicyArn', RULES.arn);
      const versionId = q.requiredString('VersionId', RULES.versionId);
      q.done();
      iam.setDefaultPolicyVersion(account, arn, versionId);
      return undefined;
    }),

    ListEntitiesForPolicy: op((q, account) => {
      const arn = q.requiredString('PolicyArn', RULES.arn);
      const filter = q.string('EntityFilter', ENTITY_TYPE);
      const prefix = q.string('PathPrefix', RULES.pathPrefix) ?? '/';
      const usageFilter = q.string('PolicyUsageFilter', USAGE);
      const marker = q.string('Marker', RULES.marker);
      const maxItems = q.int('MaxItems', MAX_ITEMS);
      q.done();
      iam.requireManagedPolicy(account, arn);
      // Users and groups are not emulated: roles are the only entities a policy can be attached to.
      const wantsRoles = filter === undefined || filter === 'Role';
      const roles = wantsRoles
        ? iam
            .roles(account)
            .filter((r) => r.path.startsWith(prefix))
            .filter((r) =>
              usageFilter === 'PermissionsBoundary'
                ? r.permissionsBoundaryArn === arn
                : usageFilter === 'PermissionsPolicy'
                  ? r.managedPolicyArns.includes(arn)
                  : r.managedPolicyArns.includes(arn) || r.permissionsBoundaryArn === arn,
            )
        : [];
      const page = paginate(roles, (r) => r.name.toLowerCase(), marker, maxItems);
      return xml(
        members('PolicyGroups', []),
        members('PolicyUsers', []),
        members(
          'PolicyRoles',
          page.items.map((r) => [el('RoleName', r.name), el('RoleId', r.roleId)]),
        ),
        el('IsTruncated', page.isTruncated),
        page.marker !== undefined ? el('Marker', page.marker) : undefined,
      );
    }),

    GetAccountAuthorizationDetails: op((q, account) => {
      const filter = new Set(q.list('Filter', ENTITY_TYPE));
      const maxItems = q.int('MaxItems', MAX_ITEMS);
      const marker = q.string('Marker', RULES.marker);
      q.done();
      const wants = (t: string): boolean => filter.size === 0 || filter.has(t);
      const roles = iam.roles(account);
      const countsOf = usage(roles);
      type Item = { key: string; role?: RoleDoc; policy?: ManagedPolicyView };
      const items: Item[] = [];
      if (wants('Role')) for (const role of roles) items.push({ key: `1/${role.name.toLowerCase()}`, role });
      if (wants('LocalManagedPolicy'))
        for (const policy of iam.customerPolicies(account))
          items.push({ key: `2/${policy.arn}`, policy: { kind: 'customer', policy } });
      if (wants('AWSManagedPolicy')) {
        // As in AWS, only the AWS-managed policies something in the account uses.
        const used = new Set(roles.flatMap((r) => [...r.managedPolicyArns, r.permissionsBoundaryArn ?? '']));
        for (const arn of [...used].sort()) {
          const policy = awsManagedPolicy(arn);
          if (policy) items.push({ key: `3/${arn}`, policy: { kind: 'aws', policy } });
        }
      }
      const page = paginate(items, (i) => i.key, marker, maxItems);
      const pageRoles = page.items.filter((i) => i.role).map((i) => roleDetailXml(i.role as RoleDoc));
      const pagePolicies = page.items
        .filter((i) => i.policy)
        .map((i) =>
          policyDetailXml(account, i.policy as ManagedPolicyView, countsOf((i.policy as ManagedPolicyView).policy.arn)),
        );
      return xml(
        members('UserDetailList', []),
        members('GroupDetailList', []),
        members('RoleDetailList', pageRoles),
        members('Policies', pagePolicies),
        el('IsTruncated', page.isTruncated),
        page.marker !== undefined ? el('Marker', page.marker) : undefined,
      );
    }),
  };
}
