/**
 * IAM's entities per account — roles (with inline and attached policies), SAML providers and customer-managed
 * policies — on the emulator's state store. Every mutation runs in one state transaction, so a failed
 * request leaves nothing half-written. Errors carry IAM's model codes and statuses.
 */
import { AwsServiceError } from '../http/contract.js';
import type {
  IamReader,
  IamRoleInfo,
  IamRoleRecord,
  IamWriter,
  RoleSpec,
  SamlProviderRecord,
  StateStore,
} from '../world-contract.js';
import { newIamId, newSamlProviderUuid } from './ids.js';
import { awsManagedPolicy, awsManagedPolicyVersion } from './managed-policies.js';
import type { AwsManagedPolicy } from './managed-policies.js';
import { policySize, validatePolicyDocument } from './policy-document.js';
import { parseSamlMetadata } from './saml-metadata.js';
import { checkTrustPrincipalsExist } from './trust-principals.js';

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

export interface RoleDoc {
  readonly accountId: string;
  readonly name: string;
  readonly path: string;
  readonly roleId: string;
  readonly arn: string;
  readonly assumeRolePolicyDocument: string;
  readonly description?: string;
  readonly maxSessionDuration: number;
  readonly createDate: number;
  readonly tags: readonly Tag[];
  /** Inline policies in creation order. */
  readonly inlinePolicies: readonly { readonly name: string; readonly document: string }[];
  readonly managedPolicyArns: readonly string[];
  readonly permissionsBoundaryArn?: string;
  readonly protected: boolean;
}

export interface SamlProviderDoc extends SamlProviderRecord {}

export interface PolicyVersionDoc {
  readonly versionId: string;
  readonly document: string;
  readonly createDate: number;
}

export interface CustomerPolicyDoc {
  readonly accountId: string;
  readonly name: string;
  readonly path: string;
  readonly policyId: string;
  readonly arn: string;
  /** The default version's document. */
  readonly document: string;
  readonly description?: string;
  readonly createDate: number;
  readonly updateDate: number;
  readonly tags: readonly Tag[];
  readonly defaultVersionId: string;
  /** Newest first. */
  readonly versions: readonly PolicyVersionDoc[];
  /** Version numbers are never reused, even after DeletePolicyVersion (IAM API reference, CreatePolicyVersion). */
  readonly nextVersion: number;
}

/** Policies stored before versions were emulated hold only `document`: that is their v1. */
function withVersions(doc: CustomerPolicyDoc): CustomerPolicyDoc {
  if (Array.isArray(doc.versions)) return doc;
  return {
    ...doc,
    defaultVersionId: 'v1',
    versions: [{ versionId: 'v1', document: doc.document, createDate: doc.createDate }],
    nextVersion: 2,
  };
}

export type ManagedPolicyView =
  | { readonly kind: 'aws'; readonly policy: AwsManagedPolicy }
  | { readonly kind: 'customer'; readonly policy: CustomerPolicyDoc };

const ROLES = 'iam.roles';
const PROVIDERS = 'iam.saml-providers';
const POLICIES = 'iam.policies';

/** Quotas from the IAM User Guide, reference_iam-quotas. */
export const QUOTAS = {
  rolesPerAccount: 1000,
  samlProvidersPerAccount: 100,
  managedPoliciesPerRole: 10,
  customerPoliciesPerAccount: 1500,
  trustPolicySize: 2048,
  inlineRolePolicySize: 10240,
  managedPolicySize: 6144,
  tagsPerResource: 50,
  versionsPerPolicy: 5,
} as const;

/** What IAM must know of the world outside it: which accounts exist (trust-policy principals). */
export interface IamWorld {
  accountExists(accountId: string): boolean;
}

/** AWS reports ValidUntil 100 years after creation when the metadata has no validUntil (strict reading). */
const DEFAULT_VALIDITY_MS = 100 * 365.25 * 24 * 3600 * 1000;

const key = (accountId: string, name: string): string => `${accountId}/${name.toLowerCase()}`;

function noSuchRole(name: string): AwsServiceError {
  return new AwsServiceError('NoSuchEntity', `The role with name ${name} cannot be found.`, 404);
}

function limit(message: string): AwsServiceError {
  return new AwsServiceError('LimitExceeded', message, 409);
}

