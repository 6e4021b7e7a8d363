import { invalid } from './errors.js';
import { getCi, isObject, type JsonObject, type JsonValue } from './json.js';
import { parsePatchPath, type PatchPath } from './patch-path.js';
import {
  ADDRESS_ATTRIBUTES,
  EMAIL_ATTRIBUTES,
  ENTERPRISE_ATTRIBUTES,
  ENTERPRISE_SCHEMA,
  NAME_ATTRIBUTES,
  PHONE_ATTRIBUTES,
} from './user-schema.js';

/** RFC 7644 §3.5.2 PatchOp, as Identity Center narrows it ([doc] SCIMDG patchuser, patchgroup). */
export const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const MAX_PATCH_OPERATIONS = 1000;

export interface PatchOp {
  readonly op: 'add' | 'replace' | 'remove';
  readonly path?: string;
  readonly value?: JsonValue;
}

export function parsePatchRequest(body: JsonObject): PatchOp[] {
  const schemas = getCi(body, 'schemas');
  if (!Array.isArray(schemas) || !schemas.includes(PATCH_SCHEMA))
    throw invalid(`Attribute 'schemas' must contain '${PATCH_SCHEMA}'.`);
  const ops = getCi(body, 'Operations');
  if (!Array.isArray(ops) || ops.length === 0) throw invalid("Attribute 'Operations' must be a non-empty array.");
  if (ops.length > MAX_PATCH_OPERATIONS)
    throw invalid(`A PATCH request may carry at most ${MAX_PATCH_OPERATIONS} operations.`);
  return ops.map((raw) => {
    if (!isObject(raw)) throw invalid('Each PATCH operation must be an object.');
    for (const k of Object.keys(raw)) {
      if (!['op', 'path', 'value'].includes(k.toLowerCase()))
        throw invalid(`PATCH operation member '${k}' is not supported.`);
    }
    const opRaw = getCi(raw, 'op');
    if (typeof opRaw !== 'string') throw invalid("PATCH operation member 'op' is required.");
    const op = opRaw.toLowerCase();
    if (op !== 'add' && op !== 'replace' && op !== 'remove') throw invalid('PATCH op must be add, replace or remove.');
    const path = getCi(raw, 'path');
    if (path !== undefined && typeof path !== 'string')
      throw invalid("PATCH operation member 'path' must be a string.");
    const value = getCi(raw, 'value');
    if (op === 'remove' && path === undefined) throw invalid("PATCH operation 'remove' requires a 'path'.");
    if (op !== 'remove' && value === undefined) throw invalid(`PATCH operation '${op}' requires a 'value'.`);
    const out: { op: PatchOp['op']; path?: string; value?: JsonValue } = { op };
    if (path !== undefined) out.path = path;
    if (value !== undefined) out.value = value;
    return out;
  });
}

const nobj = (): JsonObject => Object.create(null) as JsonObject;

// ---------------- users ----------------

const USER_SIMPLE = [
  'userName',
  'active',
  'externalId',
  'displayName',
  'nickName',
  'profileUrl',
  'title',
  'userType',
  'preferredLanguage',
  'locale',
  'timezone',
];
const USER_MULTI: Record<string, readonly string[]> = {
  emails: EMAIL_ATTRIBUTES,
  addresses: ADDRESS_ATTRIBUTES,
  phoneNumbers: PHONE_ATTRIBUTES,
};
const USER_READ_ONLY = ['id', 'meta', 'groups', 'schemas', 'roles'];
const USER_PATH_NAMES = [...USER_SIMPLE, 'name', ...Object.keys(USER_MULTI), ...USER_READ_ONLY];

function canon(name: string, allowed: readonly string[], attr: string): string {
  const l = name.toLowerCase();
  const c = allowed.find((a) => a.toLowerCase() === l);
  if (c === undefined) throw invalid(`Sub-attribute '${attr}.${name}' does not exist.`);
  return c;
}

function mergeInto(target: JsonObject, value: JsonValue, allowed: readonly string[], attr: string): void {
  if (!isObject(value)) throw invalid(`The value for '${attr}' must be an object.`);
  for (const k of Object.keys(value)) target[canon(k, allowed, attr)] = value[k] as JsonValue;
}

function matches(el: JsonObject, filter: PatchPath['filter'], allowed: readonly string[], attr: string): boolean {
  return (filter ?? []).every((c) => {
    const v = el[canon(c.path, allowed, attr)];
    if (typeof v === 'boolean') return String(v) === c.value.toLowerCase();
    return typeof v === 'string' && v.toLowerCase() === c.value.toLowerCase();
  });
}

