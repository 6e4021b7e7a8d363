import { sql, type Kysely, type Selectable } from 'kysely';
import {
  DomainError,
  foldCase,
  type AuditEventInput,
  type DirectoryEvent,
  type DirectoryUnitOfWork,
  type DirectoryWriter,
  type Email,
  type Group,
  type GroupQuery,
  type Member,
  type Page,
  type User,
  type UserQuery,
  type UserStatus,
} from '../core/index.js';
import type { AccessEpochCache } from './access-epoch.js';
import { insertAudit } from './audit-log.js';
import type { Database, GroupsTable, UsersTable } from './database.js';
import type { Engine } from './migrations/index.js';
import {
  decodeCursor,
  encodeCursor,
  fromJson,
  isForeignKeyViolation,
  mapConflict,
  prefixRange,
  toJson,
} from './sql-helpers.js';

/** Any fixed number works; it only has to be the same on every node. */
const MEMBERSHIP_GRAPH_LOCK = 0x6b657977;

export function toUser(r: Selectable<UsersTable>): User {
  return {
    id: r.id,
    userName: r.user_name,
    givenName: r.given_name,
    familyName: r.family_name,
    displayName: r.display_name,
    emails: fromJson<Email[]>(r.emails),
    externalId: r.external_id,
    status: r.status as UserStatus,
    attributes: fromJson<User['attributes']>(r.attributes),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: Number(r.version),
  };
}

function userColumns(u: User): Omit<UsersTable, 'id' | 'created_at'> {
  const primary = u.emails.find((e) => e.primary) ?? u.emails[0];
  return {
    user_name: u.userName,
    user_name_lower: foldCase(u.userName),
    given_name: u.givenName,
    family_name: u.familyName,
    display_name: u.displayName,
    display_name_lower: u.displayName === null ? null : foldCase(u.displayName),
    email_lower: primary ? foldCase(primary.value) : null,
    emails: toJson(u.emails),
    external_id: u.externalId,
    status: u.status,
    attributes: toJson(u.attributes),
    updated_at: u.updatedAt,
    version: u.version,
  };
}

function toGroup(r: Selectable<GroupsTable>): Group {
  return {
    id: r.id,
    displayName: r.display_name,
    description: r.description,
    externalId: r.external_id,
    attributes: fromJson<Group['attributes']>(r.attributes),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: Number(r.version),
  };
}

type GroupTuple = [
  id: string,
  displayName: string,
  description: string | null,
  externalId: string | null,
  attributes: string,
  createdAt: string,
  updatedAt: string,
  version: number,
];

/**
 * A user's effective groups as one JSON array in one row, in name order: the drivers build each row object field
 * by field, which for a user in dozens of groups costs more than the query itself (every sign-in reads them).
 */
const PG_GROUPS_AS_JSON = sql<unknown>`coalesce(json_agg(json_build_array(groups.id, groups.display_name, groups.description, groups.external_id, groups.attributes, groups.created_at, groups.updated_at, groups.version) order by groups.display_name_lower, groups.id), '[]'::json)`;
const SQLITE_GROUPS_AS_JSON = sql<unknown>`json_group_array(json_array(groups.id, groups.display_name, groups.description, groups.external_id, groups.attributes, groups.created_at, groups.updated_at, groups.version) order by groups.display_name_lower, groups.id)`;

const fromGroupTuple = (t: GroupTuple): Group => ({
  id: t[0],
  displayName: t[1],
  description: t[2],
  externalId: t[3],
  attributes: fromJson<Group['attributes']>(t[4]),
  createdAt: t[5],
  updatedAt: t[6],
  version: Number(t[7]),
});

function groupColumns(g: Group): Omit<GroupsTable, 'id' | 'created_at'> {
  return {
    display_name: g.displayName,
    display_name_lower: foldCase(g.displayName),
    description: g.description,
    external_id: g.externalId,
    attributes: toJson(g.attributes),
    updated_at: g.updatedAt,
    version: g.version,
  };
}

const userTaken = (u: User) =>
  `A user with userName ${JSON.stringify(u.userName)} already exists (userName is case-insensitive)`;
const groupTaken = (g: Group) =>
  `A group with displayName ${JSON.stringify(g.displayName)} already exists (displayName is case-insensitive)`;

