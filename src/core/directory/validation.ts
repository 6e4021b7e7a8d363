import { DomainError, type FieldProblem } from '../errors.js';
import type { CustomAttributes, Email, GroupPatch, Member, NewGroup, NewUser, UserPatch, UserStatus } from './types.js';

/**
 * Validation of directory input at the domain boundary. Callers (admin API, SCIM, CLI, import) may validate
 * shapes earlier, but the domain never trusts them: every write goes through these checks, and every problem
 * is reported at once with the field it concerns.
 */
const NAME_MAX = 256;
const DESCRIPTION_MAX = 1024;
const EMAILS_MAX = 20;
const ATTRIBUTES_MAX = 50;
const ATTRIBUTE_VALUE_MAX = 2048;
const ATTRIBUTE_KEY = /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/;
// Deliberately loose (RFC 5321 local parts are wild); it rejects what cannot be delivered at all.
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;
// C0/C1 controls and the line/paragraph separators have no place in names and break logs and CSV exports.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// A byte order mark inside a value is a paste or encoding accident; String#trim would silently drop one at the
// ends, so it is refused before trimming. U+FFFE and U+FFFF are not characters, and XML cannot carry them.
const NOT_TEXT = /[\ufeff\ufffe\uffff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a string is not well-formed text (RFC 8259 8.2 allows lone surrogates in JSON; no field here does), or null. */
export function illFormed(value: string): string | null {
  if (LONE_SURROGATE.test(value)) return 'must be well-formed Unicode (it contains a lone surrogate)';
  if (NOT_TEXT.test(value)) return 'must not contain a byte order mark (U+FEFF) or a non-character (U+FFFE, U+FFFF)';
  return null;
}

type Problems = FieldProblem[];

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function rejectUnknown(
  input: Record<string, unknown>,
  allowed: readonly string[],
  problems: Problems,
  prefix = '',
): void {
  for (const key of Object.keys(input)) {
    if (!allowed.includes(key)) problems.push({ at: prefix + key, message: 'is not a known field' });
  }
}

function text(value: unknown, at: string, max: number, problems: Problems, required: true): string;
function text(value: unknown, at: string, max: number, problems: Problems, required: false): string | null;
function text(value: unknown, at: string, max: number, problems: Problems, required: boolean): string | null {
  if (value === undefined || value === null) {
    if (required) problems.push({ at, message: 'is required' });
    return required ? '' : null;
  }
  if (typeof value !== 'string') {
    problems.push({ at, message: 'must be a string' });
    return required ? '' : null;
  }
  const bad = illFormed(value);
  if (bad) {
    problems.push({ at, message: bad });
    return required ? '' : null;
  }
  const v = value.normalize('NFC').trim();
  if (v === '') {
    if (required) problems.push({ at, message: 'must not be empty' });
    return required ? '' : null;
  }
  if (v.length > max) problems.push({ at, message: `must be at most ${max} characters` });
  if (CONTROL.test(v)) problems.push({ at, message: 'must not contain control characters' });
  return v;
}

function emails(value: unknown, problems: Problems): Email[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.push({ at: 'emails', message: 'must be a list' });
    return [];
  }
  if (value.length > EMAILS_MAX) problems.push({ at: 'emails', message: `must have at most ${EMAILS_MAX} entries` });
  const out: Email[] = [];
  let primaries = 0;
  value.forEach((item: unknown, i) => {
    const at = `emails[${i}]`;
    if (!isRecord(item)) {
      problems.push({ at, message: 'must be an object with a value' });
      return;
    }
    rejectUnknown(item, ['value', 'type', 'primary'], problems, `${at}.`);
    const v = text(item['value'], `${at}.value`, 320, problems, true);
    if (v !== '' && !EMAIL.test(v)) problems.push({ at: `${at}.value`, message: 'must be an email address' });
    const type = text(item['type'], `${at}.type`, 32, problems, false);
    const primary = item['primary'];
    if (primary !== undefined && typeof primary !== 'boolean')
      problems.push({ at: `${at}.primary`, message: 'must be true or false' });
    if (primary === true) primaries++;
    out.push({ value: v, ...(type !== null ? { type } : {}), ...(primary === true ? { primary: true } : {}) });
  });
  if (primaries > 1) problems.push({ at: 'emails', message: 'at most one email may be primary' });
  const seen = new Set<string>();
  for (const e of out) {
    const k = e.value.toLowerCase();
    if (seen.has(k)) problems.push({ at: 'emails', message: `lists ${e.value} twice` });
    seen.add(k);
  }
  return out;
}