/** Merges tags; keys compare case-insensitively on roles and policies, case-sensitively on SAML providers. */
export function mergeTags(existing: readonly Tag[], added: readonly Tag[], caseSensitive: boolean): Tag[] {
  const norm = (k: string): string => (caseSensitive ? k : k.toLowerCase());
  const seen = new Set<string>();
  for (const t of added) {
    checkTagKey(t.Key);
    if (seen.has(norm(t.Key))) {
      throw new AwsServiceError(
        'InvalidInput',
        `Duplicate tag keys found. Please note that Tag keys are ${caseSensitive ? 'case sensitive' : 'case insensitive'}.`,
      );
    }
    seen.add(norm(t.Key));
  }
  const out = existing.filter((t) => !seen.has(norm(t.Key)));
  out.push(...added);
  if (out.length > QUOTAS.tagsPerResource)
    throw limit(`Cannot exceed quota for TagsPerResource: ${QUOTAS.tagsPerResource}`);
  return out;
}

/** Tag keys beginning with `aws:` (any case) are reserved for AWS (IAM User Guide, "Tagging IAM resources"). */
export function checkTagKey(key: string): void {
  if (key.toLowerCase().startsWith('aws:')) {
    throw new AwsServiceError(
      'InvalidInput',
      `Tag key ${key} is invalid: keys beginning with aws: are reserved for AWS use.`,
    );
  }
}

const POLICY_ARN = /^arn:aws:iam::(\d{12}|aws):policy(\/(?:[\x21-\x7e]*\/)?)([\w+=,.@-]+)$/;
const SAML_PROVIDER_ARN = /^arn:aws:iam::(\d{12}):saml-provider\/([\w._-]+)$/;

/** A string that is not a managed-policy ARN is `InvalidInput` "ARN … is not valid.", not NoSuchEntity. */
export function checkPolicyArn(arn: string): void {
  if (!POLICY_ARN.test(arn)) throw new AwsServiceError('InvalidInput', `ARN ${arn} is not valid.`, 400);
}

function checkSamlProviderArn(arn: string): void {
  if (!SAML_PROVIDER_ARN.test(arn)) throw new AwsServiceError('InvalidInput', `ARN ${arn} is not valid.`, 400);
}

function roleInfo(doc: RoleDoc): IamRoleInfo {
  return {
    arn: doc.arn,
    roleId: doc.roleId,
    name: doc.name,
    path: doc.path,
    maxSessionDuration: doc.maxSessionDuration,
  };
}

function roleRecord(doc: RoleDoc): IamRoleRecord {
  return {
    ...roleInfo(doc),
    accountId: doc.accountId,
    assumeRolePolicyDocument: doc.assumeRolePolicyDocument,
    ...(doc.description !== undefined ? { description: doc.description } : {}),
    createDate: doc.createDate,
    tags: Object.fromEntries(doc.tags.map((t) => [t.Key, t.Value])),
    protected: doc.protected,
  };
}

export interface CreateRoleInput {
  readonly name: string;
  readonly path: string;
  readonly assumeRolePolicyDocument: string;
  readonly description?: string;
  readonly maxSessionDuration: number;
  readonly permissionsBoundaryArn?: string;
  readonly tags: readonly Tag[];
}

export class IamStore implements IamWriter, IamReader {
  constructor(
    private readonly state: StateStore,
    private readonly now: () => number,
    private readonly world: IamWorld = { accountExists: () => true },
  ) {}

  // ---- roles ----

  findRole(accountId: string, name: string): RoleDoc | undefined {
    return this.state.get<RoleDoc>(ROLES, key(accountId, name));
  }

  role(accountId: string, name: string): RoleDoc {
    const doc = this.findRole(accountId, name);
    if (!doc) throw noSuchRole(name);
    return doc;
  }

  roles(accountId: string): RoleDoc[] {
    return this.state.list<RoleDoc>(ROLES, `${accountId}/`);
  }

  private mutableRole(accountId: string, name: string): RoleDoc {
    const doc = this.role(accountId, name);
    if (doc.protected) {
      throw new AwsServiceError(
        'UnmodifiableEntity',
        `Cannot perform the operation on the protected role '${doc.name}' - this role is only modifiable by AWS`,
        400,
      );
    }
    return doc;
  }

