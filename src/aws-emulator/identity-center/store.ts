import { randomUUID } from 'node:crypto';
import type { StateStore } from '../world-contract.js';
import { newResourceId } from './ids.js';

/**
 * The one identity store behind SCIM, identitystore and sign-in ([doc] SCIMDG: "SCIM-provisioned users and
 * groups are what these APIs return"). Records are built field by field by this module's callers, never by
 * spreading client input, and kept in Maps, so no request can reach an object prototype.
 */
export interface PersonName {
  formatted?: string;
  familyName?: string;
  givenName?: string;
  middleName?: string;
  honorificPrefix?: string;
  honorificSuffix?: string;
}

export interface Email {
  value: string;
  type?: string;
  primary: boolean;
}
export interface PhoneNumber {
  value: string;
  type?: string;
  primary?: boolean;
}
export interface Address {
  formatted?: string;
  streetAddress?: string;
  locality?: string;
  region?: string;
  postalCode?: string;
  country?: string;
  type?: string;
  primary?: boolean;
}
export interface Role {
  value: string;
  type?: string;
  primary?: boolean;
}
export interface Enterprise {
  employeeNumber?: string;
  costCenter?: string;
  organization?: string;
  division?: string;
  department?: string;
  manager?: string;
}

export interface UserData {
  externalId?: string;
  userName: string;
  name: PersonName;
  displayName?: string;
  nickName?: string;
  profileUrl?: string;
  title?: string;
  userType?: string;
  preferredLanguage?: string;
  locale?: string;
  timezone?: string;
  active: boolean;
  emails: Email[];
  addresses: Address[];
  phoneNumbers: PhoneNumber[];
  roles: Role[];
  enterprise?: Enterprise;
}

export interface UserRecord extends UserData {
  readonly id: string;
  readonly seq: number;
  readonly created: number;
  lastModified: number;
  createdBy: string;
  updatedBy: string;
}

export interface GroupData {
  externalId?: string;
  displayName: string;
  description?: string;
}

export interface GroupRecord extends GroupData {
  readonly id: string;
  readonly seq: number;
  readonly created: number;
  lastModified: number;
  createdBy: string;
  updatedBy: string;
}

export interface MembershipRecord {
  readonly membershipId: string;
  readonly groupId: string;
  readonly userId: string;
  readonly seq: number;
  readonly created: number;
  readonly createdBy: string;
}

export type StoreConflict = 'userName' | 'displayName' | 'externalId';

export class StoreConflictError extends Error {
  override readonly name = 'StoreConflictError';
  constructor(
    readonly field: StoreConflict,
    readonly kind: 'User' | 'Group',
  ) {
    super(`${kind} already exists.`);
  }
}

/** Case-insensitive uniqueness key (docs/security.md, SCIM: userName is unique case-insensitively). */
const fold = (s: string): string => s.normalize('NFC').toLowerCase();

/** Collections in the emulator's StateStore (memory or the `--state` SQLite file); written through on change. */
const USERS = 'idc-users';
const GROUPS = 'idc-groups';
const MEMBERSHIPS = 'idc-memberships';

export class IdentityStore {
  private seq = 0;
  private readonly users = new Map<string, UserRecord>();
  private readonly groups = new Map<string, GroupRecord>();
  private readonly memberships = new Map<string, MembershipRecord>();
  private readonly userByName = new Map<string, string>();
  private readonly userByExternal = new Map<string, string>();
  private readonly groupByName = new Map<string, string>();
  private readonly groupByExternal = new Map<string, string>();
  private readonly deletionListeners: Array<(kind: 'USER' | 'GROUP', id: string) => void> = [];
  /** groupId → (userId → membershipId) */
  private readonly membersOf = new Map<string, Map<string, string>>();
  /** userId → set of groupIds */
  private readonly groupsOf = new Map<string, Set<string>>();

  constructor(
    readonly identityStoreId: string,
    private readonly now: () => number,
    private readonly state: StateStore,
  ) {
    for (const u of state.list<UserRecord>(USERS)) {
      this.users.set(u.id, u);
      this.indexUser(u);
      this.seq = Math.max(this.seq, u.seq);
    }
    for (const g of state.list<GroupRecord>(GROUPS)) {
      this.groups.set(g.id, g);
      this.membersOf.set(g.id, new Map());
      this.indexGroup(g);
      this.seq = Math.max(this.seq, g.seq);
    }
    for (const m of state.list<MembershipRecord>(MEMBERSHIPS)) {
      if (!this.users.has(m.userId) || !this.groups.has(m.groupId)) continue;
      this.linkMember(m);
      this.seq = Math.max(this.seq, m.seq);
    }
  }

