import type { Actor } from '../identity/actor.js';
import type {
  Group,
  GroupPatch,
  GroupQuery,
  Member,
  NewGroup,
  NewUser,
  Page,
  User,
  UserPatch,
  UserQuery,
  UserStatus,
} from './types.js';

/**
 * The one write path for the directory. Every method that changes something runs in one database
 * transaction that also writes the outbox event and the audit record; it either all commits or nothing does.
 * Errors are DomainError: invalid_input, not_found, conflict (duplicate userName/displayName, case-insensitive),
 * membership_cycle.
 */
export interface DirectoryService {
  createUser(actor: Actor, input: NewUser): Promise<User>;
  getUser(id: string): Promise<User>;
  findUserByUserName(userName: string): Promise<User | null>;
  listUsers(query: UserQuery): Promise<Page<User>>;
  updateUser(actor: Actor, id: string, patch: UserPatch, expectedVersion?: number): Promise<User>;
  setUserStatus(actor: Actor, id: string, status: UserStatus): Promise<User>;
  deleteUser(actor: Actor, id: string): Promise<void>;

  createGroup(actor: Actor, input: NewGroup): Promise<Group>;
  getGroup(id: string): Promise<Group>;
  findGroupByDisplayName(displayName: string): Promise<Group | null>;
  listGroups(query: GroupQuery): Promise<Page<Group>>;
  updateGroup(actor: Actor, id: string, patch: GroupPatch, expectedVersion?: number): Promise<Group>;
  deleteGroup(actor: Actor, id: string): Promise<void>;

  /** Adding a group that (transitively) contains `groupId` is rejected with membership_cycle. */
  addMember(actor: Actor, groupId: string, member: Member): Promise<void>;
  removeMember(actor: Actor, groupId: string, member: Member): Promise<void>;
  listMembers(groupId: string): Promise<readonly Member[]>;
  /** Direct groups of a user. */
  directGroupsOfUser(userId: string): Promise<readonly Group[]>;
  /** Every group the user belongs to directly or through nested groups. */
  effectiveGroupsOfUser(userId: string): Promise<readonly Group[]>;
  /**
   * Every user in the group directly or through nested groups, by userName — the flattened membership that
   * targets without nested groups (AWS IAM Identity Center) receive.
   */
  effectiveUsersOfGroup(groupId: string): Promise<readonly User[]>;

  /**
   * Runs several changes in one transaction: every call on `dir` joins it, and if `fn` throws nothing of it
   * commits (imports use this for all-or-nothing). Do not call the outer service from inside `fn`.
   */
  transaction<T>(fn: (dir: DirectoryService) => Promise<T>): Promise<T>;
}
