import type { AwsIamAppConfig } from './aws-iam-app.js';
import { providerNameFor } from './aws-iam-app.js';
import type { RoleBinding } from './bindings.js';
import { compareRoles } from './bindings.js';
import { roleArn, samlProviderArn } from './aws-names.js';
import type { PolicyDocument } from './trust-policy.js';
import { canonicalPolicy, samlTrustPolicy } from './trust-policy.js';

/** What identifies an IdP in SAML metadata; two documents with the same fingerprint trust the same keys. */
export interface MetadataFingerprint {
  readonly entityId: string;
  /** Base64 DER of each signing certificate, whitespace removed, sorted. */
  readonly certificates: readonly string[];
}

export interface DesiredProvider {
  readonly name: string;
  readonly arn: string;
  readonly metadataXml: string;
  readonly fingerprint: MetadataFingerprint;
}

export interface DesiredRole {
  readonly name: string;
  readonly path: string;
  readonly arn: string;
  readonly trustPolicy: PolicyDocument;
  /** Only used when the role is created; existing roles keep theirs. */
  readonly maxSessionDuration: number;
  readonly description: string;
}

export interface DesiredIamState {
  readonly accountId: string;
  readonly provider: DesiredProvider;
  readonly roles: readonly DesiredRole[];
}

export interface LiveProvider {
  readonly arn: string;
  /** Null when AWS holds metadata Keyway cannot read: it is then replaced. */
  readonly fingerprint: MetadataFingerprint | null;
  /** ISO-8601, from GetSAMLProvider.ValidUntil. */
  readonly validUntil: string | null;
}

export interface LiveRole {
  readonly name: string;
  readonly path: string;
  readonly arn: string;
  /** The decoded trust policy; null when it is not JSON. */
  readonly trustPolicy: unknown;
}

export interface LiveIamState {
  readonly accountId: string;
  readonly provider: LiveProvider | null;
  /** Keyed by the desired role name, lower-cased (IAM role names are case-insensitive); null when absent. */
  readonly roles: Readonly<Record<string, LiveRole | null>>;
}

export type IamChange =
  | {
      readonly action: 'create';
      readonly resource: 'saml-provider';
      readonly accountId: string;
      readonly name: string;
      readonly arn: string;
      readonly metadataXml: string;
    }
  | {
      readonly action: 'update';
      readonly resource: 'saml-provider';
      readonly accountId: string;
      readonly name: string;
      readonly arn: string;
      readonly metadataXml: string;
      readonly reasons: readonly string[];
    }
  | {
      readonly action: 'create';
      readonly resource: 'role';
      readonly accountId: string;
      readonly name: string;
      readonly path: string;
      readonly arn: string;
      readonly trustPolicy: PolicyDocument;
      readonly maxSessionDuration: number;
      readonly description: string;
    }
  | {
      readonly action: 'update';
      readonly resource: 'trust-policy';
      readonly accountId: string;
      readonly name: string;
      readonly arn: string;
      readonly before: unknown;
      readonly after: PolicyDocument;
    };

export interface IamPlanFinding {
  readonly severity: 'error' | 'warning';
  readonly accountId: string;
  readonly message: string;
}

/** Versioned so saved plans from another Keyway version are refused rather than misread. */
export interface IamPlan {
  readonly formatVersion: 1;
  readonly accounts: readonly string[];
  readonly changes: readonly IamChange[];
  readonly findings: readonly IamPlanFinding[];
}

export interface DesiredStateInput {
  readonly accountId: string;
  readonly config: AwsIamAppConfig;
  readonly bindings: readonly RoleBinding[];
  readonly metadataXml: string;
  readonly fingerprint: MetadataFingerprint;
}

export const ROLE_DESCRIPTION = 'Federated through Keyway (SAML); trust policy managed by keyway aws iam setup';

