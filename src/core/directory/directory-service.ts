import type { AuditEventInput } from '../audit/types.js';
import { DomainError } from '../errors.js';
import type { Actor } from '../identity/actor.js';
import type { DirectoryEvent } from './events.js';
import { nestedGroupIds, wouldCreateCycle } from './membership-graph.js';
import type { DirectoryReader, DirectoryUnitOfWork, DirectoryWriter } from './ports.js';
import type { DirectoryService } from './service.js';
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
import {
  countPage,
  pageLimit,
  validateGroupPatch,
  validateMember,
  validateNewGroup,
  validateNewUser,
  validateStatus,
  validateUserPatch,
} from './validation.js';

export interface DirectoryServiceDeps {
  readonly uow: DirectoryUnitOfWork;
  readonly now?: () => Date;
  readonly newId?: () => string;
}

/** Raised inside a transaction when an unconditioned update lost a race; the whole transaction is retried. */
class StaleWrite extends Error {}
const RETRIES = 3;

const userTarget = (u: User) => ({ type: 'user', id: u.id, label: u.userName });
const groupTarget = (g: Group) => ({ type: 'group', id: g.id, label: g.displayName });

/** Canonical JSON (object keys sorted) so a no-op change is recognised whatever the key order. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    typeof x === 'object' && x !== null && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );
}

const sameJson = (a: unknown, b: unknown): boolean => canonical(a) === canonical(b);

export function createDirectoryService(deps: DirectoryServiceDeps): DirectoryService {
  return new Directory(deps, null);
}

class Directory implements DirectoryService {
  readonly #now: () => Date;
  readonly #newId: () => string;

  constructor(
    private readonly deps: DirectoryServiceDeps,
    private readonly writer: DirectoryWriter | null,
  ) {
    this.#now = deps.now ?? (() => new Date());
    this.#newId = deps.newId ?? (() => globalThis.crypto.randomUUID());
  }

  private get reader(): DirectoryReader {
    return this.writer ?? this.deps.uow.reader;
  }

  /** The one write path: run `fn` in the surrounding transaction, or open one (retrying lost races). */
  private async write<T>(fn: (w: DirectoryWriter, at: string) => Promise<T>): Promise<T> {
    if (this.writer) return fn(this.writer, this.#now().toISOString());
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.deps.uow.transaction((w) => fn(w, this.#now().toISOString()));
      } catch (e) {
        if (!(e instanceof StaleWrite)) throw e;
        if (attempt >= RETRIES)
          throw new DomainError('precondition_failed', 'The object kept changing concurrently; try again');
      }
    }
  }

  private static async record(
    w: DirectoryWriter,
    at: string,
    event: DirectoryEvent,
    audit: AuditEventInput,
  ): Promise<void> {
    await w.appendEvent(event, at);
    await w.appendAudit(audit, at);
  }

  async transaction<T>(fn: (dir: DirectoryService) => Promise<T>): Promise<T> {
    if (this.writer) return fn(this);
    return this.deps.uow.transaction((w) => fn(new Directory(this.deps, w)));
  }

  // ---- users

  async createUser(actor: Actor, input: NewUser): Promise<User> {
    const v = validateNewUser(input);
    return this.write(async (w, at) => {
      const user: User = { id: this.#newId(), ...v, createdAt: at, updatedAt: at, version: 1 };
      await w.insertUser(user);
      await Directory.record(
        w,
        at,
        { type: 'user.created', user },
        { action: 'user.created', actor, outcome: 'success', target: userTarget(user), after: user },
      );
      return user;
    });
  }

  async getUser(id: string): Promise<User> {
    const u = await this.reader.findUserById(id);
    if (!u) throw new DomainError('not_found', `No user with id ${JSON.stringify(id)}`);
    return u;
  }

  async findUserByUserName(userName: string): Promise<User | null> {
    return this.reader.findUserByUserName(userName);
  }

  async listUsers(query: UserQuery): Promise<Page<User>> {
    if (query.status !== undefined) validateStatus(query.status);
    return this.reader.listUsers({ ...query, limit: pageLimit(query.limit), count: countPage(query) });
  }

  private async changeUser(
    actor: Actor,
    id: string,
    action: string,
    expectedVersion: number | undefined,
    change: (current: User) => Partial<Omit<User, 'id' | 'createdAt' | 'updatedAt' | 'version'>>,
  ): Promise<User> {
    return this.write(async (w, at) => {
      const current = await w.findUserById(id);
      if (!current) throw new DomainError('not_found', `No user with id ${JSON.stringify(id)}`);
      if (expectedVersion !== undefined && current.version !== expectedVersion) {
        throw new DomainError(
          'precondition_failed',
          `User ${current.userName} is at version ${current.version}, not ${expectedVersion}`,
        );
      }
      const next: User = { ...current, ...change(current) };
      if (sameJson(current, next)) return current;
      const user: User = { ...next, updatedAt: at, version: current.version + 1 };
      if (!(await w.updateUser(user, current.version))) {
        if (expectedVersion !== undefined)
          throw new DomainError('precondition_failed', `User ${current.userName} changed concurrently`);
        throw new StaleWrite();
      }
      await Directory.record(
        w,
        at,
        { type: 'user.updated', before: current, user },
        { action, actor, outcome: 'success', target: userTarget(user), before: current, after: user },
      );
      return user;
    });
  }

  updateUser(actor: Actor, id: string, patch: UserPatch, expectedVersion?: number): Promise<User> {
    const v = validateUserPatch(patch);
    return this.changeUser(actor, id, 'user.updated', expectedVersion, () => v);
  }

  setUserStatus(actor: Actor, id: string, status: UserStatus): Promise<User> {
    const s = validateStatus(status);
    return this.changeUser(actor, id, s === 'suspended' ? 'user.suspended' : 'user.activated', undefined, () => ({
      status: s,
    }));
  }

  async deleteUser(actor: Actor, id: string): Promise<void> {
    await this.write(async (w, at) => {
      const current = await w.findUserById(id);
      if (!current) throw new DomainError('not_found', `No user with id ${JSON.stringify(id)}`);
      // Memberships go with the user (foreign keys cascade); user.deleted implies them for consumers.
      await w.deleteUser(id);
      await Directory.record(
        w,
        at,
        { type: 'user.deleted', user: current },
        { action: 'user.deleted', actor, outcome: 'success', target: userTarget(current), before: current },
      );
    });
  }

  // ---- groups

  async createGroup(actor: Actor, input: NewGroup): Promise<Group> {
    const v = validateNewGroup(input);
    return this.write(async (w, at) => {
      const group: Group = { id: this.#newId(), ...v, createdAt: at, updatedAt: at, version: 1 };
      await w.insertGroup(group);
      await Directory.record(
        w,
        at,
        { type: 'group.created', group },
        { action: 'group.created', actor, outcome: 'success', target: groupTarget(group), after: group },
      );
      return group;
    });
  }

  async getGroup(id: string): Promise<Group> {
    const g = await this.reader.findGroupById(id);
    if (!g) throw new DomainError('not_found', `No group with id ${JSON.stringify(id)}`);
    return g;
  }

  async findGroupByDisplayName(displayName: string): Promise<Group | null> {
    return this.reader.findGroupByDisplayName(displayName);
  }

  async listGroups(query: GroupQuery): Promise<Page<Group>> {
    return this.reader.listGroups({ ...query, limit: pageLimit(query.limit), count: countPage(query) });
  }

  updateGroup(actor: Actor, id: string, patch: GroupPatch, expectedVersion?: number): Promise<Group> {
    const v = validateGroupPatch(patch);
    return this.write(async (w, at) => {
      const current = await w.findGroupById(id);
      if (!current) throw new DomainError('not_found', `No group with id ${JSON.stringify(id)}`);
      if (expectedVersion !== undefined && current.version !== expectedVersion) {
        throw new DomainError(
          'precondition_failed',
          `Group ${current.displayName} is at version ${current.version}, not ${expectedVersion}`,
        );
      }
      if (sameJson(current, { ...current, ...v })) return current;
      const group: Group = { ...current, ...v, updatedAt: at, version: current.version + 1 };
      if (!(await w.updateGroup(group, current.version))) {
        if (expectedVersion !== undefined)
          throw new DomainError('precondition_failed', `Group ${current.displayName} changed concurrently`);
        throw new StaleWrite();
      }
      await Directory.record(
        w,
        at,
        { type: 'group.updated', before: current, group },
        {
          action: 'group.updated',
          actor,
          outcome: 'success',
          target: groupTarget(group),
          before: current,
          after: group,
        },
      );
      return group;
    });
  }

  async deleteGroup(actor: Actor, id: string): Promise<void> {
    await this.write(async (w, at) => {
      const current = await w.findGroupById(id);
      if (!current) throw new DomainError('not_found', `No group with id ${JSON.stringify(id)}`);
      await w.deleteGroup(id);
      await Directory.record(
        w,
        at,
        { type: 'group.deleted', group: current },
        { action: 'group.deleted', actor, outcome: 'success', target: groupTarget(current), before: current },
      );
    });
  }

  // ---- memberships

  async addMember(actor: Actor, groupId: string, member: Member): Promise<void> {
    const m = validateMember(member);
    await this.write(async (w, at) => {
      const group = await w.findGroupById(groupId);
      if (!group) throw new DomainError('not_found', `No group with id ${JSON.stringify(groupId)}`);
      let label: string;
      if (m.kind === 'user') {
        const user = await w.findUserById(m.id);
        if (!user) throw new DomainError('not_found', `No user with id ${JSON.stringify(m.id)}`);
        label = user.userName;
      } else {
        const child = await w.findGroupById(m.id);
        if (!child) throw new DomainError('not_found', `No group with id ${JSON.stringify(m.id)}`);
        label = child.displayName;
        await w.lockMembershipGraph();
        if (await wouldCreateCycle(w, groupId, m.id)) {
          throw new DomainError(
            'membership_cycle',
            `Adding group ${child.displayName} to ${group.displayName} would make a group contain itself`,
            [
              {
                at: 'member.id',
                message: `${child.displayName} already contains ${group.displayName}, directly or through nested groups`,
              },
            ],
          );
        }
      }
      if (!(await w.addMember(groupId, m, at))) return;
      await Directory.record(
        w,
        at,
        { type: 'membership.added', groupId, member: m },
        {
          action: 'membership.added',
          actor,
          outcome: 'success',
          target: groupTarget(group),
          after: { member: { ...m, label } },
        },
      );
    });
  }

  async removeMember(actor: Actor, groupId: string, member: Member): Promise<void> {
    const m = validateMember(member);
    await this.write(async (w, at) => {
      const group = await w.findGroupById(groupId);
      if (!group) throw new DomainError('not_found', `No group with id ${JSON.stringify(groupId)}`);
      if (!(await w.removeMember(groupId, m))) {
        throw new DomainError(
          'not_found',
          `${m.kind === 'user' ? 'User' : 'Group'} ${JSON.stringify(m.id)} is not a direct member of ${group.displayName}`,
        );
      }
      await Directory.record(
        w,
        at,
        { type: 'membership.removed', groupId, member: m },
        {
          action: 'membership.removed',
          actor,
          outcome: 'success',
          target: groupTarget(group),
          before: { member: m },
        },
      );
    });
  }

  async listMembers(groupId: string): Promise<readonly Member[]> {
    await this.getGroup(groupId);
    return this.reader.listMembers(groupId);
  }

  async directGroupsOfUser(userId: string): Promise<readonly Group[]> {
    await this.getUser(userId);
    return this.reader.findGroupsByIds(await this.reader.groupIdsOfUser(userId));
  }

  async effectiveGroupsOfUser(userId: string): Promise<readonly Group[]> {
    await this.getUser(userId);
    return this.reader.effectiveGroupsOfUser(userId);
  }

  async effectiveUsersOfGroup(groupId: string): Promise<readonly User[]> {
    await this.getGroup(groupId);
    const groups = await nestedGroupIds(this.reader, groupId);
    return this.reader.findUsersByIds(await this.reader.userIdsInGroups(groups));
  }
}