  private saveRole(doc: RoleDoc): RoleDoc {
    this.state.put(ROLES, key(doc.accountId, doc.name), doc);
    return doc;
  }

  private checkTrustPolicy(document: string): void {
    validatePolicyDocument(document, 'trust');
    if (policySize(document) > QUOTAS.trustPolicySize)
      throw limit(`Cannot exceed quota for ACLSizePerRole: ${QUOTAS.trustPolicySize}`);
    checkTrustPrincipalsExist(document, {
      accountExists: (id) => this.world.accountExists(id),
      roleExists: (accountId, name, path) => {
        const role = this.findRole(accountId, name);
        return role !== undefined && (path === undefined || role.path === path);
      },
      samlProviderExists: (arn) => this.samlProvider(arn) !== undefined,
    });
  }

  private checkBoundary(accountId: string, arn: string | undefined): void {
    if (arn === undefined) return;
    checkPolicyArn(arn);
    if (!this.managedPolicy(accountId, arn)) {
      throw new AwsServiceError('NoSuchEntity', `Scope ARN: ${arn} does not exist or is not attachable.`, 404);
    }
  }

  createRole(accountId: string, input: CreateRoleInput): RoleDoc {
    return this.state.transaction(() => {
      if (this.findRole(accountId, input.name)) {
        throw new AwsServiceError('EntityAlreadyExists', `Role with name ${input.name} already exists.`, 409);
      }
      this.checkTrustPolicy(input.assumeRolePolicyDocument);
      this.checkBoundary(accountId, input.permissionsBoundaryArn);
      mergeTags([], input.tags, false);
      if (this.state.count(ROLES, `${accountId}/`) >= QUOTAS.rolesPerAccount)
        throw limit(`Cannot exceed quota for RolesPerAccount: ${QUOTAS.rolesPerAccount}`);
      return this.saveRole({
        accountId,
        name: input.name,
        path: input.path,
        roleId: newIamId('AROA'),
        arn: `arn:aws:iam::${accountId}:role${input.path}${input.name}`,
        assumeRolePolicyDocument: input.assumeRolePolicyDocument,
        ...(input.description !== undefined ? { description: input.description } : {}),
        maxSessionDuration: input.maxSessionDuration,
        createDate: this.now(),
        tags: [...input.tags],
        inlinePolicies: [],
        managedPolicyArns: [],
        ...(input.permissionsBoundaryArn !== undefined ? { permissionsBoundaryArn: input.permissionsBoundaryArn } : {}),
        protected: false,
      });
    });
  }

  updateRole(accountId: string, name: string, changes: { description?: string; maxSessionDuration?: number }): void {
    this.state.transaction(() => {
      const doc = this.mutableRole(accountId, name);
      this.saveRole({
        ...doc,
        ...(changes.description !== undefined ? { description: changes.description } : {}),
        ...(changes.maxSessionDuration !== undefined ? { maxSessionDuration: changes.maxSessionDuration } : {}),
      });
    });
  }

  updateRoleDescription(accountId: string, name: string, description: string): RoleDoc {
    return this.state.transaction(() => this.saveRole({ ...this.mutableRole(accountId, name), description }));
  }

  putRolePermissionsBoundary(accountId: string, name: string, arn: string): void {
    this.state.transaction(() => {
      const doc = this.mutableRole(accountId, name);
      this.checkBoundary(accountId, arn);
      this.saveRole({ ...doc, permissionsBoundaryArn: arn });
    });
  }

  deleteRolePermissionsBoundary(accountId: string, name: string): void {
    this.state.transaction(() => {
      const { permissionsBoundaryArn: _dropped, ...rest } = this.mutableRole(accountId, name);
      this.saveRole(rest);
    });
  }

  updateAssumeRolePolicy(accountId: string, name: string, document: string): void {
    this.state.transaction(() => {
      const doc = this.mutableRole(accountId, name);
      this.checkTrustPolicy(document);
      this.saveRole({ ...doc, assumeRolePolicyDocument: document });
    });
  }

  removeRole(accountId: string, name: string): void {
    this.state.transaction(() => {
      const doc = this.mutableRole(accountId, name);
      if (doc.managedPolicyArns.length > 0)
        throw new AwsServiceError('DeleteConflict', 'Cannot delete entity, must detach all policies first.', 409);
      if (doc.inlinePolicies.length > 0)
        throw new AwsServiceError('DeleteConflict', 'Cannot delete entity, must delete policies first.', 409);
      this.state.delete(ROLES, key(accountId, name));
    });
  }

