/**
 * Reads access files (YAML) into an AccessModel. Structure is checked against the published JSON Schema
 * (access-file.schema.json, the same document editors use through `$schema`), then the rules a schema cannot
 * express. Every finding names the file, line and column and the rule broken. No I/O: the caller hands in the
 * texts and a function that reads policy files named by the access file.
 */
import { Ajv, type ErrorObject } from 'ajv';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { PolicyDocument } from '../trust-policy.js';
import schema from './access-file.schema.json' with { type: 'json' };
import {
  DEFAULT_INSTALLATION,
  DEFAULT_MEMBER_ROLE,
  DEFAULT_ROLE_PATH,
  type AccessAnalysisSettings,
  type AccessFinding,
  type AccessModel,
  type AccessSettings,
  type AccountSelector,
  type Boundary,
  type CustomerManagedRef,
  type Delivery,
  type Grant,
  type GrantAccounts,
  type Permission,
  type SourcePos,
} from './model.js';

export { schema as accessFileSchema };

export interface AccessSource {
  /** As shown in findings (relative to where the command runs). */
  readonly path: string;
  readonly text: string;
}

/** Reads a file named inside an access file, relative to it; null when it cannot be read. */
export type ReadRelative = (fromFile: string, relativePath: string) => string | null;

export interface ParseResult {
  /** Null when there are errors. */
  readonly model: AccessModel | null;
  readonly findings: readonly AccessFinding[];
}

/** The inline-policy quota of a permission set: 10,240 characters not counting whitespace (sso-admin quotas). */
export const INLINE_POLICY_MAX_NON_WHITESPACE = 10_240;
/** AWS-managed plus customer-managed policies per permission set (sso-admin quotas). */
export const MAX_ATTACHED_POLICIES = 20;

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(schema);

interface RawSelector {
  id?: string | string[];
  name?: string;
  ou?: string;
  tag?: Record<string, string>;
  all?: true;
  exclude?: RawSelector | RawSelector[];
}
interface RawPermission {
  description?: string;
  managed?: string[];
  inline?: Record<string, unknown> | string;
  customerManaged?: { name: string; path?: string }[];
  boundary?: { managed?: string; customerManaged?: { name: string; path?: string } };
  sessionDuration?: string;
}
interface RawGrant {
  group: string;
  permission: string;
  accounts: string | string[] | RawSelector;
  reason?: string;
  until?: string;
  delivery?: Delivery;
}
interface RawFile {
  version: 1;
  settings?: Partial<AccessSettings>;
  accounts?: Record<string, RawSelector | RawSelector[]>;
  permissions?: Record<string, RawPermission>;
  grants?: RawGrant[];
  adopt?: { permissionSets?: string[]; roles?: string[] };
  analysis?: {
    failOn?: AccessAnalysisSettings['failOn'];
    temporaryGroups?: string[];
    acknowledge?: { rule: string; permission?: string; grant?: string; reason: string }[];
  };
}

class SourceFile {
  readonly lines = new LineCounter();
  readonly doc: Document;
  constructor(
    readonly path: string,
    text: string,
  ) {
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true });
  }
  /** Where the value at `path` starts; falls back to the nearest parent that exists. */
  at(path: readonly (string | number)[]): SourcePos {
    for (let n = path.length; n >= 0; n--) {
      const node = this.doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === 'object' && node.range) return this.pos(node.range[0]);
    }
    return { file: this.path, line: 1, column: 1 };
  }
  /** Where the key `key` of the map at `path` is written. */
  keyAt(path: readonly (string | number)[], key: string): SourcePos {
    const map = this.doc.getIn(path, true);
    if (isMap(map)) {
      for (const pair of map.items) {
        if (isScalar(pair.key) && pair.key.value === key && pair.key.range) return this.pos(pair.key.range[0]);
      }
    }
    return this.at(path);
  }
  pos(offset: number): SourcePos {
    const p = this.lines.linePos(offset);
    return { file: this.path, line: p.line, column: p.col };
  }
}