/** What one account must hold for Pattern A: Keyway's SAML provider and every role a binding names there. */
export function desiredIamState(input: DesiredStateInput): DesiredIamState {
  const { accountId, config } = input;
  const providerName = providerNameFor(config, accountId);
  const trustPolicy = samlTrustPolicy({
    accountId,
    providerName,
    signInUrl: config.signInUrl,
    sendsTags: config.principalTags.length > 0,
    sendsSourceIdentity: config.sourceIdentityFrom !== null,
  });
  const seen = new Map<string, DesiredRole>();
  for (const b of [...input.bindings].filter((x) => x.accountId === accountId).sort(compareRoles)) {
    const key = b.roleName.toLowerCase();
    if (seen.has(key)) continue;
    seen.set(key, {
      name: b.roleName,
      path: b.rolePath,
      arn: roleArn(accountId, b.rolePath, b.roleName),
      trustPolicy,
      // A console SessionDuration above the role's maximum would fail AssumeRoleWithSAML (AWS STS API Reference,
      // "AssumeRoleWithSAML").
      maxSessionDuration: Math.max(3600, config.sessionDuration ?? 3600),
      description: ROLE_DESCRIPTION,
    });
  }
  return {
    accountId,
    provider: {
      name: providerName,
      arn: samlProviderArn(accountId, providerName),
      metadataXml: input.metadataXml,
      fingerprint: input.fingerprint,
    },
    roles: [...seen.values()],
  };
}

/** Metadata that AWS will stop trusting within this window is refreshed on the next apply. */
export const METADATA_REFRESH_WINDOW_MS = 7 * 24 * 3600 * 1000;

function providerDrift(desired: DesiredProvider, live: LiveProvider, now: Date): string[] {
  const reasons: string[] = [];
  if (live.fingerprint === null) return ['the metadata in AWS cannot be read'];
  if (live.fingerprint.entityId !== desired.fingerprint.entityId)
    reasons.push(`issuer ${live.fingerprint.entityId} → ${desired.fingerprint.entityId}`);
  const have = new Set(live.fingerprint.certificates);
  const want = new Set(desired.fingerprint.certificates);
  const added = [...want].filter((c) => !have.has(c)).length;
  const removed = [...have].filter((c) => !want.has(c)).length;
  if (added > 0 || removed > 0) reasons.push(`signing certificates changed (${added} added, ${removed} removed)`);
  if (live.validUntil !== null && Date.parse(live.validUntil) - now.getTime() < METADATA_REFRESH_WINDOW_MS)
    reasons.push(`metadata valid only until ${live.validUntil}`);
  return reasons;
}

/** The changes that turn `live` into `desired`; everything not named by Keyway is left alone. */
export function diffIam(
  desired: DesiredIamState,
  live: LiveIamState,
  now: Date = new Date(),
): { changes: IamChange[]; findings: IamPlanFinding[] } {
  const accountId = desired.accountId;
  const changes: IamChange[] = [];
  const findings: IamPlanFinding[] = [];
  const p = desired.provider;
  if (live.provider === null) {
    changes.push({
      action: 'create',
      resource: 'saml-provider',
      accountId,
      name: p.name,
      arn: p.arn,
      metadataXml: p.metadataXml,
    });
  } else {
    const reasons = providerDrift(p, live.provider, now);
    if (reasons.length > 0)
      changes.push({
        action: 'update',
        resource: 'saml-provider',
        accountId,
        name: p.name,
        arn: p.arn,
        metadataXml: p.metadataXml,
        reasons,
      });
  }
  for (const role of desired.roles) {
    const have = live.roles[role.name.toLowerCase()] ?? null;
    if (have === null) {
      changes.push({
        action: 'create',
        resource: 'role',
        accountId,
        name: role.name,
        path: role.path,
        arn: role.arn,
        trustPolicy: role.trustPolicy,
        maxSessionDuration: role.maxSessionDuration,
        description: role.description,
      });
      continue;
    }
    if (have.path !== role.path) {
      // Moving a role means deleting it, which Keyway never does on its own.
      findings.push({
        severity: 'error',
        accountId,
        message: `role ${have.name} exists at path ${have.path}, but the binding names path ${role.path}; fix the binding or move the role by hand`,
      });
      continue;
    }
    if (have.trustPolicy === null || canonicalPolicy(have.trustPolicy) !== canonicalPolicy(role.trustPolicy)) {
      changes.push({
        action: 'update',
        resource: 'trust-policy',
        accountId,
        name: have.name,
        arn: have.arn,
        before: have.trustPolicy,
        after: role.trustPolicy,
      });
    }
  }
  return { changes, findings };
}

export function planSummary(plan: Pick<IamPlan, 'changes'>): { create: number; update: number; delete: number } {
  let create = 0;
  let update = 0;
  for (const c of plan.changes) {
    if (c.action === 'create') create++;
    else update++;
  }
  return { create, update, delete: 0 };
}
