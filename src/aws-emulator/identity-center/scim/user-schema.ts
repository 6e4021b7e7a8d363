import type { Address, Email, Enterprise, PersonName, PhoneNumber, Role, UserData, UserRecord } from '../store.js';
import { invalid } from './errors.js';
import type { JsonObject, JsonValue } from './json.js';
import { bool, members, MAX_USERNAME, nameStr, obj, required, str } from './values.js';

/**
 * Identity Center's User dialect ([doc] SCIMDG createuser/putuser/limitations): required userName,
 * name.givenName, name.familyName and displayName; emails, phoneNumbers and addresses single-valued (the one
 * email marked primary), no `display` sub-attribute on them; no groups, password, ims, photos, entitlements
 * or x509Certificates; the enterprise extension without manager.displayName.
 */
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const UNSUPPORTED: Record<string, string> = {
  groups: "Attribute 'groups' cannot be set on a user.",
  password: "Attribute 'password' is not supported.",
  ims: "Attribute 'ims' is not supported.",
  photos: "Attribute 'photos' is not supported.",
  entitlements: "Attribute 'entitlements' is not supported.",
  x509Certificates: "Attribute 'x509Certificates' is not supported.",
};

export const USER_ATTRIBUTES = [
  'schemas',
  'id',
  'meta',
  'externalId',
  'userName',
  'name',
  'displayName',
  'nickName',
  'profileUrl',
  'title',
  'userType',
  'preferredLanguage',
  'locale',
  'timezone',
  'active',
  'emails',
  'addresses',
  'phoneNumbers',
  'roles',
  ENTERPRISE_SCHEMA,
] as const;

export const NAME_ATTRIBUTES = [
  'formatted',
  'familyName',
  'givenName',
  'middleName',
  'honorificPrefix',
  'honorificSuffix',
] as const;
export const EMAIL_ATTRIBUTES = ['value', 'type', 'primary'] as const;
export const PHONE_ATTRIBUTES = ['value', 'type', 'primary'] as const;
export const ADDRESS_ATTRIBUTES = [
  'formatted',
  'streetAddress',
  'locality',
  'region',
  'postalCode',
  'country',
  'type',
  'primary',
] as const;
export const ROLE_ATTRIBUTES = ['value', 'type', 'primary'] as const;
export const ENTERPRISE_ATTRIBUTES = [
  'employeeNumber',
  'costCenter',
  'organization',
  'division',
  'department',
  'manager',
] as const;

const NO_DISPLAY = (attr: string): Record<string, string> => ({
  display: `Sub-attribute 'display' is not allowed for ${attr}.`,
});

/** A multi-valued attribute that Identity Center holds as at most one value. */
function single(v: JsonValue | undefined, attr: string): JsonObject | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw invalid(`Attribute '${attr}' must be an array.`);
  if (v.length === 0) return undefined;
  if (v.length > 1) throw invalid(`Attribute '${attr}' supports a single value only.`);
  return required(obj(v[0], attr), attr);
}

function parseName(v: JsonValue | undefined): PersonName {
  const o = required(obj(v, 'name'), 'name');
  const m = members(o, 'name', NAME_ATTRIBUTES);
  const n: PersonName = {};
  for (const a of NAME_ATTRIBUTES) {
    const s = a === 'givenName' || a === 'familyName' ? nameStr(m.get(a), `name.${a}`) : str(m.get(a), `name.${a}`);
    if (s !== undefined) n[a] = s;
  }
  required(n.givenName, 'name.givenName');
  required(n.familyName, 'name.familyName');
  return n;
}

function parseEmail(v: JsonValue | undefined): Email[] {
  const o = single(v, 'emails');
  if (!o) return [];
  const m = members(o, 'emails', EMAIL_ATTRIBUTES, NO_DISPLAY('emails'));
  const value = required(str(m.get('value'), 'emails.value'), 'emails.value');
  if (bool(m.get('primary'), 'emails.primary') !== true) throw invalid('The email address must be marked as primary.');
  const e: Email = { value, primary: true };
  const type = str(m.get('type'), 'emails.type');
  if (type !== undefined) e.type = type;
  return [e];
}

function parsePhone(v: JsonValue | undefined): PhoneNumber[] {
  const o = single(v, 'phoneNumbers');
  if (!o) return [];
  const m = members(o, 'phoneNumbers', PHONE_ATTRIBUTES, NO_DISPLAY('phoneNumbers'));
  const p: PhoneNumber = { value: required(str(m.get('value'), 'phoneNumbers.value'), 'phoneNumbers.value') };
  const type = str(m.get('type'), 'phoneNumbers.type');
  if (type !== undefined) p.type = type;
  const primary = bool(m.get('primary'), 'phoneNumbers.primary');
  if (primary !== undefined) p.primary = primary;
  return [p];
}

function parseAddress(v: JsonValue | undefined): Address[] {
  const o = single(v, 'addresses');
  if (!o) return [];
  const m = members(o, 'addresses', ADDRESS_ATTRIBUTES, NO_DISPLAY('addresses'));
  const a: Address = {};
  for (const k of ['formatted', 'streetAddress', 'locality', 'region', 'postalCode', 'country', 'type'] as const) {
    const s = str(m.get(k), `addresses.${k}`);
    if (s !== undefined) a[k] = s;
  }
  const primary = bool(m.get('primary'), 'addresses.primary');
  if (primary !== undefined) a.primary = primary;
  return [a];
}

