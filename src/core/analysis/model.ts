import type { ActionCatalogue, NamedPolicy, Statement } from '../../iam-policy/index.js';

/** Where something was declared, so findings point into the access file. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** A named bundle of policies that becomes a permission set or an IAM role. */
export interface PermissionInput {
  readonly name: string;
  /** Every identity policy of the permission with its document: AWS-managed, inline and customer-managed. */
  readonly policies: readonly NamedPolicy[];
  readonly boundary?: NamedPolicy | undefined;
  /** ISO 8601 duration, e.g. `PT8H`. */
  readonly sessionDuration?: string | undefined;
  /** Customer-managed policies referenced by name; their documents live in each account. */
  readonly customerManagedReferences?: readonly string[] | undefined;
  readonly location?: SourceLocation | undefined;
}

export interface GrantInput {
  /** Stable name of the grant in the access file, e.g. `grants[3]`. */
  readonly id: string;
  readonly group: string;
  readonly permission: string;
  /** Account ids the grant's selector resolves to. */
  readonly accounts: readonly string[];
  /** ISO date after which the grant lapses. */
  readonly until?: string | undefined;
  readonly location?: SourceLocation | undefined;
}

export interface GroupInput {
  readonly name: string;
  /** Everyone in the group, including through nested groups. */
  readonly members: readonly string[];
  /** Marked as holding temporary access (contractors, break-glass, incident responders). */
  readonly temporary?: boolean | undefined;
}

export interface AccountInput {
  readonly id: string;
  readonly name: string;
  /** The organisation's management account. */
  readonly management?: boolean | undefined;
}

/** A finding the organisation has reviewed and accepted, written in the access file with its reason. */
export interface Acknowledgement {
  readonly rule: string;
  /** Narrows the acknowledgement to one permission (or grant id); absent means every finding of the rule. */
  readonly permission?: string | undefined;
  readonly grant?: string | undefined;
  readonly reason: string;
}

/** What Keyway itself manages in AWS, whose takeover would hand over the control plane. */
export interface ManagedFootprint {
  /** ARN patterns of the SAML providers Keyway creates, e.g. `arn:aws:iam::*:saml-provider/Keyway`. */
  readonly samlProviders: readonly string[];
  /** ARN patterns of the roles Keyway creates, e.g. `arn:aws:iam::*:role/keyway/*`. */
  readonly roles: readonly string[];
}

export interface AnalysisInput {
  readonly permissions: readonly PermissionInput[];
  readonly grants: readonly GrantInput[];
  readonly groups: readonly GroupInput[];
  readonly accounts: readonly AccountInput[];
  readonly footprint: ManagedFootprint;
  /** Per account id, per customer-managed policy name: a digest of the document found in that account. */
  readonly customerManagedDigests?: ReadonlyMap<string, ReadonlyMap<string, string>> | undefined;
  readonly acknowledgements?: readonly Acknowledgement[] | undefined;
  readonly catalogue: ActionCatalogue;
  readonly now: Date;
}

export type Severity = 'critical' | 'high' | 'medium' | 'low';

export const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high', 'critical'];

export const atLeast = (severity: Severity, threshold: Severity): boolean =>
  SEVERITIES.indexOf(severity) >= SEVERITIES.indexOf(threshold);

/** A statement a finding rests on, quoted as written. */
export interface StatementEvidence {
  readonly permission: string;
  readonly policy: string;
  readonly index: number;
  readonly sid: string | undefined;
  readonly statement: Statement['source'];
}

export interface Finding {
  readonly rule: string;
  readonly severity: Severity;
  readonly message: string;
  readonly fix: string;
  readonly permission?: string | undefined;
  readonly grants: readonly string[];
  readonly accounts: readonly string[];
  readonly people: readonly string[];
  readonly statements: readonly StatementEvidence[];
  /** Where the finding should be shown: the permission's (or grant's) declaration. */
  readonly location?: SourceLocation | undefined;
  /** Set when the access file acknowledges the finding; the reason given there. */
  readonly acknowledged?: string | undefined;
}

export type FindingDraft = Omit<Finding, 'rule' | 'severity' | 'acknowledged' | 'grants' | 'accounts' | 'people'> &
  Partial<Pick<Finding, 'grants' | 'accounts' | 'people' | 'severity'>>;