const pointerPath = (pointer: string): (string | number)[] =>
  pointer === ''
    ? []
    : pointer
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
        .map((s) => (/^\d+$/.test(s) ? Number(s) : s));

function schemaMessage(e: ErrorObject): string {
  const where = e.instancePath || '(top level)';
  if (e.propertyName !== undefined) return `${where}: the name "${e.propertyName}" ${e.message ?? 'is not allowed'}`;
  switch (e.keyword) {
    case 'additionalProperties':
      return `${where}: unknown field "${String(e.params.additionalProperty)}"`;
    case 'required':
      return `${where}: missing field "${String(e.params.missingProperty)}"`;
    case 'enum':
      return `${where}: must be one of ${(e.params.allowedValues as unknown[]).join(', ')}`;
    case 'propertyNames':
      return `${where}: the name "${String(e.params.propertyName)}" is not allowed (${e.message ?? ''})`;
    default:
      return `${where}: ${e.message ?? e.keyword}`;
  }
}

/** One error per place: anyOf reports every branch, which tells the reader nothing more. */
function schemaFindings(file: SourceFile, errors: readonly ErrorObject[]): AccessFinding[] {
  const seen = new Set<string>();
  const out: AccessFinding[] = [];
  // An anyOf reports each branch; the branch that got deepest into the value is the one the author meant.
  const specific = errors.filter(
    (e) =>
      e.keyword !== 'anyOf' &&
      e.keyword !== 'if' &&
      !errors.some((f) => f.instancePath.startsWith(`${e.instancePath}/`)),
  );
  for (const e of specific.length ? specific : errors) {
    const key = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const path = pointerPath(e.instancePath);
    const at =
      e.keyword === 'additionalProperties'
        ? file.keyAt(path, String(e.params.additionalProperty))
        : e.propertyName !== undefined
          ? file.keyAt(path, e.propertyName)
          : file.at(path);
    let message = schemaMessage(e);
    if (/\/id(\/\d+)?$/.test(e.instancePath) && e.keyword === 'type')
      message += ' (quote account ids: "111111111111", or YAML reads them as numbers)';
    out.push({ severity: 'error', rule: `schema.${e.keyword}`, message, at });
  }
  // anyOf branches fail the same instance several ways; keep the first per path.
  const byPath = new Map<string, AccessFinding>();
  for (const f of out) {
    const k = `${f.at?.line}:${f.at?.column}`;
    if (!byPath.has(k)) byPath.set(k, f);
  }
  return [...byPath.values()];
}

function parseOu(text: string): { path: string[]; recursive: boolean } {
  const recursive = text.endsWith('/**');
  const trimmed = recursive ? text.slice(0, -3) : text;
  return { path: trimmed.split('/').filter((s) => s.length > 0), recursive };
}

function selectorOf(raw: RawSelector, file: SourceFile, path: (string | number)[]): AccountSelector {
  const ids = raw.id === undefined ? undefined : Array.isArray(raw.id) ? raw.id : [raw.id];
  const exclude =
    raw.exclude === undefined
      ? undefined
      : Array.isArray(raw.exclude)
        ? raw.exclude.map((x, i) => selectorOf(x, file, [...path, 'exclude', i]))
        : [selectorOf(raw.exclude, file, [...path, 'exclude'])];
  return {
    ...(ids ? { ids } : {}),
    ...(raw.name !== undefined ? { name: raw.name } : {}),
    ...(raw.ou !== undefined ? { ou: parseOu(raw.ou) } : {}),
    ...(raw.tag !== undefined ? { tags: { ...raw.tag } } : {}),
    ...(raw.all ? { all: true as const } : {}),
    ...(exclude ? { exclude } : {}),
    at: file.at(path),
  };
}

