import { randomUUID } from 'node:crypto';
import { AwsServiceError, type CallerContext, type JsonOperation, type JsonServiceRegistration } from '../../http/contract.js';
import { randomHex, RESOURCE_ID_PATTERN } from '../ids.js';
import type { IdcInstance } from '../instance.js';
import { epochSeconds, optInt, optList, optObj, optStr, paginateBySeq, reqObj, reqStr, validation, type Input } from '../json-input.js';
import {
  assignmentKey,
  type AssignmentOperationStatus, type CustomerManagedPolicyReference, type PermissionSetRecord, type PermissionsBoundary,
  type PrincipalType, type ProvisioningStatus, type SsoAdminState,
} from './model.js';
import type { Provisioner } from './provisioning.js';

/**
 * sso-admin (awsJson1_1, `SWBExternalService.*`, SigV4 signing name `sso`; [model] botocore sso-admin).
 * Assignments and provisioning are asynchronous: calls answer IN_PROGRESS with a request id, and the work
 * completes after the configured delay, SUCCEEDED or FAILED with a reason.
 */
export interface SsoAdminLimits {
  /** [doc] SSOUG-2022 limits: "CreateAccountAssignment has a maximum rate of 10 outstanding async calls". */
  readonly maxOutstandingAssignmentOperations: number;
  /** [doc] limits.html: permission sets per instance. */
  readonly maxPermissionSets: number;
  /** [doc] limits.html: AWS-managed plus customer-managed policies per permission set. */
  readonly maxPoliciesPerPermissionSet: number;
}

export const DEFAULT_SSO_ADMIN_LIMITS: SsoAdminLimits = { maxOutstandingAssignmentOperations: 10, maxPermissionSets: 2000, maxPoliciesPerPermissionSet: 20 };

const INSTANCE_ARN = { min: 10, max: 1224, pattern: /^arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b):sso:::instance\/(sso)?ins-[a-zA-Z0-9-.]{16}$/ };
const PS_ARN = { min: 10, max: 1224, pattern: /^arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b):sso:::permissionSet\/(sso)?ins-[a-zA-Z0-9-.]{16}\/ps-[a-zA-Z0-9-./]{16}$/ };
const PS_NAME = { min: 1, max: 32, pattern: /^[\w+=,.@-]+$/ };
const DESCRIPTION = { min: 1, max: 700, pattern: /^[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*$/ };
const ACCOUNT_ID = { min: 12, max: 12, pattern: /^\d{12}$/ };
const UUID = { min: 36, max: 36, pattern: /^\b[0-9a-f]{8}\b-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-\b[0-9a-f]{12}\b$/ };
const MANAGED_ARN = { min: 20, max: 2048, pattern: /^arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b):iam::aws:policy\/[\x21-\x7e]+$/ };
const CMP_NAME = { min: 1, max: 128, pattern: /^[\w+=,.@-]+$/ };
const CMP_PATH = { min: 1, max: 512, pattern: /^((\/[A-Za-z0-9.,+@=_-]+)*)\/$/ };
const INLINE = { min: 1, max: 32768, pattern: /^[\u0009\u000A\u000D\u0020-\u00FF]+$/ };
const PROVISIONING_STATUS = ['LATEST_PERMISSION_SET_PROVISIONED', 'LATEST_PERMISSION_SET_NOT_PROVISIONED'];