  tagRole(accountId: string, name: string, tags: readonly Tag[]): void {
    this.state.transaction(() => {
      const doc = this.mutableRole(accountId, name);
      this.saveRole({ ...doc, tags: mergeTags(doc.tags, tags, false) });
    });
  }

  untagRole(accountId: string, name: string, keys: readonly string[]): void {
    this.state.transaction(() => {
      const doc = this.mutableRole(accountId, name);
      const drop = new Set(keys.map((k) => k.toLowerCase()));
      this.saveRole({ ...doc, tags: doc.tags.filter((t) => !drop.has(t.Key.toLowerCase())) });
    });
  }

  putRolePolicy(accountId: string, roleName: string, policyName: string, document: string): void {
    this.state.transaction(() => {
      const doc = this.mutableRole(accountId, roleName);
      validatePolicyDocument(document, 'identity');
      const others = doc.inlinePolicies.filter((p) => p.name !== policyName);
      const total = [...others.map((p) => p.document), document].reduce((n, d) => n + policySize(d), 0);
      if (total > QUOTAS.inlineRolePolicySize)
        throw limit(`Maximum policy size of ${QUOTAS.inlineRolePolicySize} bytes exceeded for role ${doc.name}`);
      const existing = doc.inlinePolicies.findIndex((p) => p.name === policyName);
      const inlinePolicies = [...doc.inlinePolicies];
      if (existing >= 0) inlinePolicies[existing] = { name: policyName, document };
      else inlinePolicies.push({ name: policyName, document });
      this.saveRole({ ...doc, inlinePolicies });
    });
  }

  rolePolicy(
    accountId: string,
    roleName: string,
    policyName: string,
  ): { roleName: string; name: string; document: string } {
    const doc = this.role(accountId, roleName);
    const p = doc.inlinePolicies.find((x) => x.name === policyName);
    if (!p) throw new AwsServiceError('NoSuchEntity', `The role policy with name ${policyName} cannot be found.`, 404);
    return { roleName: doc.name, name: p.name, document: p.document };
  }

  deleteRolePolicy(accountId: string, roleName: string, policyName: string): void {
    this.state.transaction(() => {
      const doc = this.mutableRole(accountId, roleName);
      if (!doc.inlinePolicies.some((p) => p.name === policyName)) {
        throw new AwsServiceError('NoSuchEntity', `The role policy with name ${policyName} cannot be found.`, 404);
      }
      this.saveRole({ ...doc, inlinePolicies: doc.inlinePolicies.filter((p) => p.name !== policyName) });
    });
  }

  attachRolePolicy(accountId: string, roleName: string, policyArn: string): void {
    this.state.transaction(() => {
      const doc = this.mutableRole(accountId, roleName);
      checkPolicyArn(policyArn);
      if (!this.managedPolicy(accountId, policyArn)) {
        throw new AwsServiceError('NoSuchEntity', `Policy ${policyArn} does not exist or is not attachable.`, 404);
      }
      if (doc.managedPolicyArns.includes(policyArn)) return;
      if (doc.managedPolicyArns.length >= QUOTAS.managedPoliciesPerRole) {
        throw limit(`Cannot exceed quota for PoliciesPerRole: ${QUOTAS.managedPoliciesPerRole}`);
      }
      this.saveRole({ ...doc, managedPolicyArns: [...doc.managedPolicyArns, policyArn] });
    });
  }

  detachRolePolicy(accountId: string, roleName: string, policyArn: string): void {
    this.state.transaction(() => {
      const doc = this.mutableRole(accountId, roleName);
      checkPolicyArn(policyArn);
      if (!doc.managedPolicyArns.includes(policyArn))
        throw new AwsServiceError('NoSuchEntity', `Policy ${policyArn} was not found.`, 404);
      this.saveRole({ ...doc, managedPolicyArns: doc.managedPolicyArns.filter((a) => a !== policyArn) });
    });
  }

  // ---- managed policies ----

