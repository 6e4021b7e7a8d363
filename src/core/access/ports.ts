import type { Actor } from '../identity/actor.js';
import type { AwsAccount, NewAwsAccount, NewRoleBinding, RoleBinding } from './bindings.js';

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
  removeBinding(actor: Actor, id: string): Promise<RoleBinding>;
}