  /** Called inside the deleting transaction, so what depends on the principal goes with it. */
  onPrincipalDeleted(listener: (kind: 'USER' | 'GROUP', id: string) => void): void {
    this.deletionListeners.push(listener);
  }

  /** Runs several changes as one unit in the state store (one SQLite transaction with `--state`). */
  atomically<T>(fn: () => T): T {
    return this.state.transaction(fn);
  }

  // ---- users ----
  getUser(id: string): UserRecord | undefined {
    return this.users.get(id);
  }
  listUsers(): UserRecord[] {
    return [...this.users.values()];
  }
  userCount(): number {
    return this.users.size;
  }
  findUserByUserName(userName: string): UserRecord | undefined {
    const id = this.userByName.get(fold(userName));
    return id === undefined ? undefined : this.users.get(id);
  }
  findUserByExternalId(externalId: string): UserRecord | undefined {
    const id = this.userByExternal.get(externalId);
    return id === undefined ? undefined : this.users.get(id);
  }

  /** Exact (case-sensitive) userName match, as Identity Center's SAML sign-in requires. */
  findUserByExactUserName(userName: string): UserRecord | undefined {
    const u = this.findUserByUserName(userName);
    return u && u.userName === userName ? u : undefined;
  }

  private checkUserUnique(data: UserData, selfId?: string): void {
    const byName = this.userByName.get(fold(data.userName));
    if (byName !== undefined && byName !== selfId) throw new StoreConflictError('userName', 'User');
    if (data.externalId !== undefined) {
      const byExt = this.userByExternal.get(data.externalId);
      if (byExt !== undefined && byExt !== selfId) throw new StoreConflictError('externalId', 'User');
    }
  }

  createUser(data: UserData, actor: string): UserRecord {
    this.checkUserUnique(data);
    const t = this.now();
    const rec: UserRecord = {
      ...data,
      id: newResourceId(),
      seq: ++this.seq,
      created: t,
      lastModified: t,
      createdBy: actor,
      updatedBy: actor,
    };
    this.users.set(rec.id, rec);
    this.indexUser(rec);
    this.state.put(USERS, rec.id, rec);
    return rec;
  }

  /** Replaces every mutable field at once; the caller validated `data` completely beforehand. */
  replaceUser(id: string, data: UserData, actor: string): UserRecord | undefined {
    const old = this.users.get(id);
    if (!old) return undefined;
    this.checkUserUnique(data, id);
    this.unindexUser(old);
    const rec: UserRecord = {
      ...data,
      id,
      seq: old.seq,
      created: old.created,
      lastModified: this.now(),
      createdBy: old.createdBy,
      updatedBy: actor,
    };
    this.users.set(id, rec);
    this.indexUser(rec);
    this.state.put(USERS, id, rec);
    return rec;
  }

  deleteUser(id: string): boolean {
    const old = this.users.get(id);
    if (!old) return false;
    return this.atomically(() => {
      for (const gid of [...(this.groupsOf.get(id) ?? [])]) this.removeMember(gid, id);
      this.unindexUser(old);
      this.users.delete(id);
      this.groupsOf.delete(id);
      this.state.delete(USERS, id);
      for (const l of this.deletionListeners) l('USER', id);
      return true;
    });
  }

  private indexUser(u: UserRecord): void {
    this.userByName.set(fold(u.userName), u.id);
    if (u.externalId !== undefined) this.userByExternal.set(u.externalId, u.id);
  }
  private unindexUser(u: UserRecord): void {
    this.userByName.delete(fold(u.userName));
    if (u.externalId !== undefined) this.userByExternal.delete(u.externalId);
  }

  // ---- groups ----
  getGroup(id: string): GroupRecord | undefined {
    return this.groups.get(id);
  }
  listGroups(): GroupRecord[] {
    return [...this.groups.values()];
  }
  groupCount(): number {
    return this.groups.size;
  }
  findGroupByDisplayName(name: string): GroupRecord | undefined {
    const id = this.groupByName.get(fold(name));
    return id === undefined ? undefined : this.groups.get(id);
  }
  findGroupByExternalId(externalId: string): GroupRecord | undefined {
    const id = this.groupByExternal.get(externalId);
    return id === undefined ? undefined : this.groups.get(id);
  }

  private checkGroupUnique(data: GroupData, selfId?: string): void {
    const byName = this.groupByName.get(fold(data.displayName));
    if (byName !== undefined && byName !== selfId) throw new StoreConflictError('displayName', 'Group');
    if (data.externalId !== undefined) {
      const byExt = this.groupByExternal.get(data.externalId);
      if (byExt !== undefined && byExt !== selfId) throw new StoreConflictError('externalId', 'Group');
    }
  }