/** `column` starts with `prefix`, as a range an index seeks (PostgreSQL compares bytes: collation "C"). */
const startsWith = (engine: Engine, column: string, prefix: string) => {
  const { low, high } = prefixRange(foldCase(prefix));
  const ref = engine === 'postgres' ? sql`${sql.ref(column)} collate "C"` : sql.ref(column);
  return high === undefined ? sql<boolean>`${ref} >= ${low}` : sql<boolean>`${ref} >= ${low} and ${ref} < ${high}`;
};

const searched = (search: string | undefined): search is string => search !== undefined && search.trim() !== '';

const usersMatching = (db: Kysely<Database>, engine: Engine, query: UserQuery) => {
  let base = db.selectFrom('users');
  if (query.userName !== undefined) base = base.where('user_name_lower', '=', foldCase(query.userName));
  if (query.status !== undefined) base = base.where('status', '=', query.status);
  if (searched(query.search)) {
    const search = query.search;
    base = base.where((eb) =>
      eb.or(['user_name_lower', 'display_name_lower', 'email_lower'].map((c) => startsWith(engine, c, search))),
    );
  }
  return base;
};

const groupsMatching = (db: Kysely<Database>, engine: Engine, query: GroupQuery) => {
  let base = db.selectFrom('groups');
  if (query.displayName !== undefined) base = base.where('display_name_lower', '=', foldCase(query.displayName));
  if (searched(query.search)) base = base.where(startsWith(engine, 'display_name_lower', query.search));
  return base;
};

const COUNT = sql<number | string>`count(*)`.as('total');

const countOf = async (q: { executeTakeFirstOrThrow(): Promise<{ total: number | string }> }) =>
  Number((await q.executeTakeFirstOrThrow()).total);

/**
 * One page of users and the first row of the next, in name order. The cursor holds the last name seen; names
 * are unique, so "after it" is a single range on their unique index, which both engines seek rather than scan
 * (src/store/list-plans.test.ts checks the plans).
 */
export const userPageQuery = (db: Kysely<Database>, engine: Engine, query: UserQuery & { readonly limit: number }) => {
  let page = usersMatching(db, engine, query).selectAll();
  if (query.cursor !== undefined) {
    const [key] = decodeCursor(query.cursor, ['string', 'string']) as [string, string];
    page = page.where('user_name_lower', '>', key);
  }
  return page.orderBy('user_name_lower').limit(query.limit + 1);
};

/** One page of groups and the first row of the next, in name order (see userPageQuery). */
export const groupPageQuery = (
  db: Kysely<Database>,
  engine: Engine,
  query: GroupQuery & { readonly limit: number },
) => {
  let page = groupsMatching(db, engine, query).selectAll();
  if (query.cursor !== undefined) {
    const [key] = decodeCursor(query.cursor, ['string', 'string']) as [string, string];
    page = page.where('display_name_lower', '>', key);
  }
  return page.orderBy('display_name_lower').limit(query.limit + 1);
};