  managedPolicy(accountId: string, arn: string): ManagedPolicyView | undefined {
    const aws = awsManagedPolicy(arn);
    if (aws) return { kind: 'aws', policy: aws };
    const m = /^arn:aws:iam::(\d{12}):policy(\/(?:[\x21-\x7e]*\/)?)([\w+=,.@-]+)$/.exec(arn);
    if (!m || m[1] !== accountId) return undefined;
    const doc = this.state.get<CustomerPolicyDoc>(POLICIES, key(accountId, m[3] as string));
    return doc && doc.arn === arn ? { kind: 'customer', policy: withVersions(doc) } : undefined;
  }

  /** The managed policy an ARN names, after checking the ARN's form (InvalidInput) and existence (NoSuchEntity). */
  requireManagedPolicy(accountId: string, arn: string): ManagedPolicyView {
    checkPolicyArn(arn);
    const view = this.managedPolicy(accountId, arn);
    if (!view) throw new AwsServiceError('NoSuchEntity', `Policy ${arn} does not exist or is not attachable.`, 404);
    return view;
  }

  customerPolicies(accountId: string): CustomerPolicyDoc[] {
    return this.state.list<CustomerPolicyDoc>(POLICIES, `${accountId}/`).map(withVersions);
  }

  attachmentCount(accountId: string, arn: string): number {
    return this.roles(accountId).filter((r) => r.managedPolicyArns.includes(arn)).length;
  }

  boundaryUsageCount(accountId: string, arn: string): number {
    return this.roles(accountId).filter((r) => r.permissionsBoundaryArn === arn).length;
  }

  // ---- customer-managed policy versions ----

  private customerPolicyForWrite(accountId: string, arn: string): CustomerPolicyDoc {
    const view = this.requireManagedPolicy(accountId, arn);
    if (view.kind === 'aws') {
      throw new AwsServiceError(
        'AccessDenied',
        `User: arn:aws:iam::${accountId}:root is not authorized to modify the AWS managed policy ${arn}`,
        403,
      );
    }
    return view.policy;
  }

  private savePolicy(doc: CustomerPolicyDoc): CustomerPolicyDoc {
    this.state.put(POLICIES, key(doc.accountId, doc.name), doc);
    return doc;
  }

  createPolicyVersion(accountId: string, arn: string, document: string, setAsDefault: boolean): PolicyVersionDoc {
    return this.state.transaction(() => {
      const doc = this.customerPolicyForWrite(accountId, arn);
      validatePolicyDocument(document, 'identity');
      if (policySize(document) > QUOTAS.managedPolicySize)
        throw limit(`Cannot exceed quota for PolicySize: ${QUOTAS.managedPolicySize}`);
      if (doc.versions.length >= QUOTAS.versionsPerPolicy) {
        throw limit(
          `A managed policy can have up to ${QUOTAS.versionsPerPolicy} versions. Before you create a new version, you must delete an existing version.`,
        );
      }
      const version: PolicyVersionDoc = { versionId: `v${doc.nextVersion}`, document, createDate: this.now() };
      this.savePolicy({
        ...doc,
        versions: [version, ...doc.versions],
        nextVersion: doc.nextVersion + 1,
        updateDate: version.createDate,
        ...(setAsDefault ? { defaultVersionId: version.versionId, document } : {}),
      });
      return version;
    });
  }

  policyVersion(
    accountId: string,
    arn: string,
    versionId: string,
  ): { readonly version: PolicyVersionDoc; readonly isDefault: boolean } {
    const view = this.requireManagedPolicy(accountId, arn);
    const missing = (): AwsServiceError =>
      new AwsServiceError(
        'NoSuchEntity',
        `Policy ${arn} version ${versionId} does not exist or is not attachable.`,
        404,
      );
    if (view.kind === 'aws') {
      const v = awsManagedPolicyVersion(arn, versionId);
      if (!v) throw missing();
      return { version: { versionId, ...v }, isDefault: versionId === view.policy.defaultVersionId };
    }
    const version = view.policy.versions.find((v) => v.versionId === versionId);
    if (!version) throw missing();
    return { version, isDefault: versionId === view.policy.defaultVersionId };
  }

