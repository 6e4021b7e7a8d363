import type { GroupData, GroupRecord } from '../store.js';
import { invalid } from './errors.js';
import { getCi, isObject, type JsonObject, type JsonValue } from './json.js';
import { members, nameStr, required, str } from './values.js';

/** Identity Center's Group dialect ([doc] SCIMDG creategroup: displayName required, at most 100 members). */
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const MAX_CREATE_MEMBERS = 100;

export interface ParsedGroup {
  readonly data: GroupData;
  readonly memberIds: readonly string[];
}

function parseMembers(v: JsonValue | undefined): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalid("Attribute 'members' must be an array.");
  if (v.length > MAX_CREATE_MEMBERS)
    throw invalid(`A group can be created with at most ${MAX_CREATE_MEMBERS} members.`);
  return v.map((m) => {
    if (!isObject(m)) throw invalid("Each member must be an object with a 'value'.");
    members(m, 'members', ['value', 'display', '$ref', 'type']);
    const id = getCi(m, 'value');
    if (typeof id !== 'string' || id.length === 0) throw invalid("Each member must have a string 'value'.");
    return id;
  });
}

export function parseGroup(body: JsonObject): ParsedGroup {
  const m = members(body, '', ['schemas', 'id', 'meta', 'externalId', 'displayName', 'members']);
  const schemas = m.get('schemas');
  if (!Array.isArray(schemas) || !schemas.includes(GROUP_SCHEMA) || schemas.some((s) => s !== GROUP_SCHEMA)) {
    throw invalid(`Attribute 'schemas' must be ['${GROUP_SCHEMA}'].`);
  }
  const data: GroupData = { displayName: required(nameStr(m.get('displayName'), 'displayName'), 'displayName') };
  const externalId = str(m.get('externalId'), 'externalId');
  if (externalId !== undefined) data.externalId = externalId;
  return { data, memberIds: [...new Set(parseMembers(m.get('members')))] };
}

/** GetGroup and ListGroups return no members ([doc] SCIMDG getgroup: "returns an empty members list"). */
export function renderGroup(g: GroupRecord): JsonObject {
  const out = Object.create(null) as JsonObject;
  out.id = g.id;
  if (g.externalId !== undefined) out.externalId = g.externalId;
  out.meta = {
    resourceType: 'Group',
    created: new Date(g.created).toISOString(),
    lastModified: new Date(g.lastModified).toISOString(),
  };
  out.schemas = [GROUP_SCHEMA];
  out.displayName = g.displayName;
  out.members = [];
  return out;
}
