import { stringify } from 'csv-stringify/sync';
import { DomainError, isDomainError, type FieldProblem } from '../errors.js';
import type { Actor } from '../identity/actor.js';
import { decodeText, parseCsvText, parseJsonText, type CsvRow } from './import-decode.js';
import type { DirectoryService } from './service.js';
import type { CustomAttributes, Group, GroupPatch, NewGroup, NewUser, User, UserPatch, UserStatus } from './types.js';
import { foldCase, validateNewGroup, validateNewUser } from './validation.js';

/**
 * Import and export of users and groups (formats in docs/import-export.md). Import is all or nothing: the
 * whole file is validated first and every bad row is reported with its line; only a clean file is applied,
 * through the directory service in one transaction (so every change still gets its outbox event and audit
 * record). Imports add and update; they never delete objects or remove memberships.
 */
export type ImportFormat = 'json' | 'csv' | 'users-csv' | 'groups-csv';
export type ExportFormat = 'json' | 'users-csv' | 'groups-csv';

export interface ImportOptions {
  readonly format: ImportFormat;
  /** Validate and apply inside a transaction that is then rolled back; the report says what would change. */
  readonly dryRun?: boolean;
}

export interface ImportCounts {
  created: number;
  updated: number;
  unchanged: number;
}

export interface ImportReport {
  readonly dryRun: boolean;
  readonly users: ImportCounts;
  readonly groups: ImportCounts;
  membershipsAdded: number;
}

export const MAX_IMPORT_ROWS = 50_000;
const LIST_SEPARATOR = ';';
const ATTR_PREFIX = 'attr.';
const USER_COLUMNS = [
  'userName',
  'givenName',
  'familyName',
  'displayName',
  'email',
  'externalId',
  'status',
  'groups',
] as const;
const GROUP_COLUMNS = ['displayName', 'description', 'externalId', 'parentGroups'] as const;

interface UserItem {
  readonly line: number;
  readonly where: string;
  /** Fields present in the file (absent ones are left alone on existing users). */
  readonly input: Record<string, unknown>;
  /** CSV attribute cells: set (string) or clear (null) one key; JSON replaces the whole map instead. */
  readonly attributeCells: Record<string, string | null> | null;
  readonly groups: readonly string[];
}

interface GroupItem {
  readonly line: number;
  readonly where: string;
  readonly input: Record<string, unknown>;
  readonly attributeCells: Record<string, string | null> | null;
  readonly parentGroups: readonly string[];
}

interface Parsed {
  users: UserItem[];
  groups: GroupItem[];
  /** The file's structure is wrong (e.g. its header): row checks would only repeat the same problem. */
  fatal?: boolean;
}

class Problems {
  readonly list: FieldProblem[] = [];
  add(line: number, message: string): void {
    this.list.push({ at: `line ${line}`, message });
  }
}

const splitList = (cell: string): string[] => [
  ...new Set(
    cell
      .split(LIST_SEPARATOR)
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  ),
];

// ---- CSV

interface CsvHeader {
  readonly columns: readonly string[];
}

function readHeader(header: CsvRow, known: readonly string[], required: string, problems: Problems): CsvHeader {
  const columns: string[] = [];
  const unknown: string[] = [];
  for (const raw of header.cells) {
    const cell = raw.trim();
    const match = known.find((k) => k.toLowerCase() === cell.toLowerCase());
    const name =
      match ??
      (cell.toLowerCase().startsWith(ATTR_PREFIX) && cell.length > ATTR_PREFIX.length
        ? ATTR_PREFIX + cell.slice(ATTR_PREFIX.length)
        : null);
    if (name === null) unknown.push(cell === '' ? '(empty)' : cell);
    else if (columns.includes(name)) problems.add(header.line, `column ${name} appears twice`);
    columns.push(name ?? cell);
  }
  if (unknown.length)
    problems.add(
      header.line,
      `unknown column${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; known: ${known.join(', ')}, ${ATTR_PREFIX}<name>`,
    );
  if (!columns.includes(required)) problems.add(header.line, `required column ${required} is missing`);
  return { columns };
}

function cellsOf(row: CsvRow, header: CsvHeader, problems: Problems): Map<string, string> | null {
  if (row.cells.length !== header.columns.length) {
    problems.add(row.line, `has ${row.cells.length} cells but the header has ${header.columns.length}`);
    return null;
  }
  return new Map(header.columns.map((c, i) => [c, row.cells[i] ?? '']));
}

