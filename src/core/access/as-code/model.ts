/**
 * The access file in memory: named account selectors, named permissions and grants, each remembering where in
 * which file it was written so that every finding can point there.
 */
import type { PolicyDocument } from '../trust-policy.js';

export interface SourcePos {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
}

export const formatPos = (p: SourcePos): string => `${p.file}:${p.line}:${p.column}`;

export type Delivery = 'identity-center' | 'iam-federation';
export const DELIVERIES: readonly Delivery[] = ['identity-center', 'iam-federation'];

export interface OuCriterion {
  /** OU names from the root, e.g. ['Workloads', 'Prod']; empty for the root itself. */
  readonly path: readonly string[];
  /** `/**`: the OU and every OU below it; otherwise accounts directly in it. */
  readonly recursive: boolean;
}

/** All criteria given must hold; `exclude` removes what any of its selectors match. */
export interface AccountSelector {
  readonly ids?: readonly string[];
  readonly name?: string;
  readonly ou?: OuCriterion;
  readonly tags?: Readonly<Record<string, string>>;
  readonly all?: true;
  readonly exclude?: readonly AccountSelector[];
  readonly at: SourcePos;
}

export interface CustomerManagedRef {
  readonly name: string;
  readonly path: string;
}

export type Boundary = { readonly managed: string } | { readonly customerManaged: CustomerManagedRef };

export interface Permission {
  readonly name: string;
  readonly description: string | null;
  /** AWS-managed policy names, with AWS's path where it has one (job-function/ViewOnlyAccess). */
  readonly managed: readonly string[];
  readonly inline: PolicyDocument | null;
  readonly customerManaged: readonly CustomerManagedRef[];
  readonly boundary: Boundary | null;
  /** ISO-8601, normalised (PT1H when the file gives none). */
  readonly sessionDuration: string;
  readonly at: SourcePos;
  /** Where each field was written, for findings about it. */
  readonly fieldAt: Readonly<Record<string, SourcePos>>;
}

export type GrantAccounts =
  | { readonly kind: 'refs'; readonly names: readonly string[] }
  | { readonly kind: 'inline'; readonly selector: AccountSelector };

export interface Grant {
  /** Position in the merged file list, from 0: grants are named "grant #n" by it. */
  readonly index: number;
  readonly group: string;
  readonly permission: string;
  readonly accounts: GrantAccounts;
  readonly reason: string | null;
  /** ISO-8601 instant after which the grant no longer applies; a bare date means the end of that day (UTC). */
  readonly until: string | null;
  readonly delivery: Delivery;
  readonly at: SourcePos;
  readonly fieldAt: Readonly<Record<string, SourcePos>>;
}

export interface AccessSettings {
  /** The value of the keyway:managed tag on everything this file owns. */
  readonly installation: string;
  readonly delivery: Delivery;
  readonly memberRole: string;
  readonly rolePath: string;
}

export type AnalysisSeverity = 'critical' | 'high' | 'medium' | 'low';

/** The file's `analysis` section: how findings of the access analysis are judged (docs/access-analysis.md). */
export interface AccessAnalysisSettings {
  readonly failOn: AnalysisSeverity;
  readonly temporaryGroups: readonly string[];
  readonly acknowledge: readonly {
    readonly rule: string;
    readonly permission?: string;
    readonly grant?: string;
    readonly reason: string;
    readonly at: SourcePos;
  }[];
}

export interface AccessModel {
  readonly files: readonly string[];
  readonly settings: AccessSettings;
  readonly accounts: ReadonlyMap<string, readonly AccountSelector[]>;
  readonly accountsAt: ReadonlyMap<string, SourcePos>;
  readonly permissions: ReadonlyMap<string, Permission>;
  readonly grants: readonly Grant[];
  readonly adopt: { readonly permissionSets: readonly string[]; readonly roles: readonly string[] };
  readonly analysis: AccessAnalysisSettings;
}

export type FindingSeverity = 'error' | 'warning';

/** A problem in the access file or in what it resolves to, with the rule it breaks. */
export interface AccessFinding {
  readonly severity: FindingSeverity;
  readonly rule: string;
  readonly message: string;
  readonly at: SourcePos | null;
}

export const MANAGED_TAG = 'keyway:managed';
export const DEFAULT_MEMBER_ROLE = 'OrganizationAccountAccessRole';
export const DEFAULT_ROLE_PATH = '/keyway/';
export const DEFAULT_INSTALLATION = 'keyway';