  /** Creates the group and its initial members in one step; every member id must already exist. */
  createGroup(data: GroupData, memberIds: readonly string[], actor: string): GroupRecord {
    this.checkGroupUnique(data);
    const t = this.now();
    const rec: GroupRecord = {
      ...data,
      id: newResourceId(),
      seq: ++this.seq,
      created: t,
      lastModified: t,
      createdBy: actor,
      updatedBy: actor,
    };
    return this.atomically(() => {
      this.groups.set(rec.id, rec);
      this.membersOf.set(rec.id, new Map());
      this.indexGroup(rec);
      this.state.put(GROUPS, rec.id, rec);
      for (const uid of memberIds) this.addMember(rec.id, uid, actor);
      return rec;
    });
  }

  replaceGroup(id: string, data: GroupData, actor: string): GroupRecord | undefined {
    const old = this.groups.get(id);
    if (!old) return undefined;
    this.checkGroupUnique(data, id);
    this.unindexGroup(old);
    const rec: GroupRecord = {
      ...data,
      id,
      seq: old.seq,
      created: old.created,
      lastModified: this.now(),
      createdBy: old.createdBy,
      updatedBy: actor,
    };
    this.groups.set(id, rec);
    this.indexGroup(rec);
    this.state.put(GROUPS, id, rec);
    return rec;
  }

  deleteGroup(id: string): boolean {
    const old = this.groups.get(id);
    if (!old) return false;
    return this.atomically(() => {
      for (const uid of [...(this.membersOf.get(id)?.keys() ?? [])]) this.removeMember(id, uid);
      this.unindexGroup(old);
      this.groups.delete(id);
      this.membersOf.delete(id);
      this.state.delete(GROUPS, id);
      for (const l of this.deletionListeners) l('GROUP', id);
      return true;
    });
  }

  private indexGroup(g: GroupRecord): void {
    this.groupByName.set(fold(g.displayName), g.id);
    if (g.externalId !== undefined) this.groupByExternal.set(g.externalId, g.id);
  }
  private unindexGroup(g: GroupRecord): void {
    this.groupByName.delete(fold(g.displayName));
    if (g.externalId !== undefined) this.groupByExternal.delete(g.externalId);
  }

  // ---- memberships ----
  /** Idempotent: adding an existing member returns the existing membership. */
  addMember(groupId: string, userId: string, actor: string): MembershipRecord {
    const members = this.membersOf.get(groupId);
    if (!members || !this.users.has(userId)) throw new Error('addMember: unknown group or user');
    const existing = members.get(userId);
    if (existing !== undefined) return this.memberships.get(existing) as MembershipRecord;
    const m: MembershipRecord = {
      membershipId: randomUUID(),
      groupId,
      userId,
      seq: ++this.seq,
      created: this.now(),
      createdBy: actor,
    };
    this.linkMember(m);
    this.state.put(MEMBERSHIPS, m.membershipId, m);
    return m;
  }

  private linkMember(m: MembershipRecord): void {
    this.memberships.set(m.membershipId, m);
    this.membersOf.get(m.groupId)?.set(m.userId, m.membershipId);
    let set = this.groupsOf.get(m.userId);
    if (!set) {
      set = new Set();
      this.groupsOf.set(m.userId, set);
    }
    set.add(m.groupId);
  }

  removeMember(groupId: string, userId: string): boolean {
    const members = this.membersOf.get(groupId);
    const mid = members?.get(userId);
    if (!members || mid === undefined) return false;
    members.delete(userId);
    this.memberships.delete(mid);
    this.groupsOf.get(userId)?.delete(groupId);
    this.state.delete(MEMBERSHIPS, mid);
    return true;
  }

  isMember(groupId: string, userId: string): boolean {
    return this.membersOf.get(groupId)?.has(userId) ?? false;
  }
  getMembership(membershipId: string): MembershipRecord | undefined {
    return this.memberships.get(membershipId);
  }
  membershipFor(groupId: string, userId: string): MembershipRecord | undefined {
    const mid = this.membersOf.get(groupId)?.get(userId);
    return mid === undefined ? undefined : this.memberships.get(mid);
  }
  membershipsOfGroup(groupId: string): MembershipRecord[] {
    return [...(this.membersOf.get(groupId)?.values() ?? [])].map(
      (mid) => this.memberships.get(mid) as MembershipRecord,
    );
  }
  membershipsOfUser(userId: string): MembershipRecord[] {
    return [...(this.groupsOf.get(userId) ?? [])].map((gid) => this.membershipFor(gid, userId) as MembershipRecord);
  }
  groupIdsOfUser(userId: string): string[] {
    return [...(this.groupsOf.get(userId) ?? [])];
  }
}