function parseRoles(v: JsonValue | undefined): Role[] {
  const o = single(v, 'roles');
  if (!o) return [];
  const m = members(o, 'roles', ROLE_ATTRIBUTES);
  const r: Role = { value: required(str(m.get('value'), 'roles.value'), 'roles.value') };
  const type = str(m.get('type'), 'roles.type');
  if (type !== undefined) r.type = type;
  const primary = bool(m.get('primary'), 'roles.primary');
  if (primary !== undefined) r.primary = primary;
  return [r];
}

function parseEnterprise(v: JsonValue | undefined): Enterprise | undefined {
  const o = obj(v, ENTERPRISE_SCHEMA);
  if (!o) return undefined;
  const m = members(o, ENTERPRISE_SCHEMA, ENTERPRISE_ATTRIBUTES);
  const e: Enterprise = {};
  for (const k of ['employeeNumber', 'costCenter', 'organization', 'division', 'department'] as const) {
    const s = str(m.get(k), k);
    if (s !== undefined) e[k] = s;
  }
  const mgr = obj(m.get('manager'), 'manager');
  if (mgr) {
    const mm = members(mgr, 'manager', ['value', '$ref'], {
      displayName: "Sub-attribute 'manager.displayName' is not supported.",
    });
    const value = str(mm.get('value'), 'manager.value');
    if (value !== undefined) e.manager = value;
  }
  return Object.keys(e).length > 0 ? e : undefined;
}

function checkSchemas(v: JsonValue | undefined): void {
  if (!Array.isArray(v) || !v.some((s) => s === USER_SCHEMA))
    throw invalid(`Attribute 'schemas' must contain '${USER_SCHEMA}'.`);
  for (const s of v) {
    if (s !== USER_SCHEMA && s !== ENTERPRISE_SCHEMA)
      throw invalid("Attribute 'schemas' contains an unsupported schema.");
  }
}

/**
 * Turns a whole User representation into store data. `id` and `meta` are read-only and ignored
 * (RFC 7643 §2.2 mutability); PutUser allows spaces in userName, CreateUser does not ([doc] SCIMDG).
 */
export function parseUser(body: JsonObject, mode: 'create' | 'put'): UserData {
  const m = members(body, '', USER_ATTRIBUTES, UNSUPPORTED);
  checkSchemas(m.get('schemas'));
  const userName = required(nameStr(m.get('userName'), 'userName', MAX_USERNAME), 'userName');
  if (mode === 'create' && /\s/.test(userName)) throw invalid("Attribute 'userName' must not contain spaces.");
  const data: UserData = {
    userName,
    name: parseName(m.get('name')),
    displayName: required(nameStr(m.get('displayName'), 'displayName'), 'displayName'),
    active: bool(m.get('active'), 'active') ?? true,
    emails: parseEmail(m.get('emails')),
    addresses: parseAddress(m.get('addresses')),
    phoneNumbers: parsePhone(m.get('phoneNumbers')),
    roles: parseRoles(m.get('roles')),
  };
  const externalId = str(m.get('externalId'), 'externalId');
  if (externalId !== undefined) data.externalId = externalId;
  for (const k of ['nickName', 'profileUrl', 'title', 'userType', 'preferredLanguage', 'locale', 'timezone'] as const) {
    const s = str(m.get(k), k);
    if (s !== undefined) data[k] = s;
  }
  const ent = parseEnterprise(m.get(ENTERPRISE_SCHEMA));
  if (ent) data.enterprise = ent;
  return data;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The representation Identity Center returns ([doc] SCIMDG examples: no meta.location, no version). */
export function renderUser(u: UserRecord): JsonObject {
  const out = Object.create(null) as JsonObject;
  out.id = u.id;
  if (u.externalId !== undefined) out.externalId = u.externalId;
  out.meta = { resourceType: 'User', created: iso(u.created), lastModified: iso(u.lastModified) };
  out.schemas = u.enterprise ? [USER_SCHEMA, ENTERPRISE_SCHEMA] : [USER_SCHEMA];
  out.userName = u.userName;
  out.name = { ...u.name };
  if (u.displayName !== undefined) out.displayName = u.displayName;
  for (const k of ['nickName', 'profileUrl', 'title', 'userType', 'preferredLanguage', 'locale', 'timezone'] as const) {
    const v = u[k];
    if (v !== undefined) out[k] = v;
  }
  out.active = u.active;
  if (u.emails.length) out.emails = u.emails.map((e) => ({ ...e }));
  if (u.addresses.length) out.addresses = u.addresses.map((a) => ({ ...a }));
  if (u.phoneNumbers.length) out.phoneNumbers = u.phoneNumbers.map((p) => ({ ...p }));
  if (u.roles.length) out.roles = u.roles.map((r) => ({ ...r }));
  if (u.enterprise) {
    const { manager, ...rest } = u.enterprise;
    out[ENTERPRISE_SCHEMA] = manager === undefined ? { ...rest } : { ...rest, manager: { value: manager } };
  }
  return out;
}
