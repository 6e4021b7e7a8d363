import { invalid } from './errors.js';
import { eqClauses, parseFilter, type EqClause } from './filter.js';
import { ENTERPRISE_SCHEMA, USER_SCHEMA } from './user-schema.js';

const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

/** A PATCH path (RFC 7644 §3.5.2 `attrPath [valFilter] [.subAttr]`), resolved against a fixed name list. */
export interface PatchPath {
  /** Canonical top-level attribute name (or the enterprise extension URN). */
  readonly attr: string;
  /** Sub-attribute, canonical when it could be resolved. */
  readonly sub?: string;
  /** `eq` clauses of a value filter, e.g. `emails[type eq "work"]` ([doc] SCIMDG: only `eq` in path filters). */
  readonly filter?: readonly EqClause[];
}

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

function canonical(name: string, allowed: readonly string[]): string | undefined {
  const l = name.toLowerCase();
  return allowed.find((a) => a.toLowerCase() === l);
}

export function parsePatchPath(text: string, allowed: readonly string[], resource: 'User' | 'Group'): PatchPath {
  if (text.length === 0 || text.length > 512) throw invalid('PATCH path is empty or too long.');
  let rest = text;
  let attrPart: string;
  let filter: EqClause[] | undefined;
  const open = rest.indexOf('[');
  if (open >= 0) {
    const close = rest.lastIndexOf(']');
    if (close < open) throw invalid('PATCH path has an unclosed value filter.');
    filter = eqClauses(parseFilter(rest.slice(open + 1, close)));
    attrPart = rest.slice(0, open);
    rest = rest.slice(close + 1);
    if (rest !== '' && !/^\.[A-Za-z][A-Za-z0-9_$-]*$/.test(rest))
      throw invalid('PATCH path has an invalid sub-attribute.');
  } else {
    attrPart = rest;
    rest = '';
  }
  const core = resource === 'User' ? USER_SCHEMA : GROUP_SCHEMA;
  let attr: string;
  let sub: string | undefined;
  const lower = attrPart.toLowerCase();
  if (
    resource === 'User' &&
    (lower === ENTERPRISE_SCHEMA.toLowerCase() || lower.startsWith(`${ENTERPRISE_SCHEMA.toLowerCase()}:`))
  ) {
    attr = ENTERPRISE_SCHEMA;
    sub = attrPart.slice(ENTERPRISE_SCHEMA.length + 1) || undefined;
  } else {
    const local = lower.startsWith(`${core.toLowerCase()}:`) ? attrPart.slice(core.length + 1) : attrPart;
    const dot = local.indexOf('.');
    attr = dot >= 0 ? local.slice(0, dot) : local;
    sub = dot >= 0 ? local.slice(dot + 1) : undefined;
  }
  if (rest) {
    if (sub !== undefined) throw invalid('PATCH path has two sub-attributes.');
    sub = rest.slice(1);
  }
  for (const part of [attr, ...(sub ?? '').split('.')]) {
    if (FORBIDDEN.has(part)) throw invalid('PATCH path refers to an attribute that does not exist.');
  }
  if (
    !/^[A-Za-z][A-Za-z0-9_$-]*$|^urn:/.test(attr) ||
    (sub !== undefined && !/^[A-Za-z$][A-Za-z0-9_$.-]*$/.test(sub))
  ) {
    throw invalid('PATCH path is not a valid attribute path.');
  }
  const canon = attr === ENTERPRISE_SCHEMA ? attr : canonical(attr, allowed);
  if (canon === undefined) throw invalid('PATCH path refers to an attribute that does not exist.');
  const out: { attr: string; sub?: string; filter?: readonly EqClause[] } = { attr: canon };
  if (sub !== undefined) out.sub = sub;
  if (filter !== undefined) out.filter = filter;
  return out;
}