function attributeCells(cells: Map<string, string>): Record<string, string | null> | null {
  const out: Record<string, string | null> = {};
  let any = false;
  for (const [k, v] of cells) {
    if (!k.startsWith(ATTR_PREFIX)) continue;
    out[k.slice(ATTR_PREFIX.length)] = v === '' ? null : v;
    any = true;
  }
  return any ? out : null;
}

const optionalCell = (v: string): string | null => (v.trim() === '' ? null : v);

function parseUsersCsv(rows: CsvRow[], header: CsvHeader, problems: Problems): Parsed {
  const users: UserItem[] = [];
  for (const row of rows) {
    const cells = cellsOf(row, header, problems);
    if (!cells) continue;
    const input: Record<string, unknown> = {};
    for (const [k, v] of cells) {
      if (k === 'userName') input[k] = v;
      else if (k === 'givenName' || k === 'familyName' || k === 'displayName' || k === 'externalId')
        input[k] = optionalCell(v);
      else if (k === 'email') input['emails'] = v.trim() === '' ? [] : [{ value: v.trim(), primary: true }];
      else if (k === 'status' && v.trim() !== '') input[k] = v.trim().toLowerCase();
    }
    users.push({
      line: row.line,
      where: '',
      input,
      attributeCells: attributeCells(cells),
      groups: splitList(cells.get('groups') ?? ''),
    });
  }
  return { users, groups: [] };
}

function parseGroupsCsv(rows: CsvRow[], header: CsvHeader, problems: Problems): Parsed {
  const groups: GroupItem[] = [];
  for (const row of rows) {
    const cells = cellsOf(row, header, problems);
    if (!cells) continue;
    const input: Record<string, unknown> = {};
    for (const [k, v] of cells) {
      if (k === 'displayName') input[k] = v;
      else if (k === 'description' || k === 'externalId') input[k] = optionalCell(v);
    }
    groups.push({
      line: row.line,
      where: '',
      input,
      attributeCells: attributeCells(cells),
      parentGroups: splitList(cells.get('parentGroups') ?? ''),
    });
  }
  return { users: [], groups };
}

function parseCsvFile(text: string, format: 'csv' | 'users-csv' | 'groups-csv', problems: Problems): Parsed {
  const { header, rows } = parseCsvText(text);
  const names = header.cells.map((c) => c.trim().toLowerCase());
  const kind =
    format === 'csv'
      ? names.includes('username')
        ? 'users-csv'
        : names.includes('displayname')
          ? 'groups-csv'
          : null
      : format;
  if (kind === null) {
    problems.add(header.line, 'the header needs a userName column (users file) or a displayName column (groups file)');
    return { users: [], groups: [], fatal: true };
  }
  if (rows.length > MAX_IMPORT_ROWS)
    problems.add(header.line, `the file has ${rows.length} rows; at most ${MAX_IMPORT_ROWS} per import`);
  const columns =
    kind === 'users-csv'
      ? readHeader(header, USER_COLUMNS, 'userName', problems)
      : readHeader(header, GROUP_COLUMNS, 'displayName', problems);
  if (problems.list.length) return { users: [], groups: [], fatal: true };
  return kind === 'users-csv' ? parseUsersCsv(rows, columns, problems) : parseGroupsCsv(rows, columns, problems);
}

// ---- JSON

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function nameList(value: unknown, where: string, line: number, problems: Problems): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
    problems.add(line, `${where}: must be a list of group displayNames`);
    return [];
  }
  return [...new Set(value.map((s) => s.trim()).filter((s) => s !== ''))];
}

function parseJsonFile(text: string, problems: Problems): Parsed {
  const { value, lines } = parseJsonText(text, ['users', 'groups']);
  const out: Parsed = { users: [], groups: [] };
  if (!isRecord(value)) {
    problems.add(1, 'the file must be a JSON object with "users" and/or "groups" lists');
    return { ...out, fatal: true };
  }
  for (const key of Object.keys(value))
    if (key !== 'users' && key !== 'groups')
      problems.add(1, `unknown top-level key ${JSON.stringify(key)}; known: users, groups`);
  const list = (key: 'users' | 'groups'): unknown[] => {
    const v = value[key];
    if (v === undefined) return [];
    if (!Array.isArray(v)) {
      problems.add(1, `${key} must be a list`);
      return [];
    }
    return v;
  };
  const users = list('users');
  const groups = list('groups');
  if (users.length + groups.length > MAX_IMPORT_ROWS) {
    problems.add(1, `the file has ${users.length + groups.length} entries; at most ${MAX_IMPORT_ROWS} per import`);
    return { ...out, fatal: true };
  }
  users.forEach((item, i) => {
    const line = lines.get('users')?.[i] ?? 1;
    const where = `users[${i}]`;
    if (!isRecord(item)) {
      problems.add(line, `${where}: must be an object`);
      return;
    }
    const { groups: g, ...input } = item;
    out.users.push({
      line,
      where,
      input,
      attributeCells: null,
      groups: nameList(g, `${where}.groups`, line, problems),
    });
  });
  groups.forEach((item, i) => {
    const line = lines.get('groups')?.[i] ?? 1;
    const where = `groups[${i}]`;
    if (!isRecord(item)) {
      problems.add(line, `${where}: must be an object`);
      return;
    }
    const { parentGroups: p, ...input } = item;
    out.groups.push({
      line,
      where,
      input,
      attributeCells: null,
      parentGroups: nameList(p, `${where}.parentGroups`, line, problems),
    });
  });
  return out;
}

