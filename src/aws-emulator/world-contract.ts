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
  /**
   * Creates the SAML provider unless the account already has one of that name (Identity Center's
   * `AWSSSO_<hex>_DO_NOT_DELETE`, which its reserved roles trust); returns the provider either way.
   */
  ensureSamlProvider(accountId: string, name: string, metadataDocument: string): SamlProviderRecord;
  listRoles(accountId: string): readonly IamRoleInfo[];
}

export interface TemporaryCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** Epoch milliseconds. */
  readonly expiration: number;
}

/** What STS remembers about a temporary session beyond who it is (STS API reference, AssumeRole). */
export interface SessionAttributes {
  /** `role-session`: an assumed role (assuming another role from it is role chaining); `session-token`: GetSessionToken. */
  readonly kind: 'role-session' | 'session-token';
  /** Set once in a chain of sessions and carried into every role assumed from it. */
  readonly sourceIdentity?: string;
  /** Transitive session tags, carried into every role assumed from this session. */
  readonly transitiveTags: readonly { readonly key: string; readonly value: string }[];
}

export interface CredentialIssuer {
  /** Issues `ASIA…` credentials for an assumed-role session, usable with SigV4 against every emulated service. */
  issueRoleSession(
    accountId: string,
    role: IamRoleInfo,
    sessionName: string,
    durationSeconds: number,
    carried?: { readonly sourceIdentity?: string; readonly transitiveTags?: SessionAttributes['transitiveTags'] },
  ): TemporaryCredentials;
  /** GetSessionToken: temporary credentials that act as the long-term principal that asked for them. */
  issueSessionToken(
    principal: { readonly accountId: string; readonly principalArn: string; readonly userId: string },
    durationSeconds: number,
  ): TemporaryCredentials;
}

/** A SAML provider as IAM stores it, with what STS and the sign-in endpoint need to verify assertions. */
export interface SamlProviderRecord {
  readonly arn: string;
  readonly accountId: string;
  readonly name: string;
  readonly uuid: string;
  readonly metadataDocument: string;
  /** The `entityID` of the metadata's IdP EntityDescriptor (assertion Issuer must equal it). */
  readonly entityId: string;
  /** Base64 DER of every `use="signing"` (or use-less) certificate under IDPSSODescriptor. */
  readonly signingCertificates: readonly string[];
  /** Epoch milliseconds. */
  readonly createDate: number;
  readonly validUntil: number;
  readonly tags: Readonly<Record<string, string>>;
}

/** A role as IAM stores it (documents as plain JSON text, not URL-encoded). */
export interface IamRoleRecord extends IamRoleInfo {
  readonly accountId: string;
  readonly assumeRolePolicyDocument: string;
  readonly description?: string;
  readonly createDate: number;
  readonly tags: Readonly<Record<string, string>>;
  readonly protected: boolean;
}

/** Read access to IAM for STS and the sign-in endpoint. */
export interface IamReader {
  getSamlProviderByArn(arn: string): SamlProviderRecord | undefined;
  getRoleByArn(arn: string): IamRoleRecord | undefined;
  /** Role names are unique in an account whatever their path. */
  getRoleByName(accountId: string, name: string): IamRoleRecord | undefined;
}

/**
 * JSON documents keyed by (collection, key), in memory or in the `--state` SQLite file. Values are copied in
 * and out (stored as JSON text), so callers never share mutable objects with the store.
 */
export interface StateStore {
  get<T>(collection: string, key: string): T | undefined;
  put(collection: string, key: string, value: unknown): void;
  delete(collection: string, key: string): boolean;
  /** Entries whose key starts with `keyPrefix`, ordered by key. */
  list<T>(collection: string, keyPrefix?: string): T[];
  /** How many entries have keys starting with `keyPrefix` (quota checks without reading every document). */
  count(collection: string, keyPrefix?: string): number;
  /** Runs `fn` atomically (one SQLite transaction); nothing is written if it throws. */
  transaction<T>(fn: () => T): T;
}

export interface EmulatorLogger {
  info(event: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(event: string, fields?: Readonly<Record<string, unknown>>): void;
}

/** Everything a service factory gets from the emulator when it is created. */
export interface EmulatorServices {
  readonly accounts: AccountDirectory;
  readonly iam: IamWriter;
  readonly iamReader: IamReader;
  readonly credentials: CredentialIssuer;
  readonly state: StateStore;
  readonly log: EmulatorLogger;
  /** Epoch milliseconds; tests inject a clock to expire credentials and assertions. */
  readonly now: () => number;
  /**
   * Whether SAML verifiers accept RSA-SHA1 signatures and SHA-1 digests. AWS does not document it (docs/aws-facts.md),
   * so
   * they are refused unless the emulator is started with `allowSha1` / `--allow-sha1` (docs/security.md, SAML rule 3).
   */
  readonly allowSha1?: boolean;
}
