import { invalid } from './errors.js';

/** Caps applied before JSON.parse sees the bytes (docs/security.md, SCIM: body size and JSON depth capped first). */
export const MAX_BODY_BYTES = 256 * 1024;
export const MAX_JSON_DEPTH = 16;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
/** A parsed JSON object held without a prototype, so no key can shadow Object.prototype members. */
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Measures bracket nesting outside strings without building anything. */
function maxDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > max) max = depth;
      if (max > MAX_JSON_DEPTH) return max;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

function toSafe(v: unknown): JsonValue {
  if (Array.isArray(v)) return v.map(toSafe);
  if (v !== null && typeof v === 'object') {
    const out = Object.create(null) as JsonObject;
    for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
      if (FORBIDDEN_KEYS.has(k)) throw invalid(`Attribute name '${k}' is not allowed.`);
      out[k] = toSafe(val);
    }
    return out;
  }
  return v as JsonValue;
}

/** Parses a SCIM request body into null-prototype objects; any failure is a 400 ValidationException. */
export function parseJsonBody(body: Buffer): JsonObject {
  if (body.length > MAX_BODY_BYTES) throw invalid(`Request body exceeds ${MAX_BODY_BYTES} bytes.`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw invalid('Request body is not valid UTF-8.');
  }
  if (maxDepth(text) > MAX_JSON_DEPTH) throw invalid(`Request body nests deeper than ${MAX_JSON_DEPTH} levels.`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw invalid('Request is unparsable, syntactically incorrect, or violates schema.');
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw invalid('Request body must be a JSON object.');
  return toSafe(raw) as JsonObject;
}

export const isObject = (v: JsonValue | undefined): v is JsonObject =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** Own-property lookup on a null-prototype object, case-insensitively as RFC 7643 §2.1 makes attribute names. */
export function getCi(obj: JsonObject, name: string): JsonValue | undefined {
  if (Object.hasOwn(obj, name)) return obj[name];
  const lower = name.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return obj[k];
  return undefined;
}