// ---- validation against itself and the directory

function fieldProblems(item: { line: number; where: string }, run: () => void, problems: Problems): void {
  try {
    run();
  } catch (e) {
    if (!isDomainError(e)) throw e;
    const prefix = item.where ? `${item.where}.` : '';
    for (const p of e.problems) problems.add(item.line, `${prefix}${p.at}: ${p.message}`);
  }
}

const cellAttributes = (cells: Record<string, string | null> | null): CustomAttributes =>
  Object.fromEntries(Object.entries(cells ?? {}).filter((e): e is [string, string] => e[1] !== null));

async function validate(dir: DirectoryService, parsed: Parsed, problems: Problems): Promise<void> {
  const groupLines = new Map<string, number>();
  for (const g of parsed.groups) {
    fieldProblems(
      g,
      () =>
        validateNewGroup({ ...g.input, ...(g.attributeCells ? { attributes: cellAttributes(g.attributeCells) } : {}) }),
      problems,
    );
    if (typeof g.input['displayName'] === 'string' && g.input['displayName'].trim() !== '') {
      const key = foldCase(g.input['displayName']);
      const first = groupLines.get(key);
      if (first !== undefined)
        problems.add(g.line, `displayName ${JSON.stringify(g.input['displayName'])} already appears on line ${first}`);
      else groupLines.set(key, g.line);
    }
  }
  const userLines = new Map<string, number>();
  for (const u of parsed.users) {
    fieldProblems(
      u,
      () =>
        validateNewUser({ ...u.input, ...(u.attributeCells ? { attributes: cellAttributes(u.attributeCells) } : {}) }),
      problems,
    );
    if (typeof u.input['userName'] === 'string' && u.input['userName'].trim() !== '') {
      const key = foldCase(u.input['userName']);
      const first = userLines.get(key);
      if (first !== undefined)
        problems.add(
          u.line,
          `userName ${JSON.stringify(u.input['userName'])} already appears on line ${first} (userName is case-insensitive)`,
        );
      else userLines.set(key, u.line);
    }
  }
  const known = new Map<string, boolean>();
  const exists = async (name: string): Promise<boolean> => {
    const key = foldCase(name);
    if (groupLines.has(key)) return true;
    if (!known.has(key)) known.set(key, (await dir.findGroupByDisplayName(name)) !== null);
    return known.get(key) === true;
  };
  for (const g of parsed.groups) {
    for (const p of g.parentGroups) {
      if (typeof g.input['displayName'] === 'string' && foldCase(p) === foldCase(g.input['displayName']))
        problems.add(g.line, `group ${JSON.stringify(p)} cannot be its own parent`);
      else if (!(await exists(p))) problems.add(g.line, `parent group ${JSON.stringify(p)} does not exist`);
    }
  }
  for (const u of parsed.users) {
    for (const name of u.groups)
      if (!(await exists(name))) problems.add(u.line, `group ${JSON.stringify(name)} does not exist`);
  }
}

// ---- apply

class DryRunDone extends Error {
  constructor(readonly report: ImportReport) {
    super('dry run');
  }
}

async function atLine<T>(line: number, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (!isDomainError(e)) throw e;
    const detail = e.problems.length
      ? `${e.message} (${e.problems.map((p) => `${p.at}: ${p.message}`).join('; ')})`
      : e.message;
    throw new DomainError(e.code, `line ${line}: ${e.message}; nothing was imported`, [
      { at: `line ${line}`, message: detail },
    ]);
  }
}

