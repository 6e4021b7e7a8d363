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

export class SsoAdminState {
  seq = 0;
  readonly permissionSets = new Map<string, PermissionSetRecord>();
  readonly assignments = new Map<string, AssignmentRecord>();
  readonly provisioned = new Map<string, ProvisionedRecord>();
  readonly creationStatuses = new Map<string, AssignmentOperationStatus>();
  readonly deletionStatuses = new Map<string, AssignmentOperationStatus>();
  readonly provisioningStatuses = new Map<string, ProvisioningStatus>();

  nextSeq(): number { return ++this.seq; }

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
