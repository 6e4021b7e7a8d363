import {
  AWS_MANAGED_ARN,
  parsePolicyDocument,
  PolicyDocumentError,
  type ActionCatalogue,
  type NamedPolicy,
} from '../../iam-policy/index.js';
import { membersWithPaths, type DirectorySnapshot } from '../access/as-code/directory-snapshot.js';
import type { AccessFinding, AccessModel, Permission } from '../access/as-code/model.js';
import { resolveGrants, type OrgSnapshot } from '../access/as-code/org.js';
import type { AwsIamAppConfig } from '../access/aws-iam-app.js';
import type { AnalysisInput, GroupInput, ManagedFootprint, PermissionInput } from './model.js';
import { RULES } from './rules/index.js';

/** The document of an AWS-managed policy by its name as the file writes it (`ReadOnlyAccess`, `job-function/…`). */
export type ManagedPolicyDocuments = (name: string) => unknown;

export interface AccessAnalysisSource {
  readonly model: AccessModel;
  readonly org: OrgSnapshot;
  readonly directory: DirectorySnapshot;
  readonly managedPolicy: ManagedPolicyDocuments;
  readonly catalogue: ActionCatalogue;
  /** The AWS IAM application, whose SAML provider names Keyway owns in every account. */
  readonly federation?: Pick<AwsIamAppConfig, 'samlProviderName' | 'samlProviderNames'> | null;
  readonly customerManagedDigests?: AnalysisInput['customerManagedDigests'];
  readonly now: Date;
}

const managedArn = (name: string): string =>
  AWS_MANAGED_ARN.test(name) ? name : `arn:aws:iam::aws:policy/${name.replace(/^\//, '')}`;

/** What Keyway owns in AWS for this file: its role path and its SAML providers. */
export function footprintOf(model: AccessModel, federation: AccessAnalysisSource['federation']): ManagedFootprint {
  const providers = new Set<string>();
  if (federation) {
    providers.add(federation.samlProviderName);
    for (const name of Object.values(federation.samlProviderNames ?? {})) providers.add(name);
  }
  return {
    samlProviders: [...providers].map((p) => `arn:aws:iam::*:saml-provider/${p}`),
    roles: [`arn:aws:iam::*:role${model.settings.rolePath}*`],
  };
}

function permissionInput(p: Permission, source: AccessAnalysisSource, findings: AccessFinding[]): PermissionInput {
  const policies: NamedPolicy[] = [];
  const read = (name: string, document: unknown, at = p.at): NamedPolicy | undefined => {
    try {
      return { name, document: parsePolicyDocument(document) };
    } catch (e) {
      if (!(e instanceof PolicyDocumentError)) throw e;
      findings.push({
        severity: 'error',
        rule: 'policy-document',
        message: `permission ${p.name}: policy ${name}: ${e.message}`,
        at,
      });
      return undefined;
    }
  };
  for (const name of p.managed) {
    const document = source.managedPolicy(name);
    if (document === undefined) continue;
    const policy = read(managedArn(name), document, p.fieldAt.managed ?? p.at);
    if (policy) policies.push(policy);
  }
  if (p.inline) {
    const policy = read('inline', p.inline, p.fieldAt.inline ?? p.at);
    if (policy) policies.push(policy);
  }
  let boundary: NamedPolicy | undefined;
  if (p.boundary && 'managed' in p.boundary) {
    const document = source.managedPolicy(p.boundary.managed);
    if (document !== undefined) boundary = read(managedArn(p.boundary.managed), document, p.fieldAt.boundary ?? p.at);
  }
  return {
    name: p.name,
    policies,
    boundary,
    sessionDuration: p.sessionDuration,
    customerManagedReferences: p.customerManaged.map((c) => c.name),
    location: p.at,
  };
}

/**
 * The access file as the analysis sees it: each permission with its policy documents, each grant with the
 * accounts its selector resolves to in the live organisation, each group with everyone in it at any depth.
 * Problems the analysis cannot judge (a policy document it cannot read, an acknowledgement of an unknown rule)
 * come back as access-file findings.
 */
export function analysisInputFromAccess(source: AccessAnalysisSource): {
  input: AnalysisInput;
  findings: AccessFinding[];
} {
  const { model, org, directory } = source;
  const findings: AccessFinding[] = [];
  const permissions = [...model.permissions.values()].map((p) => permissionInput(p, source, findings));
  const { grants } = resolveGrants(model, org);
  const userName = new Map(directory.users.filter((u) => u.status === 'active').map((u) => [u.id, u.userName]));
  const temporary = new Set(model.analysis.temporaryGroups.map((g) => g.toLowerCase()));
  const groups: GroupInput[] = directory.groups.map((g) => ({
    name: g.displayName,
    members: membersWithPaths(directory, g.id).flatMap((m) => userName.get(m.userId) ?? []),
    temporary: temporary.has(g.displayName.toLowerCase()),
  }));
  const known = new Set(groups.map((g) => g.name.toLowerCase()));
  for (const name of model.analysis.temporaryGroups)
    if (!known.has(name.toLowerCase()))
      findings.push({
        severity: 'warning',
        rule: 'unknown-group',
        message: `analysis.temporaryGroups names "${name}", which is not a Keyway group`,
        at: null,
      });
  const rules = new Set(RULES.map((r) => r.id));
  for (const a of model.analysis.acknowledge)
    if (!rules.has(a.rule))
      findings.push({
        severity: 'error',
        rule: 'unknown-rule',
        message: `analysis.acknowledge names rule "${a.rule}", which does not exist (rules: ${[...rules].join(', ')})`,
        at: a.at,
      });
  const canonicalGroup = new Map(groups.map((g) => [g.name.toLowerCase(), g.name]));
  return {
    input: {
      permissions,
      grants: grants.map(({ grant, accounts }) => ({
        id: `grant #${grant.index + 1}`,
        group: canonicalGroup.get(grant.group.toLowerCase()) ?? grant.group,
        permission: grant.permission,
        accounts: accounts.map((a) => a.id),
        until: grant.until ?? undefined,
        location: grant.at,
      })),
      groups,
      accounts: org.accounts.map((a) => ({ id: a.id, name: a.name, management: a.id === org.managementAccountId })),
      footprint: footprintOf(model, source.federation),
      customerManagedDigests: source.customerManagedDigests,
      acknowledgements: model.analysis.acknowledge,
      catalogue: source.catalogue,
      now: source.now,
    },
    findings,
  };
}
