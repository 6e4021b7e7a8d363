import { invalid } from './errors.js';
import { isObject, type JsonObject, type JsonValue } from './json.js';

/** Value rules shared by the user and group schemas. */
export const MAX_STRING = 1024;
export const MAX_USERNAME = 128;

const CONTROL = /[\t\n\r\u0000-\u001f\u007f]/;
// Entra's provisioning tutorial: Identity Center refuses tab, newline, carriage return and `< > ; : %`.
const NAME_FORBIDDEN = /[<>;:%]/;

export function str(v: JsonValue | undefined, attr: string, max = MAX_STRING): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalid(`Attribute '${attr}' must be a string.`);
  if (v.length > max) throw invalid(`Attribute '${attr}' exceeds ${max} characters.`);
  if (CONTROL.test(v)) throw invalid(`Attribute '${attr}' contains a control character.`);
  return v;
}

/** A non-empty string that may not carry the characters Identity Center refuses in names. */
export function nameStr(v: JsonValue | undefined, attr: string, max = MAX_STRING): string | undefined {
  const s = str(v, attr, max);
  if (s === undefined) return undefined;
  if (s.trim().length === 0) throw invalid(`Attribute '${attr}' must not be empty.`);
  if (NAME_FORBIDDEN.test(s))
    throw invalid(`Attribute '${attr}' contains a character that is not allowed (< > ; : %).`);
  return s;
}

export function required<T>(v: T | undefined, attr: string): T {
  if (v === undefined) throw invalid(`Missing required attribute '${attr}'.`);
  return v;
}

/** Booleans, also as the strings "true"/"false" in any case ([doc] SCIMDG patchuser sends `"false"`). */
export function bool(v: JsonValue | undefined, attr: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const l = v.toLowerCase();
    if (l === 'true') return true;
    if (l === 'false') return false;
  }
  throw invalid(`Attribute '${attr}' must be a boolean.`);
}

export function obj(v: JsonValue | undefined, attr: string): JsonObject | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw invalid(`Attribute '${attr}' must be an object.`);
  return v;
}

/**
 * Reads an object's members case-insensitively against a fixed list of allowed names; anything else is
 * refused, so no unexpected key (including `__proto__`-like ones) is ever looked up or copied.
 */
export function members(
  o: JsonObject,
  attr: string,
  allowed: readonly string[],
  refusedWithReason: Readonly<Record<string, string>> = {},
): Map<string, JsonValue> {
  const canon = new Map(allowed.map((a) => [a.toLowerCase(), a]));
  const out = new Map<string, JsonValue>();
  for (const key of Object.keys(o)) {
    const lower = key.toLowerCase();
    const reason = Object.entries(refusedWithReason).find(([k]) => k.toLowerCase() === lower)?.[1];
    if (reason !== undefined) throw invalid(reason);
    const name = canon.get(lower);
    if (name === undefined) throw invalid(`Attribute '${attr ? `${attr}.` : ''}${key}' is not supported.`);
    if (out.has(name)) throw invalid(`Attribute '${attr ? `${attr}.` : ''}${key}' appears twice.`);
    out.set(name, o[key] as JsonValue);
  }
  return out;
}
