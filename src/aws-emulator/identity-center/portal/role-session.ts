import type { AccountDirectory, CredentialIssuer, IamWriter, TemporaryCredentials } from '../../world-contract.js';
import { sessionSeconds } from '../sso-admin/operations.js';
import type { UserRecord } from '../store.js';
import type { Entitlement } from './entitlements.js';

/**
 * Credentials for an `AWSReservedSSO_*` role, as the access portal and GetRoleCredentials hand them out: the
 * session is named after the user's userName and lasts the permission set's SessionDuration (IAM Identity Center User
 * Guide, "Using service-linked roles for IAM Identity Center").
 */
export function roleSessionName(user: UserRecord): string {
  const cleaned = user.userName.replace(/[^\w+=,.@-]/g, '_').slice(0, 64);
  return cleaned.length >= 2 ? cleaned : `${cleaned}__`.slice(0, 2);
}

export function issueRoleCredentials(
  deps: { readonly iam: IamWriter; readonly credentials: CredentialIssuer; readonly accounts: AccountDirectory },
  user: UserRecord,
  e: Entitlement,
): { readonly credentials: TemporaryCredentials; readonly assumedRoleArn: string } | undefined {
  const role = deps.iam.getRole(e.accountId, e.roleName);
  if (!role) return undefined;
  const seconds = sessionSeconds(e.permissionSet.sessionDuration);
  const session = roleSessionName(user);
  const credentials = deps.credentials.issueRoleSession(
    e.accountId,
    role,
    session,
    Math.min(seconds, role.maxSessionDuration),
  );
  return { credentials, assumedRoleArn: `arn:aws:sts::${e.accountId}:assumed-role/${role.name}/${session}` };
}
