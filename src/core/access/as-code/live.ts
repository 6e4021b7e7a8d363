/** Live state as the AWS adapters read it: what a plan is computed from and saved with. */
import type { AwsAccount, RoleBinding } from '../bindings.js';
import type { LiveProvider } from '../iam-plan.js';
import type { CustomerManagedRef } from './model.js';
import type { OrgSnapshot } from './org.js';

export type LiveBoundary = { readonly managedArn: string } | { readonly customerManaged: CustomerManagedRef };

export interface LivePermissionSet {
  readonly arn: string;
  readonly name: string;
  readonly description: string | null;
  readonly sessionDuration: string;
  /** ARNs of the AWS-managed policies, sorted. */
  readonly managed: readonly string[];
  /** The parsed inline policy; null when there is none. */
  readonly inline: unknown;
  readonly customerManaged: readonly CustomerManagedRef[];
  readonly boundary: LiveBoundary | null;
  readonly tags: Readonly<Record<string, string>>;
  /** Accounts the permission set is provisioned to. */
  readonly provisionedTo: readonly string[];
}

export interface LiveAssignment {
  readonly accountId: string;
  readonly permissionSetArn: string;
  readonly principalType: 'GROUP' | 'USER';
  readonly principalId: string;
}

export interface LiveIdentityCenter {
  readonly instanceArn: string;
  readonly identityStoreId: string;
  readonly permissionSets: readonly LivePermissionSet[];
  readonly assignments: readonly LiveAssignment[];
  /** Every group of the identity store (id ↔ displayName). */
  readonly groups: readonly { readonly id: string; readonly displayName: string }[];
  /** The users named by USER assignments. */
  readonly users: readonly { readonly id: string; readonly userName: string }[];
}

export interface LiveAccessRole {
  readonly name: string;
  readonly path: string;
  readonly arn: string;
  readonly trustPolicy: unknown;
  /** Inline policy name → parsed document. */
  readonly inline: Readonly<Record<string, unknown>>;
  /** Attached managed policy ARNs, sorted. */
  readonly managed: readonly string[];
  readonly boundaryArn: string | null;
  readonly maxSessionDuration: number;
  readonly description: string | null;
  readonly tags: Readonly<Record<string, string>>;
}

export interface LiveAccountIam {
  readonly accountId: string;
  readonly provider: LiveProvider | null;
  /** Roles under Keyway's role path, and roles of the names the file wants wherever they are. */
  readonly roles: readonly LiveAccessRole[];
}

export interface LiveKeyway {
  readonly accounts: readonly AwsAccount[];
  readonly bindings: readonly RoleBinding[];
  readonly groups: readonly { readonly id: string; readonly displayName: string }[];
}

export interface LiveState {
  readonly org: OrgSnapshot;
  /** Null when no delivery needs Identity Center. */
  readonly idc: LiveIdentityCenter | null;
  readonly iam: readonly LiveAccountIam[];
  readonly keyway: LiveKeyway;
}