  /** Versions newest first, with whether each is the default (documents of AWS-managed policies read lazily). */
  policyVersions(
    accountId: string,
    arn: string,
  ): { readonly versionId: string; readonly isDefault: boolean; createDate(): number }[] {
    const view = this.requireManagedPolicy(accountId, arn);
    if (view.kind === 'aws') {
      return view.policy.versionIds.map((versionId) => ({
        versionId,
        isDefault: versionId === view.policy.defaultVersionId,
        createDate: () => awsManagedPolicyVersion(arn, versionId)?.createDate ?? view.policy.createDate,
      }));
    }
    return view.policy.versions.map((v) => ({
      versionId: v.versionId,
      isDefault: v.versionId === view.policy.defaultVersionId,
      createDate: () => v.createDate,
    }));
  }

  deletePolicyVersion(accountId: string, arn: string, versionId: string): void {
    this.state.transaction(() => {
      const doc = this.customerPolicyForWrite(accountId, arn);
      if (!doc.versions.some((v) => v.versionId === versionId)) {
        throw new AwsServiceError('NoSuchEntity', `Policy ${arn} version ${versionId} does not exist.`, 404);
      }
      if (versionId === doc.defaultVersionId)
        throw new AwsServiceError('DeleteConflict', 'Cannot delete the default version of a policy.', 409);
      this.savePolicy({ ...doc, versions: doc.versions.filter((v) => v.versionId !== versionId) });
    });
  }

  setDefaultPolicyVersion(accountId: string, arn: string, versionId: string): void {
    this.state.transaction(() => {
      const doc = this.customerPolicyForWrite(accountId, arn);
      const version = doc.versions.find((v) => v.versionId === versionId);
      if (!version)
        throw new AwsServiceError('NoSuchEntity', `Policy ${arn} version ${versionId} does not exist.`, 404);
      this.savePolicy({ ...doc, defaultVersionId: versionId, document: version.document, updateDate: this.now() });
    });
  }

  createPolicy(
    accountId: string,
    input: { name: string; path: string; document: string; description?: string; tags: readonly Tag[] },
  ): CustomerPolicyDoc {
    return this.state.transaction(() => {
      if (this.state.get(POLICIES, key(accountId, input.name))) {
        throw new AwsServiceError(
          'EntityAlreadyExists',
          `A policy called ${input.name} already exists. Duplicate names are not allowed.`,
          409,
        );
      }
      validatePolicyDocument(input.document, 'identity');
      if (policySize(input.document) > QUOTAS.managedPolicySize)
        throw limit(`Cannot exceed quota for PolicySize: ${QUOTAS.managedPolicySize}`);
      mergeTags([], input.tags, false);
      if (this.state.count(POLICIES, `${accountId}/`) >= QUOTAS.customerPoliciesPerAccount) {
        throw limit(`Cannot exceed quota for PoliciesPerAccount: ${QUOTAS.customerPoliciesPerAccount}`);
      }
      const at = this.now();
      const doc: CustomerPolicyDoc = {
        defaultVersionId: 'v1',
        versions: [{ versionId: 'v1', document: input.document, createDate: at }],
        nextVersion: 2,
        accountId,
        name: input.name,
        path: input.path,
        policyId: newIamId('ANPA'),
        arn: `arn:aws:iam::${accountId}:policy${input.path}${input.name}`,
        document: input.document,
        ...(input.description !== undefined ? { description: input.description } : {}),
        createDate: at,
        updateDate: at,
        tags: [...input.tags],
      };
      this.state.put(POLICIES, key(accountId, input.name), doc);
      return doc;
    });
  }

  deletePolicy(accountId: string, arn: string): void {
    this.state.transaction(() => {
      checkPolicyArn(arn);
      const view = this.managedPolicy(accountId, arn);
      if (!view) throw new AwsServiceError('NoSuchEntity', `Policy ${arn} was not found.`, 404);
      if (view.kind === 'aws') throw new AwsServiceError('InvalidInput', `ARN ${arn} is not valid.`, 400);
      if (this.attachmentCount(accountId, arn) > 0 || this.boundaryUsageCount(accountId, arn) > 0)
        throw new AwsServiceError('DeleteConflict', 'Cannot delete a policy attached to entities.', 409);
      if (view.policy.versions.length > 1)
        throw new AwsServiceError(
          'DeleteConflict',
          "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
          409,
        );
      this.state.delete(POLICIES, key(accountId, view.policy.name));
    });
  }