function attributes(value: unknown, problems: Problems): CustomAttributes {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) {
    problems.push({ at: 'attributes', message: 'must be an object of string or string-list values' });
    return {};
  }
  const keys = Object.keys(value);
  if (keys.length > ATTRIBUTES_MAX)
    problems.push({ at: 'attributes', message: `must have at most ${ATTRIBUTES_MAX} keys` });
  const out: Record<string, string | readonly string[]> = {};
  for (const key of keys) {
    const at = `attributes.${key}`;
    if (!ATTRIBUTE_KEY.test(key)) {
      problems.push({ at, message: 'key must start with a letter and use letters, digits, _ . : - (max 64)' });
      continue;
    }
    const v = value[key];
    const one = (s: unknown, where: string): string | null => {
      if (typeof s !== 'string') {
        problems.push({ at: where, message: 'must be a string' });
        return null;
      }
      if (s.length > ATTRIBUTE_VALUE_MAX)
        problems.push({ at: where, message: `must be at most ${ATTRIBUTE_VALUE_MAX} characters` });
      const bad = illFormed(s);
      if (bad) problems.push({ at: where, message: bad });
      return s;
    };
    if (Array.isArray(v)) {
      if (v.length > ATTRIBUTES_MAX) problems.push({ at, message: `must have at most ${ATTRIBUTES_MAX} values` });
      const list = v.map((s: unknown, i) => one(s, `${at}[${i}]`)).filter((s): s is string => s !== null);
      out[key] = list;
    } else {
      const s = one(v, at);
      if (s !== null) out[key] = s;
    }
  }
  return out;
}

function status(value: unknown, problems: Problems): UserStatus {
  if (value === undefined) return 'active';
  if (value === 'active' || value === 'suspended') return value;
  problems.push({ at: 'status', message: 'must be active or suspended' });
  return 'active';
}

function fail(what: string, problems: Problems): never {
  const first = problems[0];
  const summary = problems.length === 1 && first ? `${first.at} ${first.message}` : `${problems.length} problems`;
  throw new DomainError('invalid_input', `Invalid ${what}: ${summary}`, problems);
}

export interface ValidUser {
  readonly userName: string;
  readonly givenName: string | null;
  readonly familyName: string | null;
  readonly displayName: string | null;
  readonly emails: readonly Email[];
  readonly externalId: string | null;
  readonly status: UserStatus;
  readonly attributes: CustomAttributes;
}

const USER_FIELDS = [
  'userName',
  'givenName',
  'familyName',
  'displayName',
  'emails',
  'externalId',
  'status',
  'attributes',
] as const;

export function validateNewUser(input: NewUser | unknown): ValidUser {
  const problems: Problems = [];
  if (!isRecord(input)) fail('user', [{ at: '', message: 'must be an object' }]);
  rejectUnknown(input, USER_FIELDS, problems);
  const user: ValidUser = {
    userName: text(input['userName'], 'userName', NAME_MAX, problems, true),
    givenName: text(input['givenName'], 'givenName', NAME_MAX, problems, false),
    familyName: text(input['familyName'], 'familyName', NAME_MAX, problems, false),
    displayName: text(input['displayName'], 'displayName', NAME_MAX, problems, false),
    emails: emails(input['emails'], problems),
    externalId: text(input['externalId'], 'externalId', NAME_MAX, problems, false),
    status: status(input['status'], problems),
    attributes: attributes(input['attributes'], problems),
  };
  if (problems.length) fail('user', problems);
  return user;
}

