import { AwsServiceError } from '../http/contract.js';

/**
 * Input checks for the awsJson1_1 Identity Center APIs, answering in AWS's validation wording
 * ("1 validation error detected: Value … at '…' failed to satisfy constraint: …").
 */
export type Input = Readonly<Record<string, unknown>>;

export const validation = (message: string): AwsServiceError =>
  new AwsServiceError('ValidationException', message, 400);

function constraint(field: string, value: unknown, rule: string): AwsServiceError {
  const shown = typeof value === 'string' && value.length <= 256 ? `'${value}'` : 'the supplied value';
  return validation(`1 validation error detected: Value ${shown} at '${field}' failed to satisfy constraint: ${rule}`);
}

export interface StrRule {
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: RegExp;
}

export function optStr(input: Input, field: string, rule: StrRule = {}): string | undefined {
  const v = Object.hasOwn(input, field) ? input[field] : undefined;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw validation(`Value for '${field}' must be a string.`);
  if (rule.min !== undefined && v.length < rule.min)
    throw constraint(field, v, `Member must have length greater than or equal to ${rule.min}`);
  if (rule.max !== undefined && v.length > rule.max)
    throw constraint(field, v, `Member must have length less than or equal to ${rule.max}`);
  if (rule.pattern && !rule.pattern.test(v))
    throw constraint(field, v, `Member must satisfy regular expression pattern: ${rule.pattern.source}`);
  return v;
}

export function reqStr(input: Input, field: string, rule: StrRule = {}): string {
  const v = optStr(input, field, rule);
  if (v === undefined) throw constraint(field, null, 'Member must not be null');
  return v;
}

export function optInt(input: Input, field: string, min: number, max: number): number | undefined {
  const v = Object.hasOwn(input, field) ? input[field] : undefined;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw validation(`Value for '${field}' must be an integer.`);
  if (v < min) throw constraint(field, String(v), `Member must have value greater than or equal to ${min}`);
  if (v > max) throw constraint(field, String(v), `Member must have value less than or equal to ${max}`);
  return v;
}

export function optObj(input: Input, field: string): Input | undefined {
  const v = Object.hasOwn(input, field) ? input[field] : undefined;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw validation(`Value for '${field}' must be a structure.`);
  return v as Input;
}

export function reqObj(input: Input, field: string): Input {
  const v = optObj(input, field);
  if (v === undefined) throw constraint(field, null, 'Member must not be null');
  return v;
}

export function optList(input: Input, field: string, max: number): unknown[] | undefined {
  const v = Object.hasOwn(input, field) ? input[field] : undefined;
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw validation(`Value for '${field}' must be a list.`);
  if (v.length > max) throw constraint(field, undefined, `Member must have length less than or equal to ${max}`);
  return v;
}

/** Epoch seconds, the awsJson1_1 timestamp encoding. */
export const epochSeconds = (ms: number): number => Math.floor(ms) / 1000;

/** Opaque NextToken over a list ordered by a sequence number. */
export function paginateBySeq<T>(
  items: readonly T[],
  seqOf: (t: T) => number,
  maxResults: number,
  nextToken: string | undefined,
): { page: T[]; nextToken?: string } {
  let after = -1;
  if (nextToken !== undefined) {
    const m = /^n1\.(\d{1,15})$/.exec(Buffer.from(nextToken, 'base64url').toString('utf8'));
    if (!m) throw validation('The NextToken is invalid.');
    after = Number(m[1]);
  }
  const sorted = [...items].sort((a, b) => seqOf(a) - seqOf(b)).filter((x) => seqOf(x) > after);
  const page = sorted.slice(0, maxResults);
  const last = page[page.length - 1];
  if (sorted.length > maxResults && last !== undefined) {
    return { page, nextToken: Buffer.from(`n1.${seqOf(last)}`).toString('base64url') };
  }
  return { page };
}