  // ---- SAML providers ----

  samlProvider(arn: string): SamlProviderDoc | undefined {
    const m = SAML_PROVIDER_ARN.exec(arn);
    if (!m) return undefined;
    const doc = this.state.get<SamlProviderDoc>(PROVIDERS, key(m[1] as string, m[2] as string));
    return doc && doc.arn === arn ? doc : undefined;
  }

  samlProviderIn(accountId: string, arn: string): SamlProviderDoc {
    checkSamlProviderArn(arn);
    const doc = this.samlProvider(arn);
    if (!doc || doc.accountId !== accountId)
      throw new AwsServiceError('NoSuchEntity', `Manifest not found for arn ${arn}`, 404);
    return doc;
  }

  samlProviders(accountId: string): SamlProviderDoc[] {
    return this.state.list<SamlProviderDoc>(PROVIDERS, `${accountId}/`);
  }

  createSamlProvider(accountId: string, name: string, metadataDocument: string, tags: readonly Tag[]): SamlProviderDoc {
    return this.state.transaction(() => {
      const parsed = parseSamlMetadata(metadataDocument);
      if (this.state.get(PROVIDERS, key(accountId, name))) {
        throw new AwsServiceError('EntityAlreadyExists', `SAMLProvider ${name} already exists`, 409);
      }
      mergeTags([], tags, true);
      if (this.state.count(PROVIDERS, `${accountId}/`) >= QUOTAS.samlProvidersPerAccount) {
        throw limit(`Cannot exceed quota for SAMLProvidersPerAccount: ${QUOTAS.samlProvidersPerAccount}`);
      }
      const createDate = this.now();
      const doc: SamlProviderDoc = {
        arn: `arn:aws:iam::${accountId}:saml-provider/${name}`,
        accountId,
        name,
        uuid: newSamlProviderUuid(),
        metadataDocument,
        entityId: parsed.entityId,
        signingCertificates: parsed.signingCertificates,
        createDate,
        validUntil: parsed.validUntil ?? createDate + DEFAULT_VALIDITY_MS,
        tags: Object.fromEntries(tags.map((t) => [t.Key, t.Value])),
      };
      this.state.put(PROVIDERS, key(accountId, name), doc);
      return doc;
    });
  }

  updateSamlProvider(accountId: string, arn: string, metadataDocument: string): SamlProviderDoc {
    return this.state.transaction(() => {
      const doc = this.samlProviderIn(accountId, arn);
      const parsed = parseSamlMetadata(metadataDocument);
      const updated: SamlProviderDoc = {
        ...doc,
        metadataDocument,
        entityId: parsed.entityId,
        signingCertificates: parsed.signingCertificates,
        validUntil: parsed.validUntil ?? doc.createDate + DEFAULT_VALIDITY_MS,
      };
      this.state.put(PROVIDERS, key(accountId, doc.name), updated);
      return updated;
    });
  }

  tagSamlProvider(accountId: string, arn: string, tags: readonly Tag[]): void {
    this.state.transaction(() => {
      const doc = this.samlProviderIn(accountId, arn);
      const existing = Object.entries(doc.tags).map(([Key, Value]) => ({ Key, Value }));
      const merged = mergeTags(existing, tags, true);
      this.state.put(PROVIDERS, key(accountId, doc.name), {
        ...doc,
        tags: Object.fromEntries(merged.map((t) => [t.Key, t.Value])),
      });
    });
  }

  untagSamlProvider(accountId: string, arn: string, keys: readonly string[]): void {
    this.state.transaction(() => {
      const doc = this.samlProviderIn(accountId, arn);
      const drop = new Set(keys);
      const tags = Object.fromEntries(Object.entries(doc.tags).filter(([k]) => !drop.has(k)));
      this.state.put(PROVIDERS, key(accountId, doc.name), { ...doc, tags });
    });
  }

  deleteSamlProvider(accountId: string, arn: string): void {
    this.state.transaction(() => {
      const doc = this.samlProviderIn(accountId, arn);
      this.state.delete(PROVIDERS, key(accountId, doc.name));
    });
  }

  // ---- IamReader (STS, sign-in) ----

  getSamlProviderByArn(arn: string): SamlProviderRecord | undefined {
    return this.samlProvider(arn);
  }

