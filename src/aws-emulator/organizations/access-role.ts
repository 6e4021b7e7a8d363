/**
 * The role Organizations creates in every account it creates (`OrganizationAccountAccessRole` unless
 * CreateAccount names another): it trusts the management account and grants full administrator access through
 * an inline policy named AdministratorAccess (AWS Organizations User Guide, "Accessing a member account that
 * has a management account access role").
 */
import type { RoleSpec } from '../world-contract.js';

export const DEFAULT_ACCESS_ROLE_NAME = 'OrganizationAccountAccessRole';

export function accessRoleSpec(
  managementAccountId: string,
  name = DEFAULT_ACCESS_ROLE_NAME,
): Omit<RoleSpec, 'protected'> {
  return {
    name,
    path: '/',
    maxSessionDuration: 3600,
    assumeRolePolicyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${managementAccountId}:root` }, Action: 'sts:AssumeRole' },
      ],
    }),
    inlinePolicies: {
      AdministratorAccess: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
      }),
    },
    managedPolicyArns: [],
  };
}
