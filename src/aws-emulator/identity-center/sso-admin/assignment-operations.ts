import { randomUUID } from 'node:crypto';
import { AwsServiceError, type JsonOperation } from '../../http/contract.js';
import { RESOURCE_ID_PATTERN } from '../ids.js';
import { epochSeconds, optObj, optStr, paginateBySeq, reqStr, validation, type Input } from '../json-input.js';
import {
  assignmentKey,
  type AssignmentOperationStatus,
  type PermissionSetRecord,
  type PrincipalType,
  type ProvisioningStatus,
} from './model.js';
import { ACCOUNT_ID, notFound, PROVISIONING_STATUS, UUID, type SsoAdminContext, type SsoAdminDeps } from './shared.js';

/**
 * Account assignments and provisioning, asynchronous as in AWS: calls answer IN_PROGRESS with a request id, and
 * the work completes after the configured delay, SUCCEEDED or FAILED with a reason.
 */
export function assignmentOperations(deps: SsoAdminDeps, ctx: SsoAdminContext): Record<string, JsonOperation> {
  const { instance: inst, state, provisioner, limits, now } = deps;
  const { resolve, permissionSet, paging } = ctx;

  const principalExists = (type: PrincipalType, id: string): boolean =>
    type === 'USER' ? inst.store.getUser(id) !== undefined : inst.store.getGroup(id) !== undefined;

  function assignmentInput(input: Input): {
    accountId: string;
    ps: PermissionSetRecord;
    type: PrincipalType;
    principalId: string;
  } {
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
      throw new AwsServiceError(
        'ThrottlingException',
        `Too many outstanding account assignment operations (at most ${limits.maxOutstandingAssignmentOperations} may be in progress).`,
        429,
      );
    }
  }

  function newStatus(a: {
    accountId: string;
    ps: PermissionSetRecord;
    type: PrincipalType;
    principalId: string;
  }): AssignmentOperationStatus {
    return {
      Status: 'IN_PROGRESS',
      RequestId: randomUUID(),
      TargetId: a.accountId,
      TargetType: 'AWS_ACCOUNT',
      PermissionSetArn: a.ps.arn,
      PrincipalType: a.type,
      PrincipalId: a.principalId,
      CreatedDate: now(),
      seq: state.nextSeq(),
    };
  }

  const statusOut = (s: AssignmentOperationStatus | ProvisioningStatus): Record<string, unknown> => {
    const { seq: _seq, CreatedDate, ...rest } = s;
    return { ...rest, CreatedDate: epochSeconds(CreatedDate) };
  };

  function listStatuses<T extends AssignmentOperationStatus | ProvisioningStatus>(
    input: Input,
    all: Iterable<T>,
    key: string,
  ): Record<string, unknown> {
    const { max, token } = paging(input);
    const filter = optObj(input, 'Filter');
    const wanted = filter ? optStr(filter, 'Status') : undefined;
    const list = [...all].filter((s) => wanted === undefined || s.Status === wanted);
    const { page, nextToken } = paginateBySeq(list, (s) => s.seq, max, token);
    return {
      [key]: page.map((s) => ({ Status: s.Status, RequestId: s.RequestId, CreatedDate: epochSeconds(s.CreatedDate) })),
      ...(nextToken ? { NextToken: nextToken } : {}),
    };
  }

  function provisioningStatusFilter(input: Input): string | undefined {
    const v = optStr(input, 'ProvisioningStatus');
    if (v !== undefined && !PROVISIONING_STATUS.includes(v))
      throw validation(`ProvisioningStatus must be one of ${PROVISIONING_STATUS.join(', ')}.`);
    return v;
  }

  return {
    ProvisionPermissionSet(input, caller) {
      resolve(input, caller);
      const ps = permissionSet(input);
      const targetType = reqStr(input, 'TargetType');
      const targetId = optStr(input, 'TargetId', ACCOUNT_ID);
      if (targetType !== 'AWS_ACCOUNT' && targetType !== 'ALL_PROVISIONED_ACCOUNTS')
        throw validation("TargetType must be 'AWS_ACCOUNT' or 'ALL_PROVISIONED_ACCOUNTS'.");
      if (targetType === 'AWS_ACCOUNT' && targetId === undefined)
        throw validation('TargetId is required when TargetType is AWS_ACCOUNT.');
      const accounts =
        targetType === 'AWS_ACCOUNT'
          ? [targetId as string]
          : [...state.provisioned.values()].filter((p) => p.permissionSetArn === ps.arn).map((p) => p.accountId);
      const status: ProvisioningStatus = {
        Status: 'IN_PROGRESS',
        RequestId: randomUUID(),
        PermissionSetArn: ps.arn,
        CreatedDate: now(),
        seq: state.nextSeq(),
        ...(targetType === 'AWS_ACCOUNT' ? { AccountId: targetId as string } : {}),
      };
      state.saveProvisioningStatus(status);
      provisioner.later(() => {
        for (const accountId of accounts) {
          const outcome = provisioner.provision(ps, accountId);
          if (!outcome.ok) {
            status.Status = 'FAILED';
            status.FailureReason = outcome.reason;
            state.saveProvisioningStatus(status);
            return;
          }
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
      if (!principalExists(a.type, a.principalId))
        throw notFound(`${a.type === 'USER' ? 'User' : 'Group'} ${a.principalId} not found in the identity store.`);
      admitAssignmentOperation();
      const status = newStatus(a);
      state.saveCreationStatus(status);
      provisioner.later(() => {
        const outcome = provisioner.provision(a.ps, a.accountId);
        if (!outcome.ok) {
          status.Status = 'FAILED';
          status.FailureReason = outcome.reason;
          state.saveCreationStatus(status);
          return;
        }
        const key = assignmentKey(a.accountId, a.ps.arn, a.type, a.principalId);
        if (!state.assignments.has(key)) {
          state.putAssignment({
            accountId: a.accountId,
            permissionSetArn: a.ps.arn,
            principalType: a.type,
            principalId: a.principalId,
            seq: state.nextSeq(),
          });
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
        if (!state.deleteAssignment(key)) {
          status.Status = 'FAILED';
          status.FailureReason = 'The account assignment does not exist.';
          state.saveDeletionStatus(status);
          return;
        }
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
        AccountAssignments: page.map((a) => ({
          AccountId: a.accountId,
          PermissionSetArn: a.permissionSetArn,
          PrincipalType: a.principalType,
          PrincipalId: a.principalId,
        })),
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
      const list = [...state.assignments.values()].filter(
        (a) =>
          a.principalId === principalId &&
          a.principalType === type &&
          (account === undefined || a.accountId === account),
      );
      const { page, nextToken } = paginateBySeq(list, (a) => a.seq, max, token);
      return {
        AccountAssignments: page.map((a) => ({
          AccountId: a.accountId,
          PermissionSetArn: a.permissionSetArn,
          PrincipalType: a.principalType,
          PrincipalId: a.principalId,
        })),
        ...(nextToken ? { NextToken: nextToken } : {}),
      };
    },
    ListAccountsForProvisionedPermissionSet(input, caller) {
      resolve(input, caller);
      const ps = permissionSet(input);
      const want = provisioningStatusFilter(input);
      const { max, token } = paging(input);
      const list = [...state.provisioned.values()].filter(
        (p) => p.permissionSetArn === ps.arn && matchesProvisioning(p.version, ps.version, want),
      );
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
}

function matchesProvisioning(provisioned: number, current: number, want: string | undefined): boolean {
  if (want === undefined) return true;
  return want === 'LATEST_PERMISSION_SET_PROVISIONED' ? provisioned === current : provisioned !== current;
}