  getRoleByArn(arn: string): IamRoleRecord | undefined {
    const m = /^arn:aws:iam::(\d{12}):role\/(?:[\x21-\x7e]*\/)?([\w+=,.@-]+)$/.exec(arn);
    if (!m) return undefined;
    const doc = this.findRole(m[1] as string, m[2] as string);
    return doc && doc.arn === arn ? roleRecord(doc) : undefined;
  }

  getRoleByName(accountId: string, name: string): IamRoleRecord | undefined {
    const doc = this.findRole(accountId, name);
    return doc ? roleRecord(doc) : undefined;
  }

  // ---- IamWriter (Identity Center provisioning) ----

  putRole(accountId: string, spec: RoleSpec): IamRoleInfo {
    return this.state.transaction(() => {
      const existing = this.findRole(accountId, spec.name);
      validatePolicyDocument(spec.assumeRolePolicyDocument, 'trust');
      for (const document of Object.values(spec.inlinePolicies)) validatePolicyDocument(document, 'identity');
      for (const arn of spec.managedPolicyArns) {
        if (!this.managedPolicy(accountId, arn))
          throw new AwsServiceError('NoSuchEntity', `Policy ${arn} does not exist or is not attachable.`, 404);
      }
      this.checkBoundary(accountId, spec.permissionsBoundaryArn);
      const doc = this.saveRole({
        accountId,
        name: spec.name,
        path: spec.path,
        roleId: existing?.roleId ?? newIamId('AROA'),
        arn: `arn:aws:iam::${accountId}:role${spec.path}${spec.name}`,
        assumeRolePolicyDocument: spec.assumeRolePolicyDocument,
        ...(spec.description !== undefined ? { description: spec.description } : {}),
        maxSessionDuration: spec.maxSessionDuration,
        createDate: existing?.createDate ?? this.now(),
        tags: existing?.tags ?? [],
        inlinePolicies: Object.entries(spec.inlinePolicies).map(([name, document]) => ({ name, document })),
        managedPolicyArns: [...spec.managedPolicyArns],
        ...(spec.permissionsBoundaryArn !== undefined ? { permissionsBoundaryArn: spec.permissionsBoundaryArn } : {}),
        protected: spec.protected ?? false,
      });
      return roleInfo(doc);
    });
  }

  /**
   * Creates a role as AWS itself does (OrganizationAccountAccessRole in accounts Organizations creates): no
   * quota or principal checks, and nothing happens when the role already exists.
   */
  seedRole(accountId: string, spec: Omit<RoleSpec, 'protected'>): void {
    this.state.transaction(() => {
      if (this.findRole(accountId, spec.name)) return;
      this.saveRole({
        accountId,
        name: spec.name,
        path: spec.path,
        roleId: newIamId('AROA'),
        arn: `arn:aws:iam::${accountId}:role${spec.path}${spec.name}`,
        assumeRolePolicyDocument: spec.assumeRolePolicyDocument,
        ...(spec.description !== undefined ? { description: spec.description } : {}),
        maxSessionDuration: spec.maxSessionDuration,
        createDate: this.now(),
        tags: [],
        inlinePolicies: Object.entries(spec.inlinePolicies).map(([name, document]) => ({ name, document })),
        managedPolicyArns: [...spec.managedPolicyArns],
        protected: false,
      });
    });
  }

  deleteRole(accountId: string, name: string): boolean {
    return this.state.delete(ROLES, key(accountId, name));
  }

  getRole(accountId: string, name: string): IamRoleInfo | undefined {
    const doc = this.findRole(accountId, name);
    return doc ? roleInfo(doc) : undefined;
  }

  ensureSamlProvider(accountId: string, name: string, metadataDocument: string): SamlProviderRecord {
    return (
      this.state.get<SamlProviderDoc>(PROVIDERS, key(accountId, name)) ??
      this.createSamlProvider(accountId, name, metadataDocument, [])
    );
  }

  hasCustomerManagedPolicy(accountId: string, name: string, path: string): boolean {
    const doc = this.state.get<CustomerPolicyDoc>(POLICIES, key(accountId, name));
    return doc !== undefined && doc.path === path;
  }

  listRoles(accountId: string): readonly IamRoleInfo[] {
    return this.roles(accountId).map(roleInfo);
  }
}
