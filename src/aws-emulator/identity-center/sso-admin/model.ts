import type { StateStore } from '../../world-contract.js';

/**
 * sso-admin state for one instance: permission sets, account assignments, what is provisioned where, and the
 * asynchronous request statuses ([model] botocore sso-admin 2020-07-20).
 */
export interface CustomerManagedPolicyReference {
  readonly Name: string;
  readonly Path: string;
}

export type PermissionsBoundary =
  | { readonly ManagedPolicyArn: string }
  | { readonly CustomerManagedPolicyReference: CustomerManagedPolicyReference };

export interface PermissionSetRecord {
  readonly arn: string;
  readonly name: string;
  description?: string;
  sessionDuration: string;
  relayState?: string;
  readonly createdAt: number;
  readonly seq: number;
  readonly tags: Map<string, string>;
  inlinePolicy?: string;
  readonly managedPolicyArns: string[];
  readonly customerManagedPolicies: CustomerManagedPolicyReference[];
  boundary?: PermissionsBoundary;
  /** Bumped on every change, so accounts provisioned with an older version show as out of date. */
  version: number;
}

export type PrincipalType = 'USER' | 'GROUP';
export type AsyncStatus = 'IN_PROGRESS' | 'FAILED' | 'SUCCEEDED';

export interface AssignmentRecord {
  readonly accountId: string;
  readonly permissionSetArn: string;
  readonly principalType: PrincipalType;
  readonly principalId: string;
  readonly seq: number;
}

export interface AssignmentOperationStatus {
  Status: AsyncStatus;
  readonly RequestId: string;
  FailureReason?: string;
  readonly TargetId: string;
  readonly TargetType: 'AWS_ACCOUNT';
  readonly PermissionSetArn: string;
  readonly PrincipalType: PrincipalType;
  readonly PrincipalId: string;
  readonly CreatedDate: number;
  readonly seq: number;
}

export interface ProvisioningStatus {
  Status: AsyncStatus;
  readonly RequestId: string;
  readonly AccountId?: string;
  readonly PermissionSetArn: string;
  FailureReason?: string;
  readonly CreatedDate: number;
  readonly seq: number;
}

export interface ProvisionedRecord {
  readonly accountId: string;
  readonly permissionSetArn: string;
  version: number;
  roleName: string;
  readonly seq: number;
}

export const assignmentKey = (accountId: string, psArn: string, type: PrincipalType, principalId: string): string =>
  `${accountId}|${psArn}|${type}|${principalId}`;
export const provisionedKey = (psArn: string, accountId: string): string => `${psArn}|${accountId}`;

const PS = 'idc-permission-sets';
const ASSIGNMENTS = 'idc-assignments';
const PROVISIONED = 'idc-provisioned';
const CREATION = 'idc-assignment-creation-status';
const DELETION = 'idc-assignment-deletion-status';
const PROVISIONING = 'idc-provisioning-status';
const INTERRUPTED = 'The emulator restarted before the request completed.';

type PersistedPermissionSet = Omit<PermissionSetRecord, 'tags'> & { tags: Array<[string, string]> };

/** In-memory indexes written through to the emulator's StateStore, and read back from it at start. */
export class SsoAdminState {
  seq = 0;
  readonly permissionSets = new Map<string, PermissionSetRecord>();
  readonly assignments = new Map<string, AssignmentRecord>();
  readonly provisioned = new Map<string, ProvisionedRecord>();
  readonly creationStatuses = new Map<string, AssignmentOperationStatus>();
  readonly deletionStatuses = new Map<string, AssignmentOperationStatus>();
  readonly provisioningStatuses = new Map<string, ProvisioningStatus>();

  constructor(private readonly store: StateStore) {
    for (const p of store.list<PersistedPermissionSet>(PS))
      this.permissionSets.set(p.arn, { ...p, tags: new Map(p.tags) });
    for (const a of store.list<AssignmentRecord>(ASSIGNMENTS))
      this.assignments.set(assignmentKey(a.accountId, a.permissionSetArn, a.principalType, a.principalId), a);
    for (const p of store.list<ProvisionedRecord>(PROVISIONED))
      this.provisioned.set(provisionedKey(p.permissionSetArn, p.accountId), p);
    // Work that was in flight when the emulator stopped will never finish; say so rather than stay IN_PROGRESS.
    const revive = <T extends { Status: AsyncStatus; FailureReason?: string; seq: number; RequestId: string }>(
      collection: string,
      into: Map<string, T>,
    ): void => {
      for (const s of store.list<T>(collection)) {
        if (s.Status === 'IN_PROGRESS') {
          s.Status = 'FAILED';
          s.FailureReason = INTERRUPTED;
          store.put(collection, s.RequestId, s);
        }
        into.set(s.RequestId, s);
      }
    };
    revive(CREATION, this.creationStatuses);
    revive(DELETION, this.deletionStatuses);
    revive(PROVISIONING, this.provisioningStatuses);
    const seqs = [
      ...this.permissionSets.values(),
      ...this.assignments.values(),
      ...this.provisioned.values(),
      ...this.creationStatuses.values(),
      ...this.deletionStatuses.values(),
      ...this.provisioningStatuses.values(),
    ].map((x) => x.seq);
    this.seq = Math.max(0, ...seqs);
  }

  nextSeq(): number {
    return ++this.seq;
  }

  savePermissionSet(ps: PermissionSetRecord): void {
    this.permissionSets.set(ps.arn, ps);
    const persisted: PersistedPermissionSet = { ...ps, tags: [...ps.tags] };
    this.store.put(PS, ps.arn, persisted);
  }

  deletePermissionSet(arn: string): void {
    this.permissionSets.delete(arn);
    this.store.delete(PS, arn);
  }

  putAssignment(a: AssignmentRecord): void {
    const key = assignmentKey(a.accountId, a.permissionSetArn, a.principalType, a.principalId);
    this.assignments.set(key, a);
    this.store.put(ASSIGNMENTS, key, a);
  }

  deleteAssignment(key: string): boolean {
    this.store.delete(ASSIGNMENTS, key);
    return this.assignments.delete(key);
  }

  putProvisioned(p: ProvisionedRecord): void {
    const key = provisionedKey(p.permissionSetArn, p.accountId);
    this.provisioned.set(key, p);
    this.store.put(PROVISIONED, key, p);
  }

  deleteProvisioned(key: string): void {
    this.provisioned.delete(key);
    this.store.delete(PROVISIONED, key);
  }

  saveCreationStatus(s: AssignmentOperationStatus): void {
    this.creationStatuses.set(s.RequestId, s);
    this.store.put(CREATION, s.RequestId, s);
  }
  saveDeletionStatus(s: AssignmentOperationStatus): void {
    this.deletionStatuses.set(s.RequestId, s);
    this.store.put(DELETION, s.RequestId, s);
  }
  saveProvisioningStatus(s: ProvisioningStatus): void {
    this.provisioningStatuses.set(s.RequestId, s);
    this.store.put(PROVISIONING, s.RequestId, s);
  }

  outstandingAssignmentOperations(): number {
    let n = 0;
    for (const s of this.creationStatuses.values()) if (s.Status === 'IN_PROGRESS') n++;
    for (const s of this.deletionStatuses.values()) if (s.Status === 'IN_PROGRESS') n++;
    return n;
  }

  assignmentsFor(accountId: string, psArn: string): AssignmentRecord[] {
    return [...this.assignments.values()].filter((a) => a.accountId === accountId && a.permissionSetArn === psArn);
  }
}
