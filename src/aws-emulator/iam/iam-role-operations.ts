/** IAM role operations: the role itself, its tags, inline and attached policies, and its permissions boundary. */
import type { QueryOperation } from '../http/contract.js';
import { el, optional } from '../http/xml.js';
import { MAX_ITEMS, RULES, listResult, op, xml } from './iam-operation.js';
import { encodePolicy, roleXml, tagsXml } from './iam-shapes.js';
import type { IamStore } from './iam-store.js';
import { QUOTAS } from './iam-store.js';
import { paginate } from './pagination.js';

/** Name and path of a managed policy from its ARN alone, so listing attachments never loads the AWS catalogue. */
function policyRef(arn: string): { name: string; path: string } {
  const m = /^arn:aws:iam::(?:\d{12}|aws):policy(\/(?:.*\/)?)([^/]+)$/.exec(arn);
  return { path: m?.[1] ?? '/', name: m?.[2] ?? arn };
}

export function roleOperations(iam: IamStore): Record<string, QueryOperation> {
  return {
    CreateRole: op((q, account) => {
      const name = q.requiredString('RoleName', RULES.roleName);
      const document = q.requiredString('AssumeRolePolicyDocument', RULES.policyDocument);
      const path = q.string('Path', RULES.path) ?? '/';
      const description = q.string('Description', RULES.description);
      const maxSessionDuration = q.int('MaxSessionDuration', { min: 3600, max: 43200 }) ?? 3600;
      const boundary = q.string('PermissionsBoundary', RULES.arn);
      const tags = q.tags('Tags', QUOTAS.tagsPerResource);
      q.done();
      const role = iam.createRole(account, {
        name,
        path,
        assumeRolePolicyDocument: document,
        maxSessionDuration,
        tags,
        ...(description !== undefined ? { description } : {}),
        ...(boundary !== undefined ? { permissionsBoundaryArn: boundary } : {}),
      });
      return xml(el('Role', roleXml(role, 'create')));
    }),
    GetRole: op((q, account) => {
      const name = q.requiredString('RoleName', RULES.roleName);
      q.done();
      return xml(el('Role', roleXml(iam.role(account, name), 'get')));
    }),
    ListRoles: op((q, account) => {
      const prefix = q.string('PathPrefix', RULES.pathPrefix) ?? '/';
      const marker = q.string('Marker', RULES.marker);
      const maxItems = q.int('MaxItems', MAX_ITEMS);
      q.done();
      const roles = iam.roles(account).filter((r) => r.path.startsWith(prefix));
      const page = paginate(roles, (r) => r.name.toLowerCase(), marker, maxItems);
      return listResult(
        'Roles',
        page.items.map((r) => roleXml(r, 'list')),
        page,
      );
    }),
    UpdateRole: op((q, account) => {
      const name = q.requiredString('RoleName', RULES.roleName);
      const description = q.string('Description', RULES.description);
      const maxSessionDuration = q.int('MaxSessionDuration', { min: 3600, max: 43200 });
      q.done();
      iam.updateRole(account, name, {
        ...(description !== undefined ? { description } : {}),
        ...(maxSessionDuration !== undefined ? { maxSessionDuration } : {}),
      });
      // UpdateRoleResponse is an output shape without members: botocore still requires the empty wrapper.
      return '';
    }),
    UpdateRoleDescription: op((q, account) => {
      const name = q.requiredString('RoleName', RULES.roleName);
      const description = q.requiredString('Description', RULES.description);
      q.done();
      return xml(el('Role', roleXml(iam.updateRoleDescription(account, name, description), 'get')));
    }),
    UpdateAssumeRolePolicy: op((q, account) => {
      const name = q.requiredString('RoleName', RULES.roleName);
      const document = q.requiredString('PolicyDocument', RULES.policyDocument);
      q.done();
      iam.updateAssumeRolePolicy(account, name, document);
      return undefined;
    }),
    DeleteRole: op((q, account) => {
      const name = q.requiredString('RoleName', RULES.roleName);
      q.done();
      iam.removeRole(account, name);
      return undefined;
    }),
    PutRolePermissionsBoundary: op((q, account) => {
      const name = q.requiredString('RoleName', RULES.roleName);
      const arn = q.requiredString('PermissionsBoundary', RULES.arn);
      q.done();
      iam.putRolePermissionsBoundary(account, name, arn);
      return undefined;
    }),
    DeleteRolePermissionsBoundary: op((q, account) => {
      const name = q.requiredString('RoleName', RULES.roleName);
      q.done();
      iam.deleteRolePermissionsBoundary(account, name);
      return undefined;
    }),
    ListInstanceProfilesForRole: op((q, account) => {
      const name = q.requiredString('RoleName', RULES.roleName);
      q.string('Marker', RULES.marker);
      q.int('MaxItems', MAX_ITEMS);
      q.done();
      iam.role(account, name);
      // Instance profiles (EC2) are not emulated, so no role is in one.
      return listResult('InstanceProfiles', [], { isTruncated: false });
    }),
    TagRole: op((q, account) => {
      const name = q.requiredString('RoleName', RULES.roleName);
      const tags = q.tags('Tags', QUOTAS.tagsPerResource);
      q.done();
      iam.tagRole(account, name, tags);
      return undefined;
    }),
    UntagRole: op((q, account) => {
      const name = q.requiredString('RoleName', RULES.roleName);
      const keys = q.list('TagKeys', RULES.tagKey, QUOTAS.tagsPerResource);
      q.done();
      iam.untagRole(account, name, keys);
      return undefined;
    }),
    ListRoleTags: op((q, account) => {
      const name = q.requiredString('RoleName', RULES.roleName);
      const marker = q.string('Marker', RULES.marker);
      const maxItems = q.int('MaxItems', MAX_ITEMS);
      q.done();
      const tags = iam.role(account, name).tags;
      const page = paginate(tags, (t) => t.Key.toLowerCase(), marker, maxItems);
      return xml(tagsXml(page.items), el('IsTruncated', page.isTruncated), optional('Marker', page.marker));
    }),

    PutRolePolicy: op((q, account) => {
      const roleName = q.requiredString('RoleName', RULES.roleName);
      const policyName = q.requiredString('PolicyName', RULES.policyName);
      const document = q.requiredString('PolicyDocument', RULES.policyDocument);
      q.done();
      iam.putRolePolicy(account, roleName, policyName, document);
      return undefined;
    }),
    GetRolePolicy: op((q, account) => {
      const roleName = q.requiredString('RoleName', RULES.roleName);
      const policyName = q.requiredString('PolicyName', RULES.policyName);
      q.done();
      const p = iam.rolePolicy(account, roleName, policyName);
      return xml(el('RoleName', p.roleName), el('PolicyName', p.name), el('PolicyDocument', encodePolicy(p.document)));
    }),
    ListRolePolicies: op((q, account) => {
      const roleName = q.requiredString('RoleName', RULES.roleName);
      const marker = q.string('Marker', RULES.marker);
      const maxItems = q.int('MaxItems', MAX_ITEMS);
      q.done();
      const names = iam
        .role(account, roleName)
        .inlinePolicies.map((p) => p.name)
        .sort();
      const page = paginate(names, (n) => n, marker, maxItems);
      return listResult('PolicyNames', page.items, page);
    }),
    DeleteRolePolicy: op((q, account) => {
      const roleName = q.requiredString('RoleName', RULES.roleName);
      const policyName = q.requiredString('PolicyName', RULES.policyName);
      q.done();
      iam.deleteRolePolicy(account, roleName, policyName);
      return undefined;
    }),

    AttachRolePolicy: op((q, account) => {
      const roleName = q.requiredString('RoleName', RULES.roleName);
      const arn = q.requiredString('PolicyArn', RULES.arn);
      q.done();
      iam.attachRolePolicy(account, roleName, arn);
      return undefined;
    }),
    DetachRolePolicy: op((q, account) => {
      const roleName = q.requiredString('RoleName', RULES.roleName);
      const arn = q.requiredString('PolicyArn', RULES.arn);
      q.done();
      iam.detachRolePolicy(account, roleName, arn);
      return undefined;
    }),
    ListAttachedRolePolicies: op((q, account) => {
      const roleName = q.requiredString('RoleName', RULES.roleName);
      const prefix = q.string('PathPrefix', RULES.policyPathPrefix) ?? '/';
      const marker = q.string('Marker', RULES.marker);
      const maxItems = q.int('MaxItems', MAX_ITEMS);
      q.done();
      const attached = iam
        .role(account, roleName)
        .managedPolicyArns.map((arn) => ({ arn, ...policyRef(arn) }))
        .filter((p) => p.path.startsWith(prefix));
      const page = paginate(attached, (p) => p.arn, marker, maxItems);
      return listResult(
        'AttachedPolicies',
        page.items.map((p) => [el('PolicyName', p.name), el('PolicyArn', p.arn)]),
        page,
      );
    }),
  };
}