/** The directory ports on one Kysely handle: the database itself for reads, a transaction for writes. */
export class DirectoryRepository implements DirectoryWriter {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly engine: Engine,
  ) {}

  async findUserById(id: string): Promise<User | null> {
    const r = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toUser(r) : null;
  }

  async findUserByUserName(userName: string): Promise<User | null> {
    const r = await this.db
      .selectFrom('users')
      .selectAll()
      .where('user_name_lower', '=', foldCase(userName))
      .executeTakeFirst();
    return r ? toUser(r) : null;
  }

  async listUsers(query: UserQuery & { readonly limit: number; readonly count: boolean }): Promise<Page<User>> {
    const rows = await userPageQuery(this.db, this.engine, query).execute();
    const items = rows.slice(0, query.limit).map(toUser);
    const last = rows.length > query.limit ? rows[query.limit - 1] : undefined;
    return {
      items,
      ...(query.count ? { total: await countOf(usersMatching(this.db, this.engine, query).select(COUNT)) } : {}),
      ...(last ? { nextCursor: encodeCursor([last.user_name_lower, last.id]) } : {}),
    };
  }

  async findGroupById(id: string): Promise<Group | null> {
    const r = await this.db.selectFrom('groups').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toGroup(r) : null;
  }

  async findGroupByDisplayName(displayName: string): Promise<Group | null> {
    const r = await this.db
      .selectFrom('groups')
      .selectAll()
      .where('display_name_lower', '=', foldCase(displayName))
      .executeTakeFirst();
    return r ? toGroup(r) : null;
  }

  async findGroupsByIds(ids: readonly string[]): Promise<readonly Group[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('groups')
      .selectAll()
      .where('id', 'in', [...ids])
      .orderBy('display_name_lower')
      .orderBy('id')
      .execute();
    return rows.map(toGroup);
  }

  async listGroups(query: GroupQuery & { readonly limit: number; readonly count: boolean }): Promise<Page<Group>> {
    const rows = await groupPageQuery(this.db, this.engine, query).execute();
    const items = rows.slice(0, query.limit).map(toGroup);
    const last = rows.length > query.limit ? rows[query.limit - 1] : undefined;
    return {
      items,
      ...(query.count ? { total: await countOf(groupsMatching(this.db, this.engine, query).select(COUNT)) } : {}),
      ...(last ? { nextCursor: encodeCursor([last.display_name_lower, last.id]) } : {}),
    };
  }

  async listMembers(groupId: string): Promise<readonly Member[]> {
    const users = await this.db
      .selectFrom('group_user_members')
      .select('user_id')
      .where('group_id', '=', groupId)
      .orderBy('user_id')
      .execute();
    const groups = await this.db
      .selectFrom('group_group_members')
      .select('child_id')
      .where('parent_id', '=', groupId)
      .orderBy('child_id')
      .execute();
    return [
      ...users.map((r): Member => ({ kind: 'user', id: r.user_id })),
      ...groups.map((r): Member => ({ kind: 'group', id: r.child_id })),
    ];
  }

  async findUsersByIds(ids: readonly string[]): Promise<readonly User[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('users')
      .selectAll()
      .where('id', 'in', [...ids])
      .orderBy('user_name_lower')
      .orderBy('id')
      .execute();
    return rows.map(toUser);
  }

  async userIdsInGroups(groupIds: readonly string[]): Promise<readonly string[]> {
    if (groupIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('group_user_members')
      .select('user_id')
      .distinct()
      .where('group_id', 'in', [...groupIds])
      .execute();
    return rows.map((r) => r.user_id);
  }

  async groupIdsOfUser(userId: string): Promise<readonly string[]> {
    const rows = await this.db
      .selectFrom('group_user_members')
      .select('group_id')
      .where('user_id', '=', userId)
      .execute();
    return rows.map((r) => r.group_id);
  }

  async effectiveGroupsOfUser(userId: string): Promise<readonly Group[]> {
    // One recursive query instead of one per nesting level plus a lookup by id. UNION (not UNION ALL) drops
    // rows already reached, so even a corrupted cyclic graph ends.
    const row = await this.db
      .withRecursive('eg(id)', (db) =>
        db
          .selectFrom('group_user_members')
          .select('group_id as id')
          .where('user_id', '=', userId)
          .union((qb) =>
            qb
              .selectFrom('group_group_members')
              .innerJoin('eg', 'eg.id', 'group_group_members.child_id')
              .select('group_group_members.parent_id as id'),
          ),
      )
      .selectFrom('groups')
      .innerJoin('eg', 'eg.id', 'groups.id')
      .select(this.engine === 'postgres' ? PG_GROUPS_AS_JSON.as('groups') : SQLITE_GROUPS_AS_JSON.as('groups'))
      .executeTakeFirstOrThrow();
    // PostgreSQL's driver parses json columns itself; SQLite returns the text.
    const tuples = (typeof row.groups === 'string' ? JSON.parse(row.groups) : row.groups) as GroupTuple[];
    return tuples.map(fromGroupTuple);
  }

  async childGroupIds(groupIds: readonly string[]): Promise<readonly string[]> {
    if (groupIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('group_group_members')
      .select('child_id')
      .distinct()
      .where('parent_id', 'in', [...groupIds])
      .execute();
    return rows.map((r) => r.child_id);
  }

  async insertUser(user: User): Promise<void> {
    await mapConflict(
      () =>
        this.db
          .insertInto('users')
          .values({ id: user.id, created_at: user.createdAt, ...userColumns(user) })
          .execute(),
      userTaken(user),
      'userName',
    );
  }

  async updateUser(user: User, expectedVersion: number): Promise<boolean> {
    const r = await mapConflict(
      () =>
        this.db
          .updateTable('users')
          .set(userColumns(user))
          .where('id', '=', user.id)
          .where('version', '=', expectedVersion)
          .executeTakeFirst(),
      userTaken(user),
      'userName',
    );
    return Number(r.numUpdatedRows) === 1;
  }

  async deleteUser(id: string): Promise<void> {
    await this.db.deleteFrom('users').where('id', '=', id).execute();
  }

  async insertGroup(group: Group): Promise<void> {
    await mapConflict(
      () =>
        this.db
          .insertInto('groups')
          .values({ id: group.id, created_at: group.createdAt, ...groupColumns(group) })
          .execute(),
      groupTaken(group),
      'displayName',
    );
  }

  async updateGroup(group: Group, expectedVersion: number): Promise<boolean> {
    const r = await mapConflict(
      () =>
        this.db
          .updateTable('groups')
          .set(groupColumns(group))
          .where('id', '=', group.id)
          .where('version', '=', expectedVersion)
          .executeTakeFirst(),
      groupTaken(group),
      'displayName',
    );
    return Number(r.numUpdatedRows) === 1;
  }

  async deleteGroup(id: string): Promise<void> {
    await this.db.deleteFrom('groups').where('id', '=', id).execute();
  }

  async addMember(groupId: string, member: Member, at: string): Promise<boolean> {
    try {
      const r =
        member.kind === 'user'
          ? await this.db
              .insertInto('group_user_members')
              .values({ group_id: groupId, user_id: member.id, created_at: at })
              .onConflict((oc) => oc.doNothing())
              .executeTakeFirst()
          : await this.db
              .insertInto('group_group_members')
              .values({ parent_id: groupId, child_id: member.id, created_at: at })
              .onConflict((oc) => oc.doNothing())
              .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
    } catch (e) {
      // The group or member was deleted by a concurrent transaction after we looked it up.
      if (isForeignKeyViolation(e))
        throw new DomainError('not_found', `The group or the ${member.kind} no longer exists`);
      throw e;
    }
  }

  async removeMember(groupId: string, member: Member): Promise<boolean> {
    const r =
      member.kind === 'user'
        ? await this.db
            .deleteFrom('group_user_members')
            .where('group_id', '=', groupId)
            .where('user_id', '=', member.id)
            .executeTakeFirst()
        : await this.db
            .deleteFrom('group_group_members')
            .where('parent_id', '=', groupId)
            .where('child_id', '=', member.id)
            .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async lockMembershipGraph(): Promise<void> {
    // SQLite transactions here begin IMMEDIATE, so the writer already holds the database's only write lock.
    if (this.engine === 'postgres') await sql`select pg_advisory_xact_lock(${MEMBERSHIP_GRAPH_LOCK})`.execute(this.db);
  }

  async appendEvent(event: DirectoryEvent, at: string): Promise<void> {
    await this.db
      .insertInto('outbox')
      .values({
        id: globalThis.crypto.randomUUID(),
        type: event.type,
        payload: toJson(event),
        created_at: at,
        claimed_by: null,
        claimed_until: null,
        done_at: null,
      })
      .execute();
  }

  async appendAudit(event: AuditEventInput, at: string): Promise<void> {
    await insertAudit(this.db, event, at);
  }
}

/** Directory changes that join a transaction the caller already opened (`store.directoryIn(trx)`). */
export function joinedUnitOfWork(trx: Kysely<Database>, engine: Engine): DirectoryUnitOfWork {
  const repo = new DirectoryRepository(trx, engine);
  return { reader: repo, transaction: (fn) => fn(repo) };
}

// Down to the attribute lists: one caller's change to a shared group would otherwise reach every later sign-in.
const frozenGroup = (g: Group): Group => {
  for (const v of Object.values(g.attributes)) Object.freeze(v);
  Object.freeze(g.attributes);
  return Object.freeze(g);
};

/**
 * The reader outside transactions, with each user's effective groups remembered per access epoch: signing in to
 * an application reads them every time, and they change far less often. Frozen, since callers share them.
 */
class CachingDirectoryReader extends DirectoryRepository {
  constructor(
    db: Kysely<Database>,
    engine: Engine,
    private readonly cache: AccessEpochCache,
  ) {
    super(db, engine);
  }

  override effectiveGroupsOfUser(userId: string): Promise<readonly Group[]> {
    return this.cache.get(`effective-groups:${userId}`, async () =>
      Object.freeze((await super.effectiveGroupsOfUser(userId)).map(frozenGroup)),
    );
  }
}

export function directoryUnitOfWork(
  db: Kysely<Database>,
  engine: Engine,
  cache?: AccessEpochCache,
): DirectoryUnitOfWork {
  return {
    reader: cache ? new CachingDirectoryReader(db, engine, cache) : new DirectoryRepository(db, engine),
    transaction: (fn) => db.transaction().execute((trx) => fn(new DirectoryRepository(trx, engine))),
  };
}