/** ISO-8601 duration between PT1H and PT12H ([doc] SSOUG-2022 howtosessionduration). */
export function sessionSeconds(d: string): number {
  const m = /^PT(?:(\d{1,2})H)?(?:(\d{1,4})M)?(?:(\d{1,6})S)?$/.exec(d);
  if (!m || d === 'PT') return NaN;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

function checkSessionDuration(d: string): string {
  const s = sessionSeconds(d);
  if (!(s >= 3600 && s <= 43200)) throw validation(`SessionDuration '${d.slice(0, 100)}' must be an ISO-8601 duration between PT1H and PT12H.`);
  return d;
}

const notFound = (message: string): AwsServiceError => new AwsServiceError('ResourceNotFoundException', message, 404);
const conflict = (message: string): AwsServiceError => new AwsServiceError('ConflictException', message, 409);
const quota = (message: string): AwsServiceError => new AwsServiceError('ServiceQuotaExceededException', message, 402);

export interface SsoAdminDeps {
  readonly instance: IdcInstance;
  readonly state: SsoAdminState;
  readonly provisioner: Provisioner;
  readonly limits: SsoAdminLimits;
  readonly now: () => number;
  readonly isKnownManagedPolicy: (arn: string) => boolean;
}

export function createSsoAdminRegistration(deps: SsoAdminDeps): JsonServiceRegistration {
  const { instance: inst, state, provisioner, limits, now } = deps;

  function resolve(input: Input, caller: CallerContext): void {
    const arn = reqStr(input, 'InstanceArn', INSTANCE_ARN);
    if (arn !== inst.instanceArn) throw notFound(`Instance ${arn} not found.`);
    if (caller.accountId !== inst.ownerAccountId) {
      throw new AwsServiceError('AccessDeniedException', `User: ${caller.principalArn} is not authorized to perform this operation on ${arn}`, 403);
    }
  }

  function permissionSet(input: Input, field = 'PermissionSetArn'): PermissionSetRecord {
    const arn = reqStr(input, field, PS_ARN);
    const ps = state.permissionSets.get(arn);
    if (!ps) throw notFound(`Could not find PermissionSet with PermissionSetArn ${arn}`);
    return ps;
  }

  const psOut = (ps: PermissionSetRecord): Record<string, unknown> => ({
    Name: ps.name, PermissionSetArn: ps.arn, CreatedDate: epochSeconds(ps.createdAt), SessionDuration: ps.sessionDuration,
    ...(ps.description !== undefined ? { Description: ps.description } : {}),
    ...(ps.relayState !== undefined ? { RelayState: ps.relayState } : {}),
  });

  const paging = (input: Input) => ({ max: optInt(input, 'MaxResults', 1, 100) ?? 100, token: optStr(input, 'NextToken', { max: 2048 }) });
  const changed = (ps: PermissionSetRecord): void => { ps.version++; state.savePermissionSet(ps); };

  function parseTags(input: Input): Array<[string, string]> {
    const tags = optList(input, 'Tags', 75) ?? [];
    return tags.map((t) => {
      const o = t as Input;
      return [reqStr(o, 'Key', { min: 1, max: 128, pattern: /^[\w+=,.@-]+$/ }), reqStr(o, 'Value', { min: 0, max: 256 })];
    });
  }

  function cmpRef(o: Input): CustomerManagedPolicyReference {
    return { Name: reqStr(o, 'Name', CMP_NAME), Path: optStr(o, 'Path', CMP_PATH) ?? '/' };
  }

  function policyCount(ps: PermissionSetRecord): number {
    return ps.managedPolicyArns.length + ps.customerManagedPolicies.length;
  }

  function checkInlinePolicy(doc: string): string {
    if (doc.replace(/\s/g, '').length > 10240) throw validation('The inline policy exceeds 10,240 non-whitespace characters.');
    try {
      const parsed: unknown = JSON.parse(doc);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    } catch {
      throw validation('The InlinePolicy is not a valid JSON policy document.');
    }
    return doc;
  }

  const principalExists = (type: PrincipalType, id: string): boolean =>
    type === 'USER' ? inst.store.getUser(id) !== undefined : inst.store.getGroup(id) !== undefined;

  function assignmentInput(input: Input): { accountId: string; ps: PermissionSetRecord; type: PrincipalType; principalId: string } {
    const accountId = reqStr(input, 'TargetId', ACCOUNT_ID);
    const targetType = reqStr(input, 'TargetType');
    if (targetType !== 'AWS_ACCOUNT') throw validation("TargetType must be 'AWS_ACCOUNT'.");
    const ps = permissionSet(input);
    const type = reqStr(input, 'PrincipalType');
    if (type !== 'USER' && type !== 'GROUP') throw validation("PrincipalType must be 'USER' or 'GROUP'.");
    const principalId = reqStr(input, 'PrincipalId', { min: 1, max: 47, pattern: RESOURCE_ID_PATTERN });
    return { accountId, ps, type, principalId };
  }

  function admitAssignmentOperation(): void {
    if (state.outstandingAssignmentOperations() >= limits.maxOutstandingAssignmentOperations) {
      throw new AwsServiceError('ThrottlingException', `Too many outstanding account assignment operations (at most ${limits.maxOutstandingAssignmentOperations} may be in progress).`, 429);
    }
  }

  function newStatus(a: { accountId: string; ps: PermissionSetRecord; type: PrincipalType; principalId: string }): AssignmentOperationStatus {
    return {
      Status: 'IN_PROGRESS', RequestId: randomUUID(), TargetId: a.accountId, TargetType: 'AWS_ACCOUNT', PermissionSetArn: a.ps.arn,
      PrincipalType: a.type, PrincipalId: a.principalId, CreatedDate: now(), seq: state.nextSeq(),
    };
  }

  const statusOut = (s: AssignmentOperationStatus | ProvisioningStatus): Record<string, unknown> => {
    const { seq: _seq, CreatedDate, ...rest } = s;
    return { ...rest, CreatedDate: epochSeconds(CreatedDate) };
  };

  function listStatuses<T extends AssignmentOperationStatus | ProvisioningStatus>(input: Input, all: Iterable<T>, key: string): Record<string, unknown> {
    const { max, token } = paging(input);
    const filter = optObj(input, 'Filter');
    const wanted = filter ? optStr(filter, 'Status') : undefined;
    const list = [...all].filter((s) => wanted === undefined || s.Status === wanted);
    const { page, nextToken } = paginateBySeq(list, (s) => s.seq, max, token);
    return { [key]: page.map((s) => ({ Status: s.Status, RequestId: s.RequestId, CreatedDate: epochSeconds(s.CreatedDate) })), ...(nextToken ? { NextToken: nextToken } : {}) };
  }

  function provisioningStatusFilter(input: Input): string | undefined {
    const v = optStr(input, 'ProvisioningStatus');
    if (v !== undefined && !PROVISIONING_STATUS.includes(v)) throw validation(`ProvisioningStatus must be one of ${PROVISIONING_STATUS.join(', ')}.`);
    return v;
  }

  const operations: Record<string, JsonOperation> = {
    ListInstances(input, caller) {
      paging(input);
      if (caller.accountId !== inst.ownerAccountId) return { Instances: [] };
      return {
        Instances: [{
          InstanceArn: inst.instanceArn, IdentityStoreId: inst.identityStoreId, OwnerAccountId: inst.ownerAccountId,
          Name: inst.name, CreatedDate: epochSeconds(inst.createdAt), Status: 'ACTIVE',
        }],
      };
    },
    DescribeInstance(input, caller) {
      resolve(input, caller);
      return {
        InstanceArn: inst.instanceArn, IdentityStoreId: inst.identityStoreId, OwnerAccountId: inst.ownerAccountId,
        Name: inst.name, CreatedDate: epochSeconds(inst.createdAt), Status: 'ACTIVE',
      };
    },
    CreatePermissionSet(input, caller) {
      resolve(input, caller);
      const name = reqStr(input, 'Name', PS_NAME);
      const description = optStr(input, 'Description', DESCRIPTION);
      const sessionDuration = checkSessionDuration(optStr(input, 'SessionDuration', { min: 1, max: 100 }) ?? 'PT1H');
      const relayState = optStr(input, 'RelayState', { min: 1, max: 240, pattern: /^[a-zA-Z0-9&$@#\\/%?=~\-_'"|!:,.;*+[\]() {}]+$/ });
      const tags = parseTags(input);
      if ([...state.permissionSets.values()].some((p) => p.name === name)) throw conflict(`PermissionSet with name ${name} already exists.`);
      if (state.permissionSets.size >= limits.maxPermissionSets) throw quota(`The number of permission sets exceeds the quota of ${limits.maxPermissionSets}.`);
      const arn = `arn:aws:sso:::permissionSet/${inst.ids.instanceId}/ps-${randomHex(16)}`;
      const ps: PermissionSetRecord = {
        arn, name, sessionDuration, createdAt: now(), seq: state.nextSeq(), tags: new Map(tags),
        managedPolicyArns: [], customerManagedPolicies: [], version: 1,
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
        throw conflict('The permission set is provisioned to one or more accounts; delete its account assignments first.');
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
      if (ps.managedPolicyArns.includes(arn)) throw conflict(`Managed policy ${arn} is already attached to the permission set.`);
      if (policyCount(ps) >= limits.maxPoliciesPerPermissionSet) throw quota(`A permission set can have at most ${limits.maxPoliciesPerPermissionSet} managed and customer managed policies.`);
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
      return { AttachedManagedPolicies: page.map((x) => ({ Name: x.arn.slice(x.arn.lastIndexOf('/') + 1), Arn: x.arn })), ...(nextToken ? { NextToken: nextToken } : {}) };
    },
    AttachCustomerManagedPolicyReferenceToPermissionSet(input, caller) {
      resolve(input, caller);
      const ps = permissionSet(input);
      const ref = cmpRef(reqObj(input, 'CustomerManagedPolicyReference'));
      if (ps.customerManagedPolicies.some((r) => r.Name === ref.Name && r.Path === ref.Path)) throw conflict(`Customer managed policy ${ref.Path}${ref.Name} is already attached.`);
      if (policyCount(ps) >= limits.maxPoliciesPerPermissionSet) throw quota(`A permission set can have at most ${limits.maxPoliciesPerPermissionSet} managed and customer managed policies.`);
      ps.customerManagedPolicies.push(ref);
      changed(ps);
      return {};
    },
    DetachCustomerManagedPolicyReferenceFromPermissionSet(input, caller) {
      resolve(input, caller);
      const ps = permissionSet(input);
      const ref = cmpRef(reqObj(input, 'CustomerManagedPolicyReference'));
      const i = ps.customerManagedPolicies.findIndex((r) => r.Name === ref.Name && r.Path === ref.Path);
      if (i < 0) throw notFound(`Customer managed policy ${ref.Path}${ref.Name} is not attached to the permission set.`);
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
      return { CustomerManagedPolicyReferences: page.map((x) => ({ ...x.r })), ...(nextToken ? { NextToken: nextToken } : {}) };
    },
    PutPermissionsBoundaryToPermissionSet(input, caller) {
      resolve(input, caller);
      const ps = permissionSet(input);
      const b = reqObj(input, 'PermissionsBoundary');
      const managed = optStr(b, 'ManagedPolicyArn', MANAGED_ARN);
      const cmp = optObj(b, 'CustomerManagedPolicyReference');
      if ((managed !== undefined ? 1 : 0) + (cmp ? 1 : 0) !== 1) throw validation('PermissionsBoundary must contain exactly one of ManagedPolicyArn or CustomerManagedPolicyReference.');
      if (managed !== undefined && !deps.isKnownManagedPolicy(managed)) throw validation(`ManagedPolicy ${managed} does not exist.`);
      const boundary: PermissionsBoundary = managed !== undefined ? { ManagedPolicyArn: managed } : { CustomerManagedPolicyReference: cmpRef(cmp as Input) };
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
      if (new Set([...ps.tags.keys(), ...tags.map(([k]) => k)]).size > 75) throw validation('A resource can have at most 75 tags.');
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
    ProvisionPermissionSet(input, caller) {
      resolve(input, caller);
      const ps = permissionSet(input);
      const targetType = reqStr(input, 'TargetType');
      const targetId = optStr(input, 'TargetId', ACCOUNT_ID);
      if (targetType !== 'AWS_ACCOUNT' && targetType !== 'ALL_PROVISIONED_ACCOUNTS') throw validation("TargetType must be 'AWS_ACCOUNT' or 'ALL_PROVISIONED_ACCOUNTS'.");
      if (targetType === 'AWS_ACCOUNT' && targetId === undefined) throw validation('TargetId is required when TargetType is AWS_ACCOUNT.');
      const accounts = targetType === 'AWS_ACCOUNT'
        ? [targetId as string]
        : [...state.provisioned.values()].filter((p) => p.permissionSetArn === ps.arn).map((p) => p.accountId);
      const status: ProvisioningStatus = {
        Status: 'IN_PROGRESS', RequestId: randomUUID(), PermissionSetArn: ps.arn, CreatedDate: now(), seq: state.nextSeq(),
        ...(targetType === 'AWS_ACCOUNT' ? { AccountId: targetId as string } : {}),
      };
      state.saveProvisioningStatus(status);
      provisioner.later(() => {
        for (const accountId of accounts) {
          const outcome = provisioner.provision(ps, accountId);
          if (!outcome.ok) { status.Status = 'FAILED'; status.FailureReason = outcome.reason; state.saveProvisioningStatus(status); return; }
        }
        status.Status = 'SUCCEEDED';
        state.saveProvisioningStatus(status);
      });
      return { PermissionSetProvisioningStatus: statusOut(status) };
    },
    DescribePermissionSetProvisioningStatus(input, caller) {
      resolve(input, caller);
      const id = reqStr(input, 'ProvisionPermissionSetRequestId', UUID);
      const s = state.provisioningStatuses.get(id);
      if (!s) throw notFound(`Provisioning request ${id} not found.`);
      return { PermissionSetProvisioningStatus: statusOut(s) };
    },
    ListPermissionSetProvisioningStatus(input, caller) {
      resolve(input, caller);
      return listStatuses(input, state.provisioningStatuses.values(), 'PermissionSetsProvisioningStatus');
    },
    CreateAccountAssignment(input, caller) {
      resolve(input, caller);
      const a = assignmentInput(input);
      if (!principalExists(a.type, a.principalId)) throw notFound(`${a.type === 'USER' ? 'User' : 'Group'} ${a.principalId} not found in the identity store.`);
      admitAssignmentOperation();
      const status = newStatus(a);
      state.saveCreationStatus(status);
      provisioner.later(() => {
        const outcome = provisioner.provision(a.ps, a.accountId);
        if (!outcome.ok) { status.Status = 'FAILED'; status.FailureReason = outcome.reason; state.saveCreationStatus(status); return; }
        const key = assignmentKey(a.accountId, a.ps.arn, a.type, a.principalId);
        if (!state.assignments.has(key)) {
          state.putAssignment({ accountId: a.accountId, permissionSetArn: a.ps.arn, principalType: a.type, principalId: a.principalId, seq: state.nextSeq() });
        }
        status.Status = 'SUCCEEDED';
        state.saveCreationStatus(status);
      });
      return { AccountAssignmentCreationStatus: statusOut(status) };
    },
    DeleteAccountAssignment(input, caller) {
      resolve(input, caller);
      const a = assignmentInput(input);
      admitAssignmentOperation();
      const status = newStatus(a);
      state.saveDeletionStatus(status);
      provisioner.later(() => {
        const key = assignmentKey(a.accountId, a.ps.arn, a.type, a.principalId);
        if (!state.deleteAssignment(key)) { status.Status = 'FAILED'; status.FailureReason = 'The account assignment does not exist.'; state.saveDeletionStatus(status); return; }
        if (state.assignmentsFor(a.accountId, a.ps.arn).length === 0) provisioner.deprovision(a.ps, a.accountId);
        status.Status = 'SUCCEEDED';
        state.saveDeletionStatus(status);
      });
      return { AccountAssignmentDeletionStatus: statusOut(status) };
    },
    DescribeAccountAssignmentCreationStatus(input, caller) {
      resolve(input, caller);
      const id = reqStr(input, 'AccountAssignmentCreationRequestId', UUID);
      const s = state.creationStatuses.get(id);
      if (!s) throw notFound(`Account assignment creation request ${id} not found.`);
      return { AccountAssignmentCreationStatus: statusOut(s) };
    },
    DescribeAccountAssignmentDeletionStatus(input, caller) {
      resolve(input, caller);
      const id = reqStr(input, 'AccountAssignmentDeletionRequestId', UUID);
      const s = state.deletionStatuses.get(id);
      if (!s) throw notFound(`Account assignment deletion request ${id} not found.`);
      return { AccountAssignmentDeletionStatus: statusOut(s) };
    },
    ListAccountAssignmentCreationStatus(input, caller) {
      resolve(input, caller);
      return listStatuses(input, state.creationStatuses.values(), 'AccountAssignmentsCreationStatus');
    },
    ListAccountAssignmentDeletionStatus(input, caller) {
      resolve(input, caller);
      return listStatuses(input, state.deletionStatuses.values(), 'AccountAssignmentsDeletionStatus');
    },
    ListAccountAssignments(input, caller) {
      resolve(input, caller);
      const accountId = reqStr(input, 'AccountId', ACCOUNT_ID);
      const ps = permissionSet(input);
      const { max, token } = paging(input);
      const { page, nextToken } = paginateBySeq(state.assignmentsFor(accountId, ps.arn), (a) => a.seq, max, token);
      return {
        AccountAssignments: page.map((a) => ({ AccountId: a.accountId, PermissionSetArn: a.permissionSetArn, PrincipalType: a.principalType, PrincipalId: a.principalId })),
        ...(nextToken ? { NextToken: nextToken } : {}),
      };
    },
    ListAccountAssignmentsForPrincipal(input, caller) {
      resolve(input, caller);
      const principalId = reqStr(input, 'PrincipalId', { min: 1, max: 47, pattern: RESOURCE_ID_PATTERN });
      const type = reqStr(input, 'PrincipalType');
      if (type !== 'USER' && type !== 'GROUP') throw validation("PrincipalType must be 'USER' or 'GROUP'.");
      const filter = optObj(input, 'Filter');
      const account = filter ? optStr(filter, 'AccountId', ACCOUNT_ID) : undefined;
      const { max, token } = paging(input);
      const list = [...state.assignments.values()].filter((a) => a.principalId === principalId && a.principalType === type && (account === undefined || a.accountId === account));
      const { page, nextToken } = paginateBySeq(list, (a) => a.seq, max, token);
      return {
        AccountAssignments: page.map((a) => ({ AccountId: a.accountId, PermissionSetArn: a.permissionSetArn, PrincipalType: a.principalType, PrincipalId: a.principalId })),
        ...(nextToken ? { NextToken: nextToken } : {}),
      };
    },
    ListAccountsForProvisionedPermissionSet(input, caller) {
      resolve(input, caller);
      const ps = permissionSet(input);
      const want = provisioningStatusFilter(input);
      const { max, token } = paging(input);
      const list = [...state.provisioned.values()].filter((p) => p.permissionSetArn === ps.arn && matchesProvisioning(p.version, ps.version, want));
      const { page, nextToken } = paginateBySeq(list, (p) => p.seq, max, token);
      return { AccountIds: page.map((p) => p.accountId), ...(nextToken ? { NextToken: nextToken } : {}) };
    },
    ListPermissionSetsProvisionedToAccount(input, caller) {
      resolve(input, caller);
      const accountId = reqStr(input, 'AccountId', ACCOUNT_ID);
      const want = provisioningStatusFilter(input);
      const { max, token } = paging(input);
      const list = [...state.provisioned.values()].filter((p) => {
        const ps = state.permissionSets.get(p.permissionSetArn);
        return p.accountId === accountId && ps !== undefined && matchesProvisioning(p.version, ps.version, want);
      });
      const { page, nextToken } = paginateBySeq(list, (p) => p.seq, max, token);
      return { PermissionSets: page.map((p) => p.permissionSetArn), ...(nextToken ? { NextToken: nextToken } : {}) };
    },
  };
  return { kind: 'json', targetPrefix: 'SWBExternalService', signingName: 'sso', operations };
}

function matchesProvisioning(provisioned: number, current: number, want: string | undefined): boolean {
  if (want === undefined) return true;
  return want === 'LATEST_PERMISSION_SET_PROVISIONED' ? provisioned === current : provisioned !== current;
}

