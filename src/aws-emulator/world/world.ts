/**
 * The emulator's "world": one organisation, its OUs and accounts, and the emulator-only root keys of each
 * account, loaded from YAML or JSON and validated against world.schema.json plus the cross-references a
 * schema cannot express (parents exist, ids unique, the management account is a member).
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import type { AccountDirectory, EmulatedAccount } from '../world-contract.js';
import schema from '../world.schema.json' with { type: 'json' };

export interface WorldAccessKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface WorldAccount extends EmulatedAccount {
  readonly joinedMethod: 'INVITED' | 'CREATED';
  readonly joinedTimestamp: number;
  readonly accessKeys: readonly WorldAccessKey[];
}

export interface WorldOu {
  readonly id: string;
  readonly name: string;
  readonly parentId: string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface World extends AccountDirectory {
  readonly rootId: string;
  readonly featureSet: 'ALL' | 'CONSOLIDATED_BILLING';
  readonly rootTags: Readonly<Record<string, string>>;
  /** OUs in document order (parents before children). */
  readonly organizationalUnits: readonly WorldOu[];
  readonly worldAccounts: readonly WorldAccount[];
  listAccounts(): readonly WorldAccount[];
  getAccount(id: string): WorldAccount | undefined;
}

interface RawOu {
  id: string;
  name: string;
  tags?: Record<string, string>;
  organizationalUnits?: RawOu[];
}

interface RawWorld {
  region?: string;
  organization: {
    id: string;
    rootId: string;
    featureSet?: 'ALL' | 'CONSOLIDATED_BILLING';
    managementAccountId: string;
    rootTags?: Record<string, string>;
  };
  organizationalUnits?: RawOu[];
  accounts: {
    id: string;
    name: string;
    email: string;
    parent?: string;
    status?: EmulatedAccount['status'];
    joinedMethod?: 'INVITED' | 'CREATED';
    joinedTimestamp?: string;
    tags?: Record<string, string>;
    accessKeys?: WorldAccessKey[];
  }[];
}

export class WorldError extends Error {
  override readonly name = 'WorldError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid world file:\n  ${problems.join('\n  ')}`);
  }
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = new Ajv({ allErrors: true, useDefaults: false, strict: true, allowUnionTypes: true });
addFormats(ajv);
const validateSchema = ajv.compile<RawWorld>(schema);

/**
 * The demo access key of an account when the world names none: deterministic so docs and scripts can use it,
 * and visibly fake. EMULATOR-ONLY — these keys mean nothing to AWS.
 */
export function defaultAccessKey(accountId: string): WorldAccessKey {
  const digest = createHash('sha256').update(`keyway-emulator-demo-key/${accountId}`).digest('hex');
  return { accessKeyId: `AKIAEMULATOR${accountId}`, secretAccessKey: `emulator-only-${digest.slice(0, 26)}` };
}

export function loadWorldFile(path: string): World {
  const text = readFileSync(path, 'utf8');
  let raw: unknown;
  try {
    raw = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 100 });
  } catch (e) {
    throw new WorldError([`${path}: cannot parse: ${(e as Error).message}`]);
  }
  return buildWorld(raw, path);
}

/** Validates a parsed world document and builds the world; `source` prefixes error paths. */
export function buildWorld(raw: unknown, source = 'world', loadedAt = Date.now()): World {
  if (!validateSchema(raw)) {
    const problems = (validateSchema.errors ?? []).map(
      (e) =>
        `${source}${e.instancePath || '/'}: ${e.message ?? 'is invalid'}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`,
    );
    throw new WorldError(problems);
  }
  const problems: string[] = [];
  const org = raw.organization;
  const ous: WorldOu[] = [];
  const ids = new Set<string>([org.rootId]);
  const rootSuffix = org.rootId.slice(2);
  const walk = (list: RawOu[] | undefined, parentId: string, at: string): void => {
    (list ?? []).forEach((ou, i) => {
      const here = `${at}/${i}`;
      if (ids.has(ou.id)) problems.push(`${source}${here}/id: duplicate id ${ou.id}`);
      if (!ou.id.startsWith(`ou-${rootSuffix}-`))
        problems.push(`${source}${here}/id: OU ids embed the root id (expected ou-${rootSuffix}-…)`);
      ids.add(ou.id);
      ous.push({ id: ou.id, name: ou.name, parentId, tags: { ...(ou.tags ?? {}) } });
      walk(ou.organizationalUnits, ou.id, `${here}/organizationalUnits`);
    });
  };
  walk(raw.organizationalUnits, org.rootId, '/organizationalUnits');

  const accountIds = new Set<string>();
  const keyIds = new Set<string>();
  const accounts: WorldAccount[] = raw.accounts.map((a, i) => {
    const at = `${source}/accounts/${i}`;
    if (accountIds.has(a.id)) problems.push(`${at}/id: duplicate account id ${a.id}`);
    accountIds.add(a.id);
    const parentId = a.parent ?? org.rootId;
    if (!ids.has(parentId)) problems.push(`${at}/parent: no root or OU with id ${parentId}`);
    const accessKeys = a.accessKeys && a.accessKeys.length > 0 ? a.accessKeys : [defaultAccessKey(a.id)];
    for (const k of accessKeys) {
      if (keyIds.has(k.accessKeyId)) problems.push(`${at}/accessKeys: access key ${k.accessKeyId} is used twice`);
      keyIds.add(k.accessKeyId);
    }
    return {
      id: a.id,
      name: a.name,
      email: a.email,
      status: a.status ?? 'ACTIVE',
      parentId,
      tags: { ...(a.tags ?? {}) },
      joinedMethod: a.joinedMethod ?? 'CREATED',
      joinedTimestamp: a.joinedTimestamp ? Date.parse(a.joinedTimestamp) : loadedAt,
      accessKeys,
    };
  });
  if (!accountIds.has(org.managementAccountId)) {
    problems.push(`${source}/organization/managementAccountId: ${org.managementAccountId} is not one of the accounts`);
  }
  if (problems.length > 0) throw new WorldError(problems);

  const byId = new Map(accounts.map((a) => [a.id, a]));
  return {
    organizationId: org.id,
    managementAccountId: org.managementAccountId,
    region: raw.region ?? 'us-east-1',
    rootId: org.rootId,
    featureSet: org.featureSet ?? 'ALL',
    rootTags: { ...(org.rootTags ?? {}) },
    organizationalUnits: ous,
    worldAccounts: accounts,
    listAccounts: () => accounts,
    getAccount: (id) => byId.get(id),
  };
}