function applyMulti(doc: JsonObject, p: PatchPath, op: PatchOp['op'], value: JsonValue | undefined): void {
  const allowed = USER_MULTI[p.attr] as readonly string[];
  const current = (Array.isArray(doc[p.attr]) ? (doc[p.attr] as JsonValue[]) : []).filter(isObject);
  if (!p.filter && p.sub === undefined) {
    if (op === 'remove') {
      delete doc[p.attr];
      return;
    }
    // These attributes hold one value in Identity Center, so `add` replaces the value rather than appending.
    doc[p.attr] = Array.isArray(value) ? value : [value as JsonValue];
    return;
  }
  const sub = p.sub === undefined ? undefined : canon(p.sub, allowed, p.attr);
  const selected = current.filter((el) => matches(el, p.filter, allowed, p.attr));
  if (op === 'remove') {
    if (sub === undefined) doc[p.attr] = current.filter((el) => !selected.includes(el));
    else for (const el of selected) delete el[sub];
    return;
  }
  if (selected.length === 0) {
    const el = nobj();
    for (const c of p.filter ?? [])
      el[canon(c.path, allowed, p.attr)] =
        c.path.toLowerCase() === 'primary' ? c.value.toLowerCase() === 'true' : c.value;
    if (sub === undefined) mergeInto(el, value as JsonValue, allowed, p.attr);
    else el[sub] = value as JsonValue;
    // The only email is the primary one, which Identity Center requires.
    if (p.attr === 'emails' && el.primary === undefined) el.primary = true;
    doc[p.attr] = [...current, el];
    return;
  }
  for (const el of selected) {
    if (sub === undefined) mergeInto(el, value as JsonValue, allowed, p.attr);
    else el[sub] = value as JsonValue;
  }
}

function applyEnterprise(doc: JsonObject, p: PatchPath, op: PatchOp['op'], value: JsonValue | undefined): void {
  if (p.filter) throw invalid('Value filters are not supported on the enterprise extension.');
  const ext = isObject(doc[ENTERPRISE_SCHEMA]) ? (doc[ENTERPRISE_SCHEMA] as JsonObject) : nobj();
  doc[ENTERPRISE_SCHEMA] = ext;
  if (p.sub === undefined) {
    if (op === 'remove') {
      delete doc[ENTERPRISE_SCHEMA];
      return;
    }
    if (!isObject(value)) throw invalid('The value for the enterprise extension must be an object.');
    for (const k of Object.keys(value)) applyEnterprise(doc, { attr: ENTERPRISE_SCHEMA, sub: k }, op, value[k]);
    return;
  }
  const [first, second] = p.sub.split('.');
  const name = canon(first as string, ENTERPRISE_ATTRIBUTES, 'enterprise');
  if (name === 'manager') {
    if (second !== undefined && second.toLowerCase() !== 'value')
      throw invalid(`Sub-attribute 'manager.${second}' is not supported.`);
    if (op === 'remove') {
      delete ext.manager;
      return;
    }
    // Entra sends the manager as a bare id string; the stored form is `{value}`.
    ext.manager =
      typeof value === 'string' || second !== undefined ? { value: value as JsonValue } : (value as JsonValue);
    return;
  }
  if (second !== undefined) throw invalid(`Sub-attribute '${p.sub}' does not exist.`);
  if (op === 'remove') delete ext[name];
  else ext[name] = value as JsonValue;
}

function applyUserOp(
  doc: JsonObject,
  p: PatchPath,
  op: PatchOp['op'],
  value: JsonValue | undefined,
  counts: Map<string, number>,
): void {
  if (p.attr === ENTERPRISE_SCHEMA) {
    applyEnterprise(doc, p, op, value);
    return;
  }
  if (USER_READ_ONLY.includes(p.attr)) {
    if (p.attr === 'id' && op !== 'remove' && value === doc.id && !p.sub) return;
    throw invalid(`Attribute '${p.attr}' is read-only and cannot be modified.`);
  }
  if (p.attr === 'userName' || p.attr === 'active') {
    if (op === 'remove') throw invalid(`Attribute '${p.attr}' cannot be removed.`);
    const n = (counts.get(p.attr) ?? 0) + 1;
    if (n > 1) throw invalid(`Only one operation on '${p.attr}' is allowed per request.`);
    counts.set(p.attr, n);
  }
  if (USER_MULTI[p.attr]) {
    applyMulti(doc, p, op, value);
    return;
  }
  if (p.filter) throw invalid(`Attribute '${p.attr}' is not multi-valued.`);
  if (p.attr === 'name') {
    const name = isObject(doc.name) ? (doc.name as JsonObject) : nobj();
    doc.name = name;
    if (p.sub === undefined) {
      if (op === 'remove') delete doc.name;
      else mergeInto(name, value as JsonValue, NAME_ATTRIBUTES, 'name');
      return;
    }
    const sub = canon(p.sub, NAME_ATTRIBUTES, 'name');
    if (op === 'remove') delete name[sub];
    else name[sub] = value as JsonValue;
    return;
  }
  if (p.sub !== undefined) throw invalid(`Attribute '${p.attr}' has no sub-attributes.`);
  if (op === 'remove') delete doc[p.attr];
  else doc[p.attr] = value as JsonValue;
}