/** Returns only the fields present in the patch; `null` clears a field, `undefined` leaves it alone. */
export function validateUserPatch(input: UserPatch | unknown): Partial<ValidUser> {
  const problems: Problems = [];
  if (!isRecord(input)) fail('user update', [{ at: '', message: 'must be an object' }]);
  rejectUnknown(
    input,
    USER_FIELDS.filter((f) => f !== 'status'),
    problems,
  );
  const out: { -readonly [K in keyof ValidUser]?: ValidUser[K] } = {};
  if ('userName' in input) out.userName = text(input['userName'], 'userName', NAME_MAX, problems, true);
  if ('givenName' in input) out.givenName = text(input['givenName'], 'givenName', NAME_MAX, problems, false);
  if ('familyName' in input) out.familyName = text(input['familyName'], 'familyName', NAME_MAX, problems, false);
  if ('displayName' in input) out.displayName = text(input['displayName'], 'displayName', NAME_MAX, problems, false);
  if ('emails' in input) out.emails = emails(input['emails'], problems);
  if ('externalId' in input) out.externalId = text(input['externalId'], 'externalId', NAME_MAX, problems, false);
  if ('attributes' in input) out.attributes = attributes(input['attributes'], problems);
  if (problems.length) fail('user update', problems);
  return out;
}

export function validateStatus(value: unknown): UserStatus {
  const problems: Problems = [];
  const s = status(value === undefined ? null : value, problems);
  if (problems.length) fail('status', problems);
  return s;
}

export interface ValidGroup {
  readonly displayName: string;
  readonly description: string | null;
  readonly externalId: string | null;
  readonly attributes: CustomAttributes;
}

const GROUP_FIELDS = ['displayName', 'description', 'externalId', 'attributes'] as const;

export function validateNewGroup(input: NewGroup | unknown): ValidGroup {
  const problems: Problems = [];
  if (!isRecord(input)) fail('group', [{ at: '', message: 'must be an object' }]);
  rejectUnknown(input, GROUP_FIELDS, problems);
  const group: ValidGroup = {
    displayName: text(input['displayName'], 'displayName', NAME_MAX, problems, true),
    description: text(input['description'], 'description', DESCRIPTION_MAX, problems, false),
    externalId: text(input['externalId'], 'externalId', NAME_MAX, problems, false),
    attributes: attributes(input['attributes'], problems),
  };
  if (problems.length) fail('group', problems);
  return group;
}

export function validateGroupPatch(input: GroupPatch | unknown): Partial<ValidGroup> {
  const problems: Problems = [];
  if (!isRecord(input)) fail('group update', [{ at: '', message: 'must be an object' }]);
  rejectUnknown(input, GROUP_FIELDS, problems);
  const out: { -readonly [K in keyof ValidGroup]?: ValidGroup[K] } = {};
  if ('displayName' in input) out.displayName = text(input['displayName'], 'displayName', NAME_MAX, problems, true);
  if ('description' in input)
    out.description = text(input['description'], 'description', DESCRIPTION_MAX, problems, false);
  if ('externalId' in input) out.externalId = text(input['externalId'], 'externalId', NAME_MAX, problems, false);
  if ('attributes' in input) out.attributes = attributes(input['attributes'], problems);
  if (problems.length) fail('group update', problems);
  return out;
}

export function validateMember(input: Member | unknown): Member {
  const problems: Problems = [];
  if (!isRecord(input)) fail('member', [{ at: 'member', message: 'must be an object with kind and id' }]);
  rejectUnknown(input, ['kind', 'id'], problems, 'member.');
  const kind = input['kind'];
  if (kind !== 'user' && kind !== 'group') problems.push({ at: 'member.kind', message: 'must be user or group' });
  const id = text(input['id'], 'member.id', NAME_MAX, problems, true);
  if (problems.length) fail('member', problems);
  return { kind: kind === 'group' ? 'group' : 'user', id };
}

/** Lower-cased comparison key used for uniqueness and exact filters, the same on every engine. */
export const foldCase = (s: string): string => s.normalize('NFC').trim().toLowerCase();

export const MAX_PAGE = 500;
export const DEFAULT_PAGE = 50;

/** Whether a page counts all matches: when asked, else on the first page only (see PageRequest.count). */
export const countPage = (query: { readonly cursor?: string; readonly count?: boolean }): boolean =>
  query.count ?? query.cursor === undefined;

export function pageLimit(limit: unknown): number {
  if (limit === undefined || limit === null) return DEFAULT_PAGE;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    throw new DomainError('invalid_input', `limit must be an integer from 1 to ${MAX_PAGE}`, [
      { at: 'limit', message: `must be 1..${MAX_PAGE}` },
    ]);
  }
  return limit;
}
