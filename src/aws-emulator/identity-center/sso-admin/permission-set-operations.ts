import { randomHex } from '../ids.js';
import {
  epochSeconds,
  optList,
  optObj,
  optStr,
  paginateBySeq,
  reqObj,
  reqStr,
  validation,
  type Input,
} from '../json-input.js';
import type { JsonOperation } from '../../http/contract.js';
import type { CustomerManagedPolicyReference, PermissionSetRecord, PermissionsBoundary } from './model.js';
import {
  checkSessionDuration,
  CMP_NAME,
  CMP_PATH,
  conflict,
  DESCRIPTION,
  INLINE,
  MANAGED_ARN,
  notFound,
  PS_NAME,
  quota,
  type SsoAdminContext,
  type SsoAdminDeps,
} from './shared.js';

/** Instances and permission sets: contents, policies, boundary and tags ([model] botocore sso-admin). */
export function permissionSetOperations(deps: SsoAdminDeps, ctx: SsoAdminContext): Record<string, JsonOperation> {
  const { instance: inst, state, limits, now } = deps;
  const { resolve, permissionSet, psOut, paging, changed } = ctx;

  function parseTags(input: Input): Array<[string, string]> {
    const tags = optList(input, 'Tags', 75) ?? [];
    return tags.map((t) => {
      const o = t as Input;
      return [
        // [model] botocore sso-admin TagKey/TagValue: letters, spaces, digits and _ . : / = + - @
        reqStr(o, 'Key', { min: 1, max: 128, pattern: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u }),
        reqStr(o, 'Value', { min: 0, max: 256, pattern: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u }),
      ];
    });
  }

  function cmpRef(o: Input): CustomerManagedPolicyReference {
    return { Name: reqStr(o, 'Name', CMP_NAME), Path: optStr(o, 'Path', CMP_PATH) ?? '/' };
  }

  function policyCount(ps: PermissionSetRecord): number {
    return ps.managedPolicyArns.length + ps.customerManagedPolicies.length;
  }

  function checkInlinePolicy(doc: string): string {
    if (doc.replace(/\s/g, '').length > 10240)
      throw validation('The inline policy exceeds 10,240 non-whitespace characters.');
    try {
      const parsed: unknown = JSON.parse(doc);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    } catch {
      throw validation('The InlinePolicy is not a valid JSON policy document.');
    }
    return doc;
  }

  return {
    ListInstances(input, caller) {
      paging(input);
      if (caller.accountId !== inst.ownerAccountId) return { Instances: [] };
      return {
        Instances: [
          {
            InstanceArn: inst.instanceArn,
            IdentityStoreId: inst.identityStoreId,
            OwnerAccountId: inst.ownerAccountId,
            Name: inst.name,
            CreatedDate: epochSeconds(inst.createdAt),
            Status: 'ACTIVE',
          },
        ],
      };
    },
    DescribeInstance(input, caller) {
      resolve(input, caller);
      return {
        InstanceArn: inst.instanceArn,
        IdentityStoreId: inst.identityStoreId,
        OwnerAccountId: inst.ownerAccountId,
        Name: inst.name,
        CreatedDate: epochSeconds(inst.createdAt),
        Status: 'ACTIVE',
      };
    },
    CreatePermissionSet(input, caller) {
      resolve(input, caller);
      const name = reqStr(input, 'Name', PS_NAME);
      const description = optStr(input, 'Description', DESCRIPTION);
      const sessionDuration = checkSessionDuration(optStr(input, 'SessionDuration', { min: 1, max: 100 }) ?? 'PT1H');
      const relayState = optStr(input, 'RelayState', {
        min: 1,
        max: 240,
        pattern: /^[a-zA-Z0-9&$@#\\/%?=~\-_'"|!:,.;*+[\]() {}]+$/,
      });
      const tags = parseTags(input);
      if ([...state.permissionSets.values()].some((p) => p.name === name))
        throw conflict(`PermissionSet with name ${name} already exists.`);
      if (state.permissionSets.size >= limits.maxPermissionSets)
        throw quota(`The number of permission sets exceeds the quota of ${limits.maxPermissionSets}.`);
      const arn = `arn:aws:sso:::permissionSet/${inst.ids.instanceId}/ps-${randomHex(16)}`;
      const ps: PermissionSetRecord = {
        arn,
        name,
        sessionDuration,
        createdAt: now(),
        seq: state.nextSeq(),
        tags: new Map(tags),
        managedPolicyArns: [],
        customerManagedPolicies: [],
        version: 1,
        ...(description !== undefined ? { description } : {}),
        ...(relayState !== undefined ? { relayState } : {}),
      };
      state.savePermissionSet(ps);
      return { PermissionSet: psOut(ps) };
    },
    DescribePermissionSet(input, caller) {
      resolve(input, caller);
      return { PermissionSet: psOut(permissionSet(input)) };
    },
    UpdatePermissionSet(input, caller) {
      resolve(input, caller);
      const ps = permissionSet(input);
      const description = optStr(input, 'Description', DESCRIPTION);
      const sd = optStr(input, 'SessionDuration', { min: 1, max: 100 });
      const relayState = optStr(input, 'RelayState', { min: 1, max: 240 });
      if (sd !== undefined) checkSessionDuration(sd);
      if (description !== undefined) ps.description = description;
      if (sd !== undefined) ps.sessionDuration = sd;
      if (relayState !== undefined) ps.relayState = relayState;
      changed(ps);
      return {};
    },
    DeletePermissionSet(input, caller) {
      resolve(input, caller);
      const ps = permissionSet(input);
      if ([...state.provisioned.values()].some((p) => p.permissionSetArn === ps.arn)) {
        throw conflict(
          'The permission set is provisioned to one or more accounts; delete its account assignments first.',
        );
      }
      state.deletePermissionSet(ps.arn);
      return {};
    },
    ListPermissionSets(input, caller) {
      resolve(input, caller);
      const { max, token } = paging(input);
      const { page, nextToken } = paginateBySeq([...state.permissionSets.values()], (p) => p.seq, max, token);
      return { PermissionSets: page.map((p) => p.arn), ...(nextToken ? { NextToken: nextToken } : {}) };
    },
    PutInlinePolicyToPermissionSet(input, caller) {
      resolve(input, caller);
      const ps = permissionSet(input);
      ps.inlinePolicy = checkInlinePolicy(reqStr(input, 'InlinePolicy', INLINE));
      changed(ps);
      return {};
    },
    GetInlinePolicyForPermissionSet(input, caller) {
      resolve(input, caller);
      const ps = permissionSet(input);
      return ps.inlinePolicy !== undefined ? { InlinePolicy: ps.inlinePolicy } : {};
    },
    DeleteInlinePolicyFromPermissionSet(input, caller) {
      resolve(input, caller);
      const ps = permissionSet(input);
      delete ps.inlinePolicy;
      changed(ps);
      return {};
    },
    AttachManagedPolicyToPermissionSet(input, caller) {
      resolve(input, caller);
      const ps = permissionSet(input);
      const arn = reqStr(input, 'ManagedPolicyArn', MANAGED_ARN);
      if (!deps.isKnownManagedPolicy(arn)) throw validation(`ManagedPolicy ${arn} does not exist.`);
      if (ps.managedPolicyArns.includes(arn))
        throw conflict(`Managed policy ${arn} is already attached to the permission set.`);
      if (policyCount(ps) >= limits.maxPoliciesPerPermissionSet)
        throw quota(
          `A permission set can have at most ${limits.maxPoliciesPerPermissionSet} managed and customer managed policies.`,
        );
      ps.managedPolicyArns.push(arn);
      changed(ps);
      return {};
    },
    DetachManagedPolicyFromPermissionSet(input, caller) {
      resolve(input, caller);
      const ps = permissionSet(input);
      const arn = reqStr(input, 'ManagedPolicyArn', MANAGED_ARN);
      const i = ps.managedPolicyArns.indexOf(arn);
      if (i < 0) throw notFound(`Managed policy ${arn} is not attached to the permission set.`);
      ps.managedPolicyArns.splice(i, 1);
      changed(ps);
      return {};
    },
    ListManagedPoliciesInPermissionSet(input, caller) {
      resolve(input, caller);
      const ps = permissionSet(input);
      const { max, token } = paging(input);
      const items = ps.managedPolicyArns.map((arn, i) => ({ arn, i }));
      const { page, nextToken } = paginateBySeq(items, (x) => x.i, max, token);
      return {
        AttachedManagedPolicies: page.map((x) => ({ Name: x.arn.slice(x.arn.lastIndexOf('/') + 1), Arn: x.arn })),
        ...(nextToken ? { NextToken: nextToken } : {}),
      };
    },
    AttachCustomerManagedPolicyReferenceToPermissionSet(input, caller) {
      resolve(input, caller);
      const ps = permissionSet(input);
      const ref = cmpRef(reqObj(input, 'CustomerManagedPolicyReference'));
      if (ps.customerManagedPolicies.some((r) => r.Name === ref.Name && r.Path === ref.Path))
        throw conflict(`Customer managed policy ${ref.Path}${ref.Name} is already attached.`);
      if (policyCount(ps) >= limits.maxPoliciesPerPermissionSet)
        throw quota(
          `A permission set can have at most ${limits.maxPoliciesPerPermissionSet} managed and customer managed policies.`,
        );
      ps.customerManagedPolicies.push(ref);
      changed(ps);
      return {};
    },
    DetachCustomerManagedPolicyReferenceFromPermissionSet(input, caller) {
      resolve(input, caller);
      const ps = permissionSet(input);
      const ref = cmpRef(reqObj(input, 'CustomerManagedPolicyReference'));
      const i = ps.customerManagedPolicies.findIndex((r) => r.Name === ref.Name && r.Path === ref.Path);
      if (i < 0)
        throw notFound(`Customer managed policy ${ref.Path}${ref.Name} is not attached to the permission set.`);
      ps.customerManagedPolicies.splice(i, 1);
      changed(ps);
      return {};
    },
    ListCustomerManagedPolicyReferencesInPermissionSet(input, caller) {
      resolve(input, caller);
      const ps = permissionSet(input);
      const { max, token } = paging(input);
      const items = ps.customerManagedPolicies.map((r, i) => ({ r, i }));
      const { page, nextToken } = paginateBySeq(items, (x) => x.i, max, token);
      return {
        CustomerManagedPolicyReferences: page.map((x) => ({ ...x.r })),
        ...(nextToken ? { NextToken: nextToken } : {}),
      };
    },
    PutPermissionsBoundaryToPermissionSet(input, caller) {
      resolve(input, caller);
      const ps = permissionSet(input);
      const b = reqObj(input, 'PermissionsBoundary');
      const managed = optStr(b, 'ManagedPolicyArn', MANAGED_ARN);
      const cmp = optObj(b, 'CustomerManagedPolicyReference');
      if ((managed !== undefined ? 1 : 0) + (cmp ? 1 : 0) !== 1)
        throw validation(
          'PermissionsBoundary must contain exactly one of ManagedPolicyArn or CustomerManagedPolicyReference.',
        );
      if (managed !== undefined && !deps.isKnownManagedPolicy(managed))
        throw validation(`ManagedPolicy ${managed} does not exist.`);
      const boundary: PermissionsBoundary =
        managed !== undefined
          ? { ManagedPolicyArn: managed }
          : { CustomerManagedPolicyReference: cmpRef(cmp as Input) };
      ps.boundary = boundary;
      changed(ps);
      return {};
    },
    GetPermissionsBoundaryForPermissionSet(input, caller) {
      resolve(input, caller);
      const ps = permissionSet(input);
      if (!ps.boundary) throw notFound('The permission set has no permissions boundary.');
      return { PermissionsBoundary: ps.boundary };
    },
    DeletePermissionsBoundaryFromPermissionSet(input, caller) {
      resolve(input, caller);
      const ps = permissionSet(input);
      delete ps.boundary;
      changed(ps);
      return {};
    },
    TagResource(input, caller) {
      resolve(input, caller);
      const ps = permissionSet(input, 'ResourceArn');
      const tags = parseTags(input);
      if (new Set([...ps.tags.keys(), ...tags.map(([k]) => k)]).size > 75)
        throw validation('A resource can have at most 75 tags.');
      for (const [k, v] of tags) ps.tags.set(k, v);
      state.savePermissionSet(ps);
      return {};
    },
    UntagResource(input, caller) {
      resolve(input, caller);
      const ps = permissionSet(input, 'ResourceArn');
      for (const k of optList(input, 'TagKeys', 50) ?? []) if (typeof k === 'string') ps.tags.delete(k);
      state.savePermissionSet(ps);
      return {};
    },
    ListTagsForResource(input, caller) {
      resolve(input, caller);
      const ps = permissionSet(input, 'ResourceArn');
      return { Tags: [...ps.tags].map(([Key, Value]) => ({ Key, Value })) };
    },
  };
}
