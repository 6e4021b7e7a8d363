import type { IdentityStore, GroupRecord, UserRecord } from '../store.js';
import { invalid, ScimError } from './errors.js';
import { eqClauses, parseFilter, type EqClause } from './filter.js';
import { ENTERPRISE_SCHEMA } from './user-schema.js';

/**
 * ListUsers / ListGroups query rules ([doc] SCIMDG listusers, listgroups): `count` 1–100 (default 100),
 * `cursor` switching to cursor pagination, `filter` limited to the documented attribute combinations;
 * `startIndex` beyond 1, sorting and bulk search are not supported. `attributes`/`excludedAttributes` are
 * accepted and ignored (Entra sends `excludedAttributes=members`).
 */
export const MAX_COUNT = 100;
const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

export interface Page<T> {
  readonly items: T[];
  readonly total: number;
  readonly nextCursor?: string;
  readonly cursorMode: boolean;
}

function normalisePath(path: string): string {
  const l = path.toLowerCase();
  const ent = `${ENTERPRISE_SCHEMA.toLowerCase()}:`;
  return l.startsWith(ent) ? l.slice(ent.length) : l;
}

function combo(clauses: EqClause[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const c of clauses) {
    const p = normalisePath(c.path);
    if (m.has(p)) throw invalid('Filter repeats an attribute.');
    m.set(p, c.value);
  }
  return m;
}

const unsupportedCombo = (): ScimError => invalid('Filter attribute combination is not supported.');

export function filterUsers(store: IdentityStore, filter: string | null): UserRecord[] {
  if (filter === null) return store.listUsers();
  const c = combo(eqClauses(parseFilter(filter)));
  const keys = [...c.keys()].sort().join(',');
  const one = <T>(v: T | undefined): T[] => (v ? [v] : []);
  switch (keys) {
    case 'username':
      return one(store.findUserByUserName(c.get('username') as string));
    case 'externalid':
      return one(store.findUserByExternalId(c.get('externalid') as string));
    case 'groups.value': {
      const gid = c.get('groups.value') as string;
      if (!store.getGroup(gid)) return [];
      return store.membershipsOfGroup(gid).map((m) => store.getUser(m.userId) as UserRecord);
    }
    case 'id,manager':
    case 'id,manager.value': {
      const u = store.getUser(c.get('id') as string);
      const mgr = c.get('manager') ?? c.get('manager.value');
      return u && u.enterprise?.manager === mgr ? [u] : [];
    }
    default:
      throw unsupportedCombo();
  }
}

export function filterGroups(store: IdentityStore, filter: string | null): GroupRecord[] {
  if (filter === null) return store.listGroups();
  const c = combo(eqClauses(parseFilter(filter)));
  const member = c.get('members') ?? c.get('members.value');
  if (c.has('members') && c.has('members.value')) throw unsupportedCombo();
  const keys = [...c.keys()]
    .map((k) => (k === 'members.value' ? 'members' : k))
    .sort()
    .join(',');
  const one = <T>(v: T | undefined): T[] => (v ? [v] : []);
  // A member filter on a user that does not exist is a 404 ([doc] SCIMDG listgroups).
  const requireMember = (): string => {
    if (member === undefined || !store.getUser(member))
      throw new ScimError('ResourceNotFoundException', 'Member not found.');
    return member;
  };
  switch (keys) {
    case 'displayname':
      return one(store.findGroupByDisplayName(c.get('displayname') as string));
    case 'externalid':
      return one(store.findGroupByExternalId(c.get('externalid') as string));
    case 'members': {
      const uid = requireMember();
      return store.groupIdsOfUser(uid).map((g) => store.getGroup(g) as GroupRecord);
    }
    case 'id,members': {
      const uid = requireMember();
      const g = store.getGroup(c.get('id') as string);
      return g && store.isMember(g.id, uid) ? [g] : [];
    }
    default:
      throw unsupportedCombo();
  }
}

const encodeCursor = (seq: number): string => Buffer.from(`s:${seq}`).toString('base64url');
function decodeCursor(cursor: string): number {
  if (!/^[-a-zA-Z0-9+=/:_]{1,128}$/.test(cursor)) throw invalid('Invalid cursor.');
  const m = /^s:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw invalid('Invalid cursor.');
  return Number(m[1]);
}

export function paginate<T extends { readonly seq: number }>(all: T[], query: URLSearchParams): Page<T> {
  const startIndex = query.get('startIndex');
  if (startIndex !== null && startIndex !== '1') throw invalid('startIndex is not supported; paginate with cursor.');
  if (query.has('sortBy') || query.has('sortOrder')) throw invalid('Sorting is not supported.');
  let count = MAX_COUNT;
  const countRaw = query.get('count');
  if (countRaw !== null) {
    if (!/^\d{1,9}$/.test(countRaw) || Number(countRaw) < 1)
      throw invalid('count must be an integer between 1 and 100.');
    count = Math.min(Number(countRaw), MAX_COUNT);
  }
  const sorted = [...all].sort((a, b) => a.seq - b.seq);
  const cursor = query.get('cursor');
  if (cursor === null) return { items: sorted.slice(0, count), total: sorted.length, cursorMode: false };
  const after = cursor === '' ? -1 : decodeCursor(cursor);
  const rest = sorted.filter((x) => x.seq > after);
  const items = rest.slice(0, count);
  const last = items[items.length - 1];
  const page: { items: T[]; total: number; cursorMode: true; nextCursor?: string } = {
    items,
    total: rest.length,
    cursorMode: true,
  };
  if (rest.length > count && last) page.nextCursor = encodeCursor(last.seq);
  return page;
}

export function listResponse<T extends { readonly seq: number }>(page: Page<T>, render: (t: T) => object): object {
  const Resources = page.items.map(render);
  if (page.cursorMode) {
    return page.nextCursor === undefined
      ? { schemas: [LIST_SCHEMA], itemsPerPage: Resources.length, Resources }
      : { schemas: [LIST_SCHEMA], itemsPerPage: Resources.length, nextCursor: page.nextCursor, Resources };
  }
  return { schemas: [LIST_SCHEMA], totalResults: page.total, itemsPerPage: Resources.length, startIndex: 1, Resources };
}
