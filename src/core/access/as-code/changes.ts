/**
 * The typed changes a plan is made of. Every change says why it is there (`cause`) so that drift, expiry and
 * ordinary edits can be told apart, and carries everything its execution needs.
 */
import type { IamChange } from '../iam-plan.js';
import type { DesiredPermissionSet, DesiredAccessRole } from './desired.js';
import type { CustomerManagedRef, Boundary } from './model.js';

/** file: the file asks for it; drift: AWS differs from the file; expired: a grant's `until` has passed. */
export type ChangeCause = 'file' | 'drift' | 'expired' | 'adopt';

export interface FieldChange {
  readonly field: string;
  readonly before: unknown;
  readonly after: unknown;
}

export interface PermissionSetEdits {
  readonly attributes: boolean;
  readonly managedAttach: readonly string[];
  readonly managedDetach: readonly string[];
  readonly customerAttach: readonly CustomerManagedRef[];
  readonly customerDetach: readonly CustomerManagedRef[];
  readonly inline: 'put' | 'delete' | null;
  readonly boundary: 'put' | 'delete' | null;
  readonly tag: boolean;
}

export interface RoleEdits {
  readonly attributes: boolean;
  readonly trust: boolean;
  readonly managedAttach: readonly string[];
  readonly managedDetach: readonly string[];
  readonly inlinePut: boolean;
  readonly inlineDelete: readonly string[];
  readonly boundary: 'put' | 'delete' | null;
  readonly tag: boolean;
}

export type AccessChange =
  | {
      readonly kind: 'permission-set';
      readonly action: 'create';
      readonly cause: ChangeCause;
      readonly name: string;
      readonly desired: DesiredPermissionSet;
    }
  | {
      readonly kind: 'permission-set';
      readonly action: 'update';
      readonly cause: ChangeCause;
      readonly name: string;
      readonly arn: string;
      readonly desired: DesiredPermissionSet;
      readonly fields: readonly FieldChange[];
      readonly edits: PermissionSetEdits;
      /** Accounts that must be re-provisioned for the change to reach them. */
      readonly provisionedTo: readonly string[];
    }
  | {
      readonly kind: 'permission-set';
      readonly action: 'delete';
      readonly cause: ChangeCause;
      readonly name: string;
      readonly arn: string;
      readonly provisionedTo: readonly string[];
    }
  | {
      readonly kind: 'assignment';
      readonly action: 'create' | 'delete';
      readonly cause: ChangeCause;
      readonly accountId: string;
      readonly accountName: string;
      readonly permissionSet: string;
      /** Null when the permission set is created by the same plan. */
      readonly permissionSetArn: string | null;
      readonly principalType: 'GROUP' | 'USER';
      readonly principal: string;
      readonly principalId: string;
      readonly grants: readonly number[];
    }
  | {
      readonly kind: 'role';
      readonly action: 'create';
      readonly cause: ChangeCause;
      readonly accountId: string;
      readonly accountName: string;
      readonly name: string;
      readonly desired: DesiredAccessRole;
    }
  | {
      readonly kind: 'role';
      readonly action: 'update';
      readonly cause: ChangeCause;
      readonly accountId: string;
      readonly accountName: string;
      readonly name: string;
      readonly desired: DesiredAccessRole;
      readonly fields: readonly FieldChange[];
      readonly edits: RoleEdits;
    }
  | {
      readonly kind: 'role';
      readonly action: 'delete';
      readonly cause: ChangeCause;
      readonly accountId: string;
      readonly accountName: string;
      readonly name: string;
      readonly arn: string;
      readonly managed: readonly string[];
      readonly inline: readonly string[];
      readonly boundary: boolean;
    }
  | ({ readonly kind: 'iam'; readonly cause: ChangeCause; readonly accountName: string } & {
      readonly change: IamChange;
    })
  | {
      readonly kind: 'binding';
      readonly action: 'create';
      readonly cause: ChangeCause;
      readonly group: string;
      readonly groupId: string;
      readonly accountId: string;
      readonly accountName: string;
      readonly roleName: string;
      readonly rolePath: string;
      readonly grants: readonly number[];
    }
  | {
      readonly kind: 'binding';
      readonly action: 'delete';
      readonly cause: ChangeCause;
      readonly bindingId: string;
      readonly group: string;
      readonly accountId: string;
      readonly accountName: string;
      readonly roleName: string;
      readonly rolePath: string;
    }
  | {
      readonly kind: 'keyway-account';
      readonly action: 'create';
      readonly cause: ChangeCause;
      readonly accountId: string;
      readonly accountName: string;
    };

export const actionOf = (c: AccessChange): 'create' | 'update' | 'delete' =>
  c.kind === 'iam' ? (c.change.action === 'create' ? 'create' : 'update') : c.action;

export type { Boundary };
