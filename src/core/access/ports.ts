import type { Actor } from '../identity/actor.js';
import type { AwsAccount, BoundRole, NewAwsAccount, NewRoleBinding, RoleBinding } from './bindings.js';

export interface BindingQuery {
  readonly groupId?: string;
  readonly accountId?: string;
}

/**
 * The one write path for Pattern A's access data. Every change runs in one transaction with its audit record
 * (`aws.account.*`, `aws.binding.*`). Errors are DomainError: invalid_input (naming the bad value), not_found
 * (unknown group or account), conflict (duplicate account id or name, duplicate binding).
 */
export interface AwsAccessService {
  addAccount(actor: Actor, input: NewAwsAccount): Promise<AwsAccount>;
  listAccounts(): Promise<readonly AwsAccount[]>;
  /** Refused with conflict while bindings still name the account. */
  removeAccount(actor: Actor, id: string): Promise<void>;

  addBinding(actor: Actor, input: NewRoleBinding): Promise<RoleBinding>;
  listBindings(query?: BindingQuery): Promise<readonly RoleBinding[]>;
  /** Only the bindings of these groups: the sign-in path reads nothing else. */
  bindingsForGroups(groupIds: readonly string[]): Promise<readonly RoleBinding[]>;
  /** The roles bound to these groups, one entry per binding, nothing else: what an assertion's Role values need. */
  boundRolesForGroups(groupIds: readonly string[]): Promise<readonly BoundRole[]>;
  removeBinding(actor: Actor, id: string): Promise<RoleBinding>;
}

/**
 * A command-line sign-in for `keyway aws credentials`: a bearer token whose SHA-256 only is stored. It is
 * refused (and revoked, with the reason kept) once its user is suspended, so the CLI can say why.
 */
export interface CliToken {
  readonly idHash: string;
  readonly userId: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  /** How the user proved who they are: ['pwd'], ['pwd','otp'] or ['device'] (approved in a signed-in browser). */
  readonly authMethods: readonly string[];
  readonly revokedAt: string | null;
  readonly revokedReason: string | null;
}

/** A device-code style approval (RFC 8628 shape): the CLI polls with the device code, a browser approves the user code. */
export interface DeviceGrant {
  readonly deviceCodeHash: string;
  /** Short, human-typable, unique while pending. */
  readonly userCode: string;
  readonly status: 'pending' | 'approved' | 'denied' | 'redeemed';
  readonly userId: string | null;
  readonly createdAt: string;
  readonly expiresAt: string;
}

export interface CliSignInStore {
  createToken(token: CliToken): Promise<void>;
  getToken(idHash: string): Promise<CliToken | null>;
  revokeToken(idHash: string, at: string, reason: string): Promise<void>;
  createDeviceGrant(grant: DeviceGrant): Promise<void>;
  getDeviceGrantByUserCode(userCode: string): Promise<DeviceGrant | null>;
  getDeviceGrant(deviceCodeHash: string): Promise<DeviceGrant | null>;
  /** pending → approved/denied; false when the grant is no longer pending or has expired. */
  decideDeviceGrant(userCode: string, decision: 'approved' | 'denied', userId: string, now: string): Promise<boolean>;
  /** approved → redeemed, exactly once; false otherwise (a device code is single-use). */
  redeemDeviceGrant(deviceCodeHash: string): Promise<boolean>;
  deleteExpired(now: string): Promise<number>;
}
