import type { AuditEventInput } from '../audit/types.js';
import type { DirectoryEvent, OutboxRecord } from './events.js';
import type { Group, GroupQuery, Member, Page, User, UserQuery } from './types.js';

/**
 * Repository ports the directory service is written against; src/store implements them on SQLite and
 * PostgreSQL. Lists take already-validated queries; cursors are opaque to the domain.
 */
export interface DirectoryReader {
  findUserById(id: string): Promise<User | null>;
  findUserByUserName(userName: string): Promise<User | null>;
  listUsers(query: UserQuery & { readonly limit: number; readonly count: boolean }): Promise<Page<User>>;
  findGroupById(id: string): Promise<Group | null>;
  findGroupByDisplayName(displayName: string): Promise<Group | null>;
  findGroupsByIds(ids: readonly string[]): Promise<readonly Group[]>;
  listGroups(query: GroupQuery & { readonly limit: number; readonly count: boolean }): Promise<Page<Group>>;
  listMembers(groupId: string): Promise<readonly Member[]>;
  findUsersByIds(ids: readonly string[]): Promise<readonly User[]>;
  /** Users directly in any of the given groups. */
  userIdsInGroups(groupIds: readonly string[]): Promise<readonly string[]>;
  /** Groups that directly contain the user. */
  groupIdsOfUser(userId: string): Promise<readonly string[]>;
  /** Groups containing the user directly or through nested groups, in display-name order, in one read. */
  effectiveGroupsOfUser(userId: string): Promise<readonly Group[]>;
  /** Groups directly contained in any of the given groups (one level down). */
  childGroupIds(groupIds: readonly string[]): Promise<readonly string[]>;
}

/**
 * Writes always happen inside one transaction that the store opens; a DirectoryWriter is only ever handed
 * out inside it, so a change, its outbox event and its audit record commit together or not at all.
 */
export interface DirectoryWriter extends DirectoryReader {
  /** Raises DomainError conflict when the lower-cased userName is taken (enforced by a unique index). */
  insertUser(user: User): Promise<void>;
  /** Writes only when the stored version equals `expectedVersion`; returns false otherwise. */
  updateUser(user: User, expectedVersion: number): Promise<boolean>;
  deleteUser(id: string): Promise<void>;
  insertGroup(group: Group): Promise<void>;
  updateGroup(group: Group, expectedVersion: number): Promise<boolean>;
  deleteGroup(id: string): Promise<void>;
  /** Returns false when the member was already there (nothing written). */
  addMember(groupId: string, member: Member, at: string): Promise<boolean>;
  removeMember(groupId: string, member: Member): Promise<boolean>;
  /**
   * Serialises changes to group-in-group edges across concurrent writers (PostgreSQL advisory lock held to
   * the end of the transaction), so two concurrent additions cannot together close a cycle.
   */
  lockMembershipGraph(): Promise<void>;
  appendEvent(event: DirectoryEvent, at: string): Promise<void>;
  appendAudit(event: AuditEventInput, at: string): Promise<void>;
}

export interface DirectoryUnitOfWork {
  readonly reader: DirectoryReader;
  transaction<T>(fn: (writer: DirectoryWriter) => Promise<T>): Promise<T>;
}

/**
 * Consumers of the outbox. `readAfter` suits a consumer keeping its own position (e.g. one per SCIM target);
 * `claim` hands each pending event to exactly one worker among many nodes (PostgreSQL `FOR UPDATE SKIP
 * LOCKED`), leased for `leaseMs` so a crashed worker's events become claimable again.
 */
export interface OutboxClaim {
  readonly worker: string;
  readonly limit: number;
  readonly leaseMs: number;
}

export interface OutboxStore {
  readAfter(seq: number, limit: number): Promise<readonly OutboxRecord[]>;
  latestSeq(): Promise<number>;
  /** Oldest pending events not leased by another worker, in seq order. */
  claim(claim: OutboxClaim): Promise<readonly OutboxRecord[]>;
  /** Marks events done; only those still leased by `worker` are touched. Returns how many. */
  markDone(worker: string, seqs: readonly number[]): Promise<number>;
  /** Gives leased events back (e.g. after a failure) so they can be claimed again at once. */
  release(worker: string, seqs: readonly number[]): Promise<number>;
}
