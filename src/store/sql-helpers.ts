import { DomainError } from '../core/index.js';

/** Driver error codes for constraint violations, the same meaning on both engines. */
function driverCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

export function isUniqueViolation(e: unknown): boolean {
  const code = driverCode(e);
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export function isForeignKeyViolation(e: unknown): boolean {
  const code = driverCode(e);
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

/** Runs a write and turns a unique-index violation into a DomainError conflict with the caller's message. */
export async function mapConflict<T>(run: () => Promise<T>, message: string, at: string): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (isUniqueViolation(e))
      throw new DomainError('conflict', message, [{ at, message: 'is already taken (case-insensitive)' }]);
    throw e;
  }
}

export const toJson = (v: unknown): string => JSON.stringify(v);

export function fromJson<T>(s: string): T {
  return JSON.parse(s) as T;
}

export const optionalJson = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));

/** Escapes LIKE metacharacters so user input is matched literally; used with `escape '\'`. */
export const likePrefix = (s: string): string => `${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The half-open range [low, high) of strings that start with `prefix`, in code-point order (which is byte order
 * in UTF-8): high is the prefix with its last code point raised by one, so a B-tree index answers a prefix
 * match by seeking instead of scanning. No high bound when the prefix is all U+10FFFF (or empty).
 */
export function prefixRange(prefix: string): { readonly low: string; readonly high?: string } {
  const points = [...prefix];
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return { low: prefix, high: points.join('') + String.fromCodePoint(next) };
    }
  }
  return { low: prefix };
}

/** Opaque page cursors: base64url of a JSON array of the last row's sort key. */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, shape: readonly ('string' | 'number')[]): (string | number)[] {
  const bad = () =>
    new DomainError('invalid_input', 'The page cursor is not valid; start again without it', [
      { at: 'cursor', message: 'is not a cursor from a previous page' },
    ]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== shape.length) throw bad();
  parsed.forEach((v, i) => {
    if (typeof v !== shape[i]) throw bad();
  });
  return parsed as (string | number)[];
}

/** Normalises a timestamp to the stored text form so text comparison is time comparison. */
export function iso(value: string, at = 'time'): string {
  const d = new Date(value);
  if (Number.isNaN(d.getTime()))
    throw new DomainError('invalid_input', `${at} must be an ISO-8601 date-time`, [
      { at, message: 'is not a date-time' },
    ]);
  return d.toISOString();
}