function mergedAttributes(current: CustomAttributes, cells: Record<string, string | null>): CustomAttributes {
  const out: Record<string, string | readonly string[]> = { ...current };
  for (const [k, v] of Object.entries(cells)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

async function applyGroups(
  tx: DirectoryService,
  actor: Actor,
  items: readonly GroupItem[],
  report: ImportReport,
): Promise<Map<string, Group>> {
  const byName = new Map<string, Group>();
  for (const item of items) {
    const name = String(item.input['displayName']);
    const group = await atLine(item.line, async () => {
      const existing = await tx.findGroupByDisplayName(name);
      if (!existing) {
        report.groups.created++;
        const input = {
          ...item.input,
          ...(item.attributeCells ? { attributes: cellAttributes(item.attributeCells) } : {}),
        } as NewGroup;
        return tx.createGroup(actor, input);
      }
      const patch = {
        ...item.input,
        ...(item.attributeCells ? { attributes: mergedAttributes(existing.attributes, item.attributeCells) } : {}),
      } as GroupPatch;
      const updated = await tx.updateGroup(actor, existing.id, patch);
      report.groups[updated.version === existing.version ? 'unchanged' : 'updated']++;
      return updated;
    });
    byName.set(foldCase(name), group);
  }
  return byName;
}

/** Resolves group names to ids, remembering directory lookups (a file names the same groups on many rows). */
async function groupIdOf(tx: DirectoryService, name: string, known: Map<string, Group>): Promise<string> {
  const key = foldCase(name);
  let g = known.get(key);
  if (!g) {
    g = (await tx.findGroupByDisplayName(name)) ?? undefined;
    if (!g) throw new DomainError('not_found', `group ${JSON.stringify(name)} does not exist`);
    known.set(key, g);
  }
  return g.id;
}

async function applyUsers(
  tx: DirectoryService,
  actor: Actor,
  items: readonly UserItem[],
  groups: Map<string, Group>,
  report: ImportReport,
): Promise<void> {
  for (const item of items) {
    await atLine(item.line, async () => {
      const { status, ...fields } = item.input;
      const existing = await tx.findUserByUserName(String(item.input['userName']));
      let user: User;
      if (!existing) {
        const input = {
          ...item.input,
          ...(item.attributeCells ? { attributes: cellAttributes(item.attributeCells) } : {}),
        } as NewUser;
        user = await tx.createUser(actor, input);
        report.users.created++;
      } else {
        const patch = {
          ...fields,
          ...(item.attributeCells ? { attributes: mergedAttributes(existing.attributes, item.attributeCells) } : {}),
        } as UserPatch;
        user = await tx.updateUser(actor, existing.id, patch);
        if (status !== undefined && status !== user.status)
          user = await tx.setUserStatus(actor, user.id, status as UserStatus);
        report.users[user.version === existing.version ? 'unchanged' : 'updated']++;
      }
      if (item.groups.length === 0) return;
      const current = new Set(existing ? (await tx.directGroupsOfUser(user.id)).map((g) => g.id) : []);
      for (const name of item.groups) {
        const groupId = await groupIdOf(tx, name, groups);
        if (current.has(groupId)) continue;
        await tx.addMember(actor, groupId, { kind: 'user', id: user.id });
        current.add(groupId);
        report.membershipsAdded++;
      }
    });
  }
}

async function applyParents(
  tx: DirectoryService,
  actor: Actor,
  items: readonly GroupItem[],
  groups: Map<string, Group>,
  report: ImportReport,
): Promise<void> {
  for (const item of items) {
    if (item.parentGroups.length === 0) continue;
    await atLine(item.line, async () => {
      const child = groups.get(foldCase(String(item.input['displayName'])));
      if (!child) throw new DomainError('not_found', 'group vanished during import');
      for (const name of item.parentGroups) {
        const parentId = await groupIdOf(tx, name, groups);
        if ((await tx.listMembers(parentId)).some((m) => m.kind === 'group' && m.id === child.id)) continue;
        await tx.addMember(actor, parentId, { kind: 'group', id: child.id });
        report.membershipsAdded++;
      }
    });
  }
}

/**
 * Validates the whole file, then applies it in one transaction. Throws DomainError invalid_input listing every
 * bad row (`at: "line N"`) and imports nothing; a change the directory rejects while applying (a membership
 * cycle, a name taken meanwhile) aborts everything and is reported with its line.
 */
export async function importDirectory(
  dir: DirectoryService,
  actor: Actor,
  input: Uint8Array | string,
  options: ImportOptions,
): Promise<ImportReport> {
  const text = decodeText(input);
  const problems = new Problems();
  const parsed =
    options.format === 'json' ? parseJsonFile(text, problems) : parseCsvFile(text, options.format, problems);
  if (!parsed.fatal) await validate(dir, parsed, problems);
  if (problems.list.length) {
    const lines = new Set(problems.list.map((p) => p.at)).size;
    const lineOf = (at: string) => Number(/\d+/.exec(at)?.[0] ?? 0);
    problems.list.sort((a, b) => lineOf(a.at) - lineOf(b.at));
    throw new DomainError(
      'invalid_input',
      `The file has problems on ${lines} line${lines > 1 ? 's' : ''}; nothing was imported`,
      problems.list,
    );
  }
  const report: ImportReport = {
    dryRun: options.dryRun === true,
    users: { created: 0, updated: 0, unchanged: 0 },
    groups: { created: 0, updated: 0, unchanged: 0 },
    membershipsAdded: 0,
  };
  try {
    await dir.transaction(async (tx) => {
      const groups = await applyGroups(tx, actor, parsed.groups, report);
      await applyParents(tx, actor, parsed.groups, groups, report);
      await applyUsers(tx, actor, parsed.users, groups, report);
      if (options.dryRun) throw new DryRunDone(report);
    });
  } catch (e) {
    if (e instanceof DryRunDone) return e.report;
    throw e;
  }
  return report;
}

// ---- export

const PAGE = 500;

async function allUsers(dir: DirectoryService): Promise<User[]> {
  const out: User[] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 1_000_000; guard++) {
    const page = await dir.listUsers({ limit: PAGE, ...(cursor ? { cursor } : {}) });
    out.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return out;
}

async function allGroups(dir: DirectoryService): Promise<Group[]> {
  const out: Group[] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 1_000_000; guard++) {
    const page = await dir.listGroups({ limit: PAGE, ...(cursor ? { cursor } : {}) });
    out.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return out;
}

const attrCell = (v: string | readonly string[] | undefined): string =>
  v === undefined ? '' : typeof v === 'string' ? v : v.join(LIST_SEPARATOR);
const attributeKeys = (objs: readonly { attributes: CustomAttributes }[]): string[] =>
  [...new Set(objs.flatMap((o) => Object.keys(o.attributes)))].sort();

/** Writes the whole directory in one of the import formats; importing the output changes nothing. */
export async function exportDirectory(dir: DirectoryService, format: ExportFormat): Promise<string> {
  return dir.transaction(async (tx) => {
    const users = await allUsers(tx);
    const groups = await allGroups(tx);
    const groupsOfUser = new Map<string, string[]>();
    const parentsOfGroup = new Map<string, string[]>();
    for (const g of groups) {
      for (const m of await tx.listMembers(g.id)) {
        const target = m.kind === 'user' ? groupsOfUser : parentsOfGroup;
        target.set(m.id, [...(target.get(m.id) ?? []), g.displayName]);
      }
    }
    const sortedNames = (m: Map<string, string[]>, id: string) =>
      [...(m.get(id) ?? [])].sort((a, b) => a.localeCompare(b));
    if (format === 'json') {
      return `${JSON.stringify(
        {
          groups: groups.map((g) => ({
            displayName: g.displayName,
            description: g.description,
            externalId: g.externalId,
            attributes: g.attributes,
            parentGroups: sortedNames(parentsOfGroup, g.id),
          })),
          users: users.map((u) => ({
            userName: u.userName,
            givenName: u.givenName,
            familyName: u.familyName,
            displayName: u.displayName,
            emails: u.emails,
            externalId: u.externalId,
            status: u.status,
            attributes: u.attributes,
            groups: sortedNames(groupsOfUser, u.id),
          })),
        },
        null,
        2,
      )}\n`;
    }
    if (format === 'users-csv') {
      const keys = attributeKeys(users);
      const rows = users.map((u) => [
        u.userName,
        u.givenName ?? '',
        u.familyName ?? '',
        u.displayName ?? '',
        (u.emails.find((e) => e.primary) ?? u.emails[0])?.value ?? '',
        u.externalId ?? '',
        u.status,
        sortedNames(groupsOfUser, u.id).join(LIST_SEPARATOR),
        ...keys.map((k) => attrCell(u.attributes[k])),
      ]);
      return stringify([[...USER_COLUMNS, ...keys.map((k) => ATTR_PREFIX + k)], ...rows]);
    }
    const keys = attributeKeys(groups);
    const rows = groups.map((g) => [
      g.displayName,
      g.description ?? '',
      g.externalId ?? '',
      sortedNames(parentsOfGroup, g.id).join(LIST_SEPARATOR),
      ...keys.map((k) => attrCell(g.attributes[k])),
    ]);
    return stringify([[...GROUP_COLUMNS, ...keys.map((k) => ATTR_PREFIX + k)], ...rows]);
  });
}
