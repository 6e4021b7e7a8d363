/**
 * Reads awsQuery parameters against the model's constraints and reports violations the way AWS's Coral
 * validation does: `ValidationError` with "N validation error(s) detected: Value … at 'member' failed to satisfy
 * constraint: …", member names in lowerCamelCase.
 */
import { AwsServiceError } from './contract.js';

export interface StringRule {
  readonly min?: number;
  readonly max?: number;
  /** The model's pattern; anchored to the whole value when checked. */
  readonly pattern?: string;
}

export interface IntRule {
  readonly min?: number;
  readonly max?: number;
}

const MAX_LIST_MEMBERS = 1000;

function memberName(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** Query patterns are literals in the service models, so this stays small; compiled once, not per parameter. */
const compiled = new Map<string, RegExp>();
function matchesWhole(pattern: string, value: string): boolean {
  let re = compiled.get(pattern);
  if (re === undefined) {
    re = new RegExp(`^(?:${pattern})$`, 'u');
    compiled.set(pattern, re);
  }
  return re.test(value);
}

function quote(value: string): string {
  return value.length > 256 ? `${value.slice(0, 256)}…` : value;
}

export class QueryInput {
  private readonly problems: string[] = [];

  constructor(private readonly params: URLSearchParams) {}

  private check(name: string, value: string, rule: StringRule): void {
    const at = memberName(name);
    const length = [...value].length;
    if (rule.min !== undefined && length < rule.min) {
      this.problems.push(
        `Value '${quote(value)}' at '${at}' failed to satisfy constraint: Member must have length greater than or equal to ${rule.min}`,
      );
    } else if (rule.max !== undefined && length > rule.max) {
      this.problems.push(
        `Value '${quote(value)}' at '${at}' failed to satisfy constraint: Member must have length less than or equal to ${rule.max}`,
      );
    } else if (rule.pattern !== undefined && !matchesWhole(rule.pattern, value)) {
      this.problems.push(
        `Value '${quote(value)}' at '${at}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${rule.pattern}`,
      );
    }
  }

  string(name: string, rule: StringRule = {}): string | undefined {
    const value = this.params.get(name);
    if (value === null) return undefined;
    this.check(name, value, rule);
    return value;
  }

  requiredString(name: string, rule: StringRule = {}): string {
    const value = this.params.get(name);
    if (value === null) {
      this.problems.push(`Value null at '${memberName(name)}' failed to satisfy constraint: Member must not be null`);
      return '';
    }
    this.check(name, value, rule);
    return value;
  }

  int(name: string, rule: IntRule = {}): number | undefined {
    const value = this.params.get(name);
    if (value === null) return undefined;
    const at = memberName(name);
    if (!/^-?\d{1,15}$/.test(value)) {
      // Coral rejects a non-numeric value before any range check.
      throw new AwsServiceError(
        'ValidationError',
        `Invalid value for parameter ${name}, value: ${quote(value)}, type: class java.lang.String`,
      );
    }
    const n = Number(value);
    if (rule.min !== undefined && n < rule.min) {
      this.problems.push(
        `Value '${n}' at '${at}' failed to satisfy constraint: Member must have value greater than or equal to ${rule.min}`,
      );
    } else if (rule.max !== undefined && n > rule.max) {
      this.problems.push(
        `Value '${n}' at '${at}' failed to satisfy constraint: Member must have value less than or equal to ${rule.max}`,
      );
    }
    return n;
  }

  /** `Name.member.1`, `Name.member.2`, … in order, stopping at the first gap (as AWS reads lists). */
  list(name: string, rule: StringRule = {}, maxMembers?: number): string[] {
    const out: string[] = [];
    for (let i = 1; i <= MAX_LIST_MEMBERS + 1; i++) {
      const value = this.params.get(`${name}.member.${i}`);
      if (value === null) break;
      this.check(name, value, rule);
      out.push(value);
    }
    this.listLength(name, out.length, maxMembers);
    return out;
  }

  /** `Tags.member.N.Key` / `.Value` pairs. */
  tags(name: string, maxMembers: number): { Key: string; Value: string }[] {
    const out: { Key: string; Value: string }[] = [];
    for (let i = 1; i <= MAX_LIST_MEMBERS + 1; i++) {
      const key = this.params.get(`${name}.member.${i}.Key`);
      const value = this.params.get(`${name}.member.${i}.Value`);
      if (key === null && value === null) break;
      if (key === null) {
        this.problems.push(
          `Value null at '${memberName(name)}.${i}.member.key' failed to satisfy constraint: Member must not be null`,
        );
        continue;
      }
      if (value === null) {
        this.problems.push(
          `Value null at '${memberName(name)}.${i}.member.value' failed to satisfy constraint: Member must not be null`,
        );
        continue;
      }
      this.check(`${name}.${i}.member.key`, key, { min: 1, max: 128, pattern: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+' });
      this.check(`${name}.${i}.member.value`, value, { min: 0, max: 256, pattern: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*' });
      out.push({ Key: key, Value: value });
    }
    this.listLength(name, out.length, maxMembers);
    return out;
  }

  private listLength(name: string, length: number, max: number | undefined): void {
    if (max !== undefined && length > max) {
      this.problems.push(
        `Value at '${memberName(name)}' failed to satisfy constraint: Member must have length less than or equal to ${max}`,
      );
    }
  }

  /** Throws one ValidationError naming every violation found so far. */
  done(): void {
    if (this.problems.length === 0) return;
    const n = this.problems.length;
    throw new AwsServiceError(
      'ValidationError',
      `${n} validation error${n === 1 ? '' : 's'} detected: ${this.problems.join('; ')}`,
    );
  }
}