/** PT1H … PT12H in whole minutes, normalised to hours and minutes (PT90M → PT1H30M). */
export function normaliseSessionDuration(d: string): { value: string; seconds: number } | null {
  const m = /^PT(?:(\d{1,2})H)?(?:(\d{1,4})M)?$/.exec(d);
  if (!m || d === 'PT') return null;
  const minutes = Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
  const h = Math.floor(minutes / 60);
  const min = minutes % 60;
  return { value: `PT${h ? `${h}H` : ''}${min ? `${min}M` : ''}`, seconds: minutes * 60 };
}

/** A date means the end of that day in UTC; a time is taken as written. */
export function untilInstant(text: string): string | null {
  const t = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T23:59:59.999Z` : text;
  const ms = Date.parse(t);
  if (Number.isNaN(ms)) return null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(text) && new Date(ms).toISOString().slice(0, 10) !== text) return null;
  return new Date(ms).toISOString();
}

function isPolicyDocument(v: unknown): v is PolicyDocument {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  const st = o.Statement;
  return (
    typeof o.Version === 'string' &&
    (Array.isArray(st) ? st.length > 0 && st.every((s) => s !== null && typeof s === 'object') : typeof st === 'object')
  );
}

const nonWhitespaceLength = (doc: unknown): number => JSON.stringify(doc).replace(/\s/g, '').length;

function permissionOf(
  name: string,
  raw: RawPermission,
  file: SourceFile,
  readRelative: ReadRelative,
  findings: AccessFinding[],
): Permission {
  const base = ['permissions', name];
  const fieldAt: Record<string, SourcePos> = {};
  for (const k of Object.keys(raw)) fieldAt[k] = file.at([...base, k]);
  const err = (rule: string, message: string, field: string) =>
    findings.push({ severity: 'error', rule, message, at: fieldAt[field] ?? file.keyAt(['permissions'], name) });
  let inline: PolicyDocument | null = null;
  if (raw.inline !== undefined) {
    let doc: unknown = raw.inline;
    if (typeof raw.inline === 'string') {
      const text = readRelative(file.path, raw.inline);
      if (text === null) {
        err('policy-file', `permission ${name}: cannot read the policy file ${raw.inline}`, 'inline');
        doc = null;
      } else {
        try {
          doc = JSON.parse(text) as unknown;
        } catch (e) {
          err('policy-file', `permission ${name}: ${raw.inline} is not JSON (${(e as Error).message})`, 'inline');
          doc = null;
        }
      }
    }
    if (doc !== null) {
      if (!isPolicyDocument(doc))
        err(
          'invalid-policy',
          `permission ${name}: the inline policy needs a Version and at least one Statement`,
          'inline',
        );
      else if (nonWhitespaceLength(doc) > INLINE_POLICY_MAX_NON_WHITESPACE)
        err(
          'policy-too-large',
          `permission ${name}: the inline policy has ${nonWhitespaceLength(doc)} characters without whitespace; AWS allows ${INLINE_POLICY_MAX_NON_WHITESPACE}`,
          'inline',
        );
      else inline = doc;
    }
  }
  const managed = raw.managed ?? [];
  const customerManaged: CustomerManagedRef[] = (raw.customerManaged ?? []).map((c) => ({
    name: c.name,
    path: c.path ?? '/',
  }));
  if (managed.length + customerManaged.length > MAX_ATTACHED_POLICIES)
    err(
      'too-many-policies',
      `permission ${name}: ${managed.length + customerManaged.length} attached policies; AWS allows ${MAX_ATTACHED_POLICIES}`,
      'managed',
    );
  let boundary: Boundary | null = null;
  if (raw.boundary?.managed) boundary = { managed: raw.boundary.managed };
  else if (raw.boundary?.customerManaged)
    boundary = {
      customerManaged: { name: raw.boundary.customerManaged.name, path: raw.boundary.customerManaged.path ?? '/' },
    };
  const sd = normaliseSessionDuration(raw.sessionDuration ?? 'PT1H');
  if (sd === null || sd.seconds < 3600 || sd.seconds > 12 * 3600)
    err('session-duration', `permission ${name}: session duration must be from PT1H to PT12H`, 'sessionDuration');
  return {
    name,
    description: raw.description ?? null,
    managed,
    inline,
    customerManaged,
    boundary,
    sessionDuration: sd?.value ?? 'PT1H',
    at: file.keyAt(['permissions'], name),
    fieldAt,
  };
}

const sameSpec = (a: GrantAccounts, b: GrantAccounts): boolean =>
  JSON.stringify(a.kind === 'refs' ? [...a.names].sort() : stripAt(a.selector)) ===
  JSON.stringify(b.kind === 'refs' ? [...b.names].sort() : stripAt(b.selector));

const stripAt = (s: AccountSelector): unknown => {
  const { at: _at, exclude, ...rest } = s;
  return { ...rest, ...(exclude ? { exclude: exclude.map(stripAt) } : {}) };
};

/** Parses and checks every file; the model is returned only when no finding is an error. */
export function parseAccessFiles(sources: readonly AccessSource[], readRelative: ReadRelative): ParseResult {
  const findings: AccessFinding[] = [];
  const accounts = new Map<string, AccountSelector[]>();
  const accountsAt = new Map<string, SourcePos>();
  const permissions = new Map<string, Permission>();
  const grants: Grant[] = [];
  const adopt = { permissionSets: [] as string[], roles: [] as string[] };
  let failOn: AccessAnalysisSettings['failOn'] | undefined;
  const temporaryGroups: string[] = [];
  const acknowledge: AccessAnalysisSettings['acknowledge'][number][] = [];
  let settings: Partial<AccessSettings> | null = null;
  let settingsAt: SourcePos | null = null;
  const grantFiles: { file: SourceFile; raw: RawGrant; i: number }[] = [];

  if (sources.length === 0)
    findings.push({ severity: 'error', rule: 'no-files', message: 'no access file (*.yaml, *.yml) found', at: null });

  for (const src of sources) {
    const file = new SourceFile(src.path, src.text);
    if (file.doc.errors.length > 0) {
      for (const e of file.doc.errors)
        findings.push({
          severity: 'error',
          rule: 'yaml',
          message: e.message.split('\n')[0] ?? e.code,
          at: file.pos(e.pos[0]),
        });
      continue;
    }
    const data = file.doc.toJS() as unknown;
    if (!validate(data)) {
      findings.push(...schemaFindings(file, validate.errors ?? []));
      continue;
    }
    const raw = data as unknown as RawFile;
    if (raw.settings) {
      if (settings !== null && settingsAt)
        findings.push({
          severity: 'error',
          rule: 'duplicate-settings',
          message: `settings are already given in ${settingsAt.file}:${settingsAt.line}; give them once`,
          at: file.keyAt([], 'settings'),
        });
      else {
        settings = raw.settings;
        settingsAt = file.keyAt([], 'settings');
      }
    }
    for (const [name, sel] of Object.entries(raw.accounts ?? {})) {
      const at = file.keyAt(['accounts'], name);
      if (accounts.has(name)) {
        findings.push({
          severity: 'error',
          rule: 'duplicate-name',
          message: `account selector ${name} is declared twice`,
          at,
        });
        continue;
      }
      const list = Array.isArray(sel)
        ? sel.map((s, i) => selectorOf(s, file, ['accounts', name, i]))
        : [selectorOf(sel, file, ['accounts', name])];
      accounts.set(name, list);
      accountsAt.set(name, at);
    }
    for (const [name, p] of Object.entries(raw.permissions ?? {})) {
      if (permissions.has(name)) {
        findings.push({
          severity: 'error',
          rule: 'duplicate-name',
          message: `permission ${name} is declared twice`,
          at: file.keyAt(['permissions'], name),
        });
        continue;
      }
      permissions.set(name, permissionOf(name, p, file, readRelative, findings));
    }
    for (const [i, g] of (raw.grants ?? []).entries()) grantFiles.push({ file, raw: g, i });
    adopt.permissionSets.push(...(raw.adopt?.permissionSets ?? []));
    adopt.roles.push(...(raw.adopt?.roles ?? []));
    if (raw.analysis?.failOn !== undefined) {
      if (failOn !== undefined && failOn !== raw.analysis.failOn)
        findings.push({
          severity: 'error',
          rule: 'duplicate-settings',
          message: `analysis.failOn is given twice with different values (${failOn}, ${raw.analysis.failOn}); give it once`,
          at: file.at(['analysis', 'failOn']),
        });
      failOn = raw.analysis.failOn;
    }
    temporaryGroups.push(...(raw.analysis?.temporaryGroups ?? []));
    for (const [i, a] of (raw.analysis?.acknowledge ?? []).entries())
      acknowledge.push({ ...a, at: file.at(['analysis', 'acknowledge', i]) });
  }

  const defaultDelivery: Delivery = settings?.delivery ?? 'identity-center';
  for (const { file, raw, i } of grantFiles) {
    const base = ['grants', i];
    const fieldAt: Record<string, SourcePos> = {};
    for (const k of Object.keys(raw)) fieldAt[k] = file.at([...base, k]);
    const index = grants.length;
    const accountsSpec: GrantAccounts =
      typeof raw.accounts === 'string'
        ? { kind: 'refs', names: [raw.accounts] }
        : Array.isArray(raw.accounts)
          ? { kind: 'refs', names: raw.accounts }
          : { kind: 'inline', selector: selectorOf(raw.accounts, file, [...base, 'accounts']) };
    if (!permissions.has(raw.permission))
      findings.push({
        severity: 'error',
        rule: 'unknown-permission',
        message: `grant #${index + 1} names permission "${raw.permission}", which is not declared (declared: ${[...permissions.keys()].join(', ') || 'none'})`,
        at: fieldAt.permission ?? null,
      });
    if (accountsSpec.kind === 'refs')
      for (const n of accountsSpec.names)
        if (!accounts.has(n))
          findings.push({
            severity: 'error',
            rule: 'unknown-selector',
            message: `grant #${index + 1} names account selector "${n}", which is not declared (declared: ${[...accounts.keys()].join(', ') || 'none'})`,
            at: fieldAt.accounts ?? null,
          });
    let until: string | null = null;
    if (raw.until !== undefined) {
      until = untilInstant(raw.until);
      if (until === null)
        findings.push({
          severity: 'error',
          rule: 'invalid-until',
          message: `grant #${index + 1}: ${raw.until} is not a real date or time`,
          at: fieldAt.until ?? null,
        });
    }
    const grant: Grant = {
      index,
      group: raw.group,
      permission: raw.permission,
      accounts: accountsSpec,
      reason: raw.reason ?? null,
      until,
      delivery: raw.delivery ?? defaultDelivery,
      at: file.at(base),
      fieldAt,
    };
    const twin = grants.find(
      (g) =>
        g.group.toLowerCase() === grant.group.toLowerCase() &&
        g.permission === grant.permission &&
        g.delivery === grant.delivery &&
        sameSpec(g.accounts, grant.accounts),
    );
    if (twin)
      findings.push({
        severity: 'error',
        rule: 'grant-collision',
        message: `grant #${index + 1} repeats grant #${twin.index + 1} (${twin.at.file}:${twin.at.line}): same group, permission, accounts and delivery; merge them`,
        at: grant.at,
      });
    grants.push(grant);
  }

  if (findings.some((f) => f.severity === 'error')) return { model: null, findings };
  return {
    model: {
      files: sources.map((s) => s.path),
      settings: {
        installation: settings?.installation ?? DEFAULT_INSTALLATION,
        delivery: defaultDelivery,
        memberRole: settings?.memberRole ?? DEFAULT_MEMBER_ROLE,
        rolePath: settings?.rolePath ?? DEFAULT_ROLE_PATH,
      },
      accounts,
      accountsAt,
      permissions,
      grants,
      adopt,
      analysis: { failOn: failOn ?? 'high', temporaryGroups, acknowledge },
    },
    findings,
  };
}