/**
 * Applies the operations to a copy of the user's representation; the caller then validates the whole result
 * with the CreateUser/PutUser rules, so a request is applied completely or not at all.
 */
export function applyUserPatch(doc: JsonObject, ops: readonly PatchOp[]): void {
  const counts = new Map<string, number>();
  for (const o of ops) {
    if (o.path !== undefined) {
      applyUserOp(doc, parsePatchPath(o.path, USER_PATH_NAMES, 'User'), o.op, o.value, counts);
      continue;
    }
    if (!isObject(o.value)) throw invalid('A PATCH operation without a path needs an object value.');
    for (const key of Object.keys(o.value)) {
      applyUserOp(doc, parsePatchPath(key, USER_PATH_NAMES, 'User'), o.op, o.value[key], counts);
    }
  }
}

// ---------------- groups ----------------

export const MAX_MEMBER_CHANGES = 100;

export interface GroupPatchResult {
  displayName?: string;
  /** `null` removes the externalId. */
  externalId?: string | null;
  readonly add: string[];
  readonly remove: string[];
}

const GROUP_PATH_NAMES = ['displayName', 'externalId', 'members', 'id', 'meta', 'schemas'];

function memberIds(value: JsonValue | undefined): string[] {
  const list = Array.isArray(value) ? value : [value as JsonValue];
  return list.map((m) => {
    if (!isObject(m)) throw invalid("Each member must be an object with a 'value'.");
    for (const k of Object.keys(m)) {
      if (!['value', 'display', '$ref', 'type'].includes(k.toLowerCase()))
        throw invalid(`Member attribute '${k}' is not supported.`);
    }
    const v = getCi(m, 'value');
    if (typeof v !== 'string' || v.length === 0) throw invalid("Each member must have a string 'value'.");
    return v;
  });
}

function applyGroupOp(
  res: GroupPatchResult,
  groupId: string,
  p: PatchPath,
  op: PatchOp['op'],
  value: JsonValue | undefined,
): void {
  if (p.attr === 'id' && op !== 'remove' && value === groupId && !p.sub) return;
  if (p.attr === 'id' || p.attr === 'meta' || p.attr === 'schemas')
    throw invalid(`Attribute '${p.attr}' is read-only and cannot be modified.`);
  if (p.attr === 'members') {
    if (op === 'replace') throw invalid('Replacing group members is not supported.');
    if (p.sub !== undefined && p.sub.toLowerCase() !== 'value')
      throw invalid(`Sub-attribute 'members.${p.sub}' is not supported.`);
    if (op === 'add') {
      if (p.filter) throw invalid('A member filter is not allowed when adding members.');
      res.add.push(...memberIds(value));
      return;
    }
    if (p.filter) {
      const ids = p.filter.map((c) => {
        if (c.path.toLowerCase() !== 'value') throw invalid('Member filters may only test "value".');
        return c.value;
      });
      res.remove.push(...ids);
      return;
    }
    // Entra removes with `path: members` plus a value list; without a value it would remove every member.
    if (value === undefined) throw invalid('Removing all group members is not supported.');
    res.remove.push(...memberIds(value));
    return;
  }
  if (p.filter || p.sub !== undefined) throw invalid(`Attribute '${p.attr}' has no sub-attributes.`);
  if (p.attr === 'displayName') {
    if (op === 'remove') throw invalid("Attribute 'displayName' is required and cannot be removed.");
    if (typeof value !== 'string') throw invalid("Attribute 'displayName' must be a string.");
    res.displayName = value;
    return;
  }
  if (op === 'remove') {
    res.externalId = null;
    return;
  }
  if (typeof value !== 'string') throw invalid("Attribute 'externalId' must be a string.");
  res.externalId = value;
}

/** Collects a group PATCH into one change set; nothing is applied here. */
export function collectGroupPatch(groupId: string, ops: readonly PatchOp[]): GroupPatchResult {
  const res: GroupPatchResult = { add: [], remove: [] };
  for (const o of ops) {
    if (o.path !== undefined) {
      applyGroupOp(res, groupId, parsePatchPath(o.path, GROUP_PATH_NAMES, 'Group'), o.op, o.value);
    } else {
      if (!isObject(o.value)) throw invalid('A PATCH operation without a path needs an object value.');
      for (const key of Object.keys(o.value))
        applyGroupOp(res, groupId, parsePatchPath(key, GROUP_PATH_NAMES, 'Group'), o.op, o.value[key]);
    }
  }
  if (res.add.length + res.remove.length > MAX_MEMBER_CHANGES) {
    throw invalid(`A request may change at most ${MAX_MEMBER_CHANGES} group memberships.`);
  }
  return res;
}
