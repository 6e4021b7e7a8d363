/**
 * What the emulator's services share. Organizations owns accounts; IAM owns roles, SAML providers and policies;
 * STS owns temporary credentials. Identity Center (sso-admin provisioning, the portal) uses all three through
 * these interfaces rather than reaching into another service's tables.
 */
export interface EmulatedAccount {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly status: 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE';
  /** The root (`r-…`) or OU (`ou-…`) directly containing the account. */
  readonly parentId: string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface AccountDirectory {
  readonly organizationId: string;
  readonly managementAccountId: string;
  readonly region: string;
  listAccounts(): readonly EmulatedAccount[];
  getAccount(id: string): EmulatedAccount | undefined;
}

export interface RoleSpec {
  readonly name: string;
  readonly path: string;
  readonly assumeRolePolicyDocument: string;
  readonly maxSessionDuration: number;
  readonly description?: string;
  readonly inlinePolicies: Readonly<Record<string, string>>;
  readonly managedPolicyArns: readonly string[];
  readonly permissionsBoundaryArn?: string;
  /** Roles Identity Center creates cannot be changed through the IAM API. */
  readonly protected?: boolean;
}

export interface IamRoleInfo {
  readonly arn: string;
  readonly roleId: string;
  readonly name: string;
  readonly path: string;
  readonly maxSessionDuration: number;
}

export interface IamWriter {
  /** Creates or replaces the role wholesale (Identity Center provisioning). */
  putRole(accountId: string, spec: RoleSpec): IamRoleInfo;
  deleteRole(accountId: string, name: string): boolean;
  getRole(accountId: string, name: string): IamRoleInfo | undefined;
  /** Whether a customer-managed policy with this name and path exists in the account. */
  hasCustomerManagedPolicy(accountId: string, name: string, path: string): boolean;
  listRoles(accountId: string): readonly IamRoleInfo[];
}

export interface TemporaryCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** Epoch milliseconds. */
  readonly expiration: number;
}

export interface CredentialIssuer {
  /** Issues `ASIA…` credentials for an assumed-role session, usable with SigV4 against every emulated service. */
  issueRoleSession(accountId: string, role: IamRoleInfo, sessionName: string, durationSeconds: number): TemporaryCredentials;
}
