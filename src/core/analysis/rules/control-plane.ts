import { mayOverlap, type StatementRef } from '../../../iam-policy/index.js';
import type { AnalysisContext } from '../context.js';
import type { FindingDraft } from '../model.js';
import type { Rule } from '../rule.js';
import { isAdminEquivalent } from './admin-equivalence.js';

/**
 * Identity Center writes that decide who gets which permission set: whoever holds them in the account that
 * hosts Identity Center (the management account, or a delegated administrator) can give themselves anything.
 */
const IDENTITY_CENTER_WRITES = [
  'sso:CreateAccountAssignment',
  'sso:CreatePermissionSet',
  'sso:UpdatePermissionSet',
  'sso:ProvisionPermissionSet',
  'sso:PutInlinePolicyToPermissionSet',
  'sso:AttachManagedPolicyToPermissionSet',
  'sso:AttachCustomerManagedPolicyReferenceToPermissionSet',
  'sso:PutPermissionsBoundaryToPermissionSet',
  'sso:DeletePermissionsBoundaryFromPermissionSet',
  'sso:CreateInstanceAccessControlAttributeConfiguration',
  'identitystore:CreateGroupMembership',
  'identitystore:CreateUser',
  'identitystore:UpdateUser',
  'identitystore:UpdateGroup',
];

/** Writes to the SAML providers Keyway federates through: replacing the metadata replaces who is trusted. */
const SAML_PROVIDER_WRITES = [
  'iam:UpdateSAMLProvider',
  'iam:DeleteSAMLProvider',
  'iam:CreateSAMLProvider',
  'iam:TagSAMLProvider',
  'iam:UntagSAMLProvider',
];

/** Writes to the roles Keyway manages: their trust and policies are Keyway's to set. */
const MANAGED_ROLE_WRITES = [
  'iam:UpdateAssumeRolePolicy',
  'iam:PutRolePolicy',
  'iam:AttachRolePolicy',
  'iam:DetachRolePolicy',
  'iam:DeleteRolePolicy',
  'iam:DeleteRole',
  'iam:UpdateRole',
  'iam:PutRolePermissionsBoundary',
  'iam:DeleteRolePermissionsBoundary',
  'iam:TagRole',
  'iam:UntagRole',
];

function allowedWithin(
  context: AnalysisContext,
  permission: string,
  actions: readonly string[],
  patterns: readonly string[],
): { actions: string[]; refs: StatementRef[] } {
  const hit: string[] = [];
  const refs: StatementRef[] = [];
  for (const action of actions) {
    for (const pattern of patterns) {
      const decision = context.can(permission, action, { resource: pattern });
      const inside = decision.allowedBy.filter((ref) => mayOverlap(ref.resource, pattern));
      if (inside.length === 0) continue;
      hit.push(action);
      refs.push(...inside);
      break;
    }
  }
  return { actions: hit, refs };
}

function organizationWrites(context: AnalysisContext): string[] {
  return context.input.catalogue.actions
    .filter((a) => a.service === 'organizations' && a.accessLevel !== 'List' && a.accessLevel !== 'Read')
    .map((a) => a.name);
}

export const controlPlaneTakeover: Rule = {
  id: 'control-plane-takeover',
  severity: 'critical',
  title: 'Control over who gets access',
  description:
    'The permission can change access itself: Identity Center assignments, permission sets or group memberships ' +
    'and Organizations writes in the management account, or the SAML providers and roles that Keyway manages in ' +
    'any account (for permissions short of administrator: an administrator of an account owns everything in it). ' +
    'Whoever holds it can grant themselves or others anything, outside the access file.',
  check(context) {
    const findings: FindingDraft[] = [];
    const management = new Set(context.input.accounts.filter((a) => a.management).map((a) => a.id));
    for (const [name, permission] of context.permissions) {
      const grants = context.activeGrants.filter((g) => g.permission === name);
      const inManagement = [...new Set(grants.flatMap((g) => g.accounts.filter((a) => management.has(a))))];
      const found: { what: string; actions: string[]; refs: StatementRef[]; accounts: string[] }[] = [];
      if (inManagement.length > 0) {
        const sso = allowedWithin(context, name, IDENTITY_CENTER_WRITES, ['*']);
        if (sso.actions.length > 0)
          found.push({ what: 'Identity Center in the management account', ...sso, accounts: inManagement });
        const org = allowedWithin(context, name, organizationWrites(context), ['*']);
        if (org.actions.length > 0)
          found.push({ what: 'the organisation from its management account', ...org, accounts: inManagement });
      }
      // An administrator of an account can already change anything in it, Keyway's roles included; that is
      // what granting it means, and admin-equivalence reports it when the name hides it.
      if (!isAdminEquivalent(context, name)) {
        const providers = allowedWithin(context, name, SAML_PROVIDER_WRITES, context.input.footprint.samlProviders);
        if (providers.actions.length > 0) found.push({ what: "Keyway's SAML providers", ...providers, accounts: [] });
        const roles = allowedWithin(context, name, MANAGED_ROLE_WRITES, context.input.footprint.roles);
        if (roles.actions.length > 0) found.push({ what: 'the roles Keyway manages', ...roles, accounts: [] });
      }
      for (const f of found) {
        const sample =
          f.actions.slice(0, 5).join(', ') + (f.actions.length > 5 ? `, … (${f.actions.length} in all)` : '');
        findings.push({
          permission: name,
          message: `Permission "${name}" can take over ${f.what}: ${sample}.`,
          fix:
            'Deny these actions in the permission (or its boundary), or grant it only where Keyway does not manage ' +
            'access; changes to access belong in the access file.',
          statements: context.evidence(name, f.refs),
          grants: grants.map((g) => g.id),
          accounts: f.accounts,
          location: permission.location,
        });
      }
    }
    return findings;
  },
};
