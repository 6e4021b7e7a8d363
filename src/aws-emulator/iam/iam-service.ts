/**
 * IAM on the Query protocol (version 2010-05-08). Each operation reads its parameters against the model's
 * constraints, acts on the signing caller's account, and renders the model's output members.
 */
import type { CallerContext, QueryOperation, QueryServiceRegistration } from '../http/contract.js';
import { AwsServiceError } from '../http/contract.js';
import { QueryInput } from '../http/query-params.js';
import { el, optional, renderXml } from '../http/xml.js';
import type { XmlContent } from '../http/xml.js';
import type { IamStore, ManagedPolicyView } from './iam-store.js';
import { QUOTAS } from './iam-store.js';
import {
  encodePolicy,
  isoDate,
  managedPolicyXml,
  members,
  roleXml,
  samlProviderListEntry,
  tagsXml,
} from './iam-shapes.js';
import { AWS_MANAGED_POLICIES } from './managed-policies.js';
import { paginate } from './pagination.js';

export const IAM_VERSION = '2010-05-08';
export const IAM_NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';

/** Constraints from the IAM model (botocore iam 2010-05-08 shapes). */
const RULES = {
  roleName: { min: 1, max: 64, pattern: '[\\w+=,.@-]+' },
  policyName: { min: 1, max: 128, pattern: '[\\w+=,.@-]+' },
  samlProviderName: { min: 1, max: 128, pattern: '[\\w._-]+' },
  arn: { min: 20, max: 2048 },
  path: { min: 1, max: 512, pattern: '(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)' },
  pathPrefix: { min: 1, max: 512, pattern: '\\u002F[\\u0021-\\u007F]*' },
  policyPathPrefix: { min: 1, max: 512, pattern: '((/[A-Za-z0-9\\.,\\+@=_-]+)*)/' },
  description: { max: 1000, pattern: '[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*' },
  policyDocument: { min: 1, max: 131072, pattern: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+' },
  samlMetadata: { min: 1000, max: 10_000_000 },
  marker: { min: 1, max: 320, pattern: '[\\u0020-\\u00FF]+' },
  tagKey: { min: 1, max: 128, pattern: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+' },
} as const;

const MAX_ITEMS = { min: 1, max: 1000 };

function accountOf(caller: CallerContext | null): string {
  if (!caller) throw new AwsServiceError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
  return caller.accountId;
}

function xml(...content: XmlContent[]): string {
  return renderXml(content);
}

type Op = (input: QueryInput, account: string) => string;

function op(fn: Op): QueryOperation {
  return (params, caller) => fn(new QueryInput(params), accountOf(caller));
}

/**
 * SAML assertion encryption (CreateSAMLProvider/UpdateSAMLProvider `AssertionEncryptionMode`, `AddPrivateKey`,
 * `RemovePrivateKey`; docs/aws-facts.md, "Not documented by AWS") is not emulated. Ignoring the members would let a
 * caller believe encryption
 * is on, so asking for it is refused; `Allowed` (plain assertions accepted) is what the emulator does anyway.
 */
function refuseAssertionEncryption(q: QueryInput, update: boolean): void {
  const mode = q.string('AssertionEncryptionMode', { pattern: 'Required|Allowed' });
  const addKey = q.string('AddPrivateKey', { min: 1, max: 16384, pattern: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+' });
  const removeKey = update ? q.string('RemovePrivateKey', { min: 22, max: 64, pattern: '[A-Z0-9]+' }) : undefined;
  q.done();
  if (mode === 'Required' || addKey !== undefined || removeKey !== undefined) {
    throw new AwsServiceError(
      'InvalidInput',
      'SAML assertion encryption is not supported by the Keyway AWS emulator (AssertionEncryptionMode may only be Allowed).',
      400,
    );
  }
}

function listResult(
  name: string,
  items: readonly XmlContent[],
  page: { isTruncated: boolean; marker?: string },
): string {
  return xml(members(name, items), el('IsTruncated', page.isTruncated), optional('Marker', page.marker));
}

export function createIamRegistration(iam: IamStore): QueryServiceRegistration {
  const policyView = (account: string, arn: string): ManagedPolicyView => {
    const view = iam.managedPolicy(account, arn);
    if (!view) throw new AwsServiceError('NoSuchEntity', `Policy ${arn} does not exist or is not attachable.`, 404);
    return view;
  };

  const operations: Record<string, QueryOperation> = {
    // ---- roles ----
    CreateRole: op((q, account) => {
      const name = q.requiredString('RoleName', RULES.roleName);
      const document = q.requiredString('AssumeRolePolicyDocument', RULES.policyDocument);
      const path = q.string('Path', RULES.path) ?? '/';
      const description = q.string('Description', RULES.description);
      const maxSessionDuration = q.int('MaxSessionDuration', { min: 3600, max: 43200 }) ?? 3600;
      const boundary = q.string('PermissionsBoundary', RULES.arn);
      const tags = q.tags('Tags', QUOTAS.tagsPerResource);
      q.done();
      const role = iam.createRole(account, {
        name,
        path,
        assumeRolePolicyDocument: document,
        maxSessionDuration,
        tags,
        ...(description !== undefined ? { description } : {}),
        ...(boundary !== undefined ? { permissionsBoundaryArn: boundary } : {}),
      });
      return xml(el('Role', roleXml(role, 'create')));
    }),
    GetRole: op((q, account) => {
      const name = q.requiredString('RoleName', RULES.roleName);
      q.done();
      return xml(el('Role', roleXml(iam.role(account, name), 'get')));
    }),
    ListRoles: op((q, account) => {
      const prefix = q.string('PathPrefix', RULES.pathPrefix) ?? '/';
      const marker = q.string('Marker', RULES.marker);
      const maxItems = q.int('MaxItems', MAX_ITEMS);
      q.done();
      const roles = iam.roles(account).filter((r) => r.path.startsWith(prefix));
      const page = paginate(roles, (r) => r.name.toLowerCase(), marker, maxItems);
      return listResult(
        'Roles',
        page.items.map((r) => roleXml(r, 'list')),
        page,
      );
    }),
    UpdateRole: op((q, account) => {
      const name = q.requiredString('RoleName', RULES.roleName);
      const description = q.string('Description', RULES.description);
      const maxSessionDuration = q.int('MaxSessionDuration', { min: 3600, max: 43200 });
      q.done();
      iam.updateRole(account, name, {
        ...(description !== undefined ? { description } : {}),
        ...(maxSessionDuration !== undefined ? { maxSessionDuration } : {}),
      });
      return '';
    }),
    UpdateAssumeRolePolicy: op((q, account) => {
      const name = q.requiredString('RoleName', RULES.roleName);
      const document = q.requiredString('PolicyDocument', RULES.policyDocument);
      q.done();
      iam.updateAssumeRolePolicy(account, name, document);
      return '';
    }),
    DeleteRole: op((q, account) => {
      const name = q.requiredString('RoleName', RULES.roleName);
      q.done();
      iam.removeRole(account, name);
      return '';
    }),
    TagRole: op((q, account) => {
      const name = q.requiredString('RoleName', RULES.roleName);
      const tags = q.tags('Tags', QUOTAS.tagsPerResource);
      q.done();
      iam.tagRole(account, name, tags);
      return '';
    }),
    UntagRole: op((q, account) => {
      const name = q.requiredString('RoleName', RULES.roleName);
      const keys = q.list('TagKeys', RULES.tagKey, QUOTAS.tagsPerResource);
      q.done();
      iam.untagRole(account, name, keys);
      return '';
    }),
    ListRoleTags: op((q, account) => {
      const name = q.requiredString('RoleName', RULES.roleName);
      const marker = q.string('Marker', RULES.marker);
      const maxItems = q.int('MaxItems', MAX_ITEMS);
      q.done();
      const tags = iam.role(account, name).tags;
      const page = paginate(tags, (t) => t.Key.toLowerCase(), marker, maxItems);
      return xml(tagsXml(page.items), el('IsTruncated', page.isTruncated), optional('Marker', page.marker));
    }),

    // ---- inline role policies ----
    PutRolePolicy: op((q, account) => {
      const roleName = q.requiredString('RoleName', RULES.roleName);
      const policyName = q.requiredString('PolicyName', RULES.policyName);
      const document = q.requiredString('PolicyDocument', RULES.policyDocument);
      q.done();
      iam.putRolePolicy(account, roleName, policyName, document);
      return '';
    }),
    GetRolePolicy: op((q, account) => {
      const roleName = q.requiredString('RoleName', RULES.roleName);
      const policyName = q.requiredString('PolicyName', RULES.policyName);
      q.done();
      const p = iam.rolePolicy(account, roleName, policyName);
      return xml(el('RoleName', p.roleName), el('PolicyName', p.name), el('PolicyDocument', encodePolicy(p.document)));
    }),
    ListRolePolicies: op((q, account) => {
      const roleName = q.requiredString('RoleName', RULES.roleName);
      const marker = q.string('Marker', RULES.marker);
      const maxItems = q.int('MaxItems', MAX_ITEMS);
      q.done();
      const names = iam
        .role(account, roleName)
        .inlinePolicies.map((p) => p.name)
        .sort();
      const page = paginate(names, (n) => n, marker, maxItems);
      return listResult('PolicyNames', page.items, page);
    }),
    DeleteRolePolicy: op((q, account) => {
      const roleName = q.requiredString('RoleName', RULES.roleName);
      const policyName = q.requiredString('PolicyName', RULES.policyName);
      q.done();
      iam.deleteRolePolicy(account, roleName, policyName);
      return '';
    }),

    // ---- attached managed policies ----
    AttachRolePolicy: op((q, account) => {
      const roleName = q.requiredString('RoleName', RULES.roleName);
      const arn = q.requiredString('PolicyArn', RULES.arn);
      q.done();
      iam.attachRolePolicy(account, roleName, arn);
      return '';
    }),
    DetachRolePolicy: op((q, account) => {
      const roleName = q.requiredString('RoleName', RULES.roleName);
      const arn = q.requiredString('PolicyArn', RULES.arn);
      q.done();
      iam.detachRolePolicy(account, roleName, arn);
      return '';
    }),
    ListAttachedRolePolicies: op((q, account) => {
      const roleName = q.requiredString('RoleName', RULES.roleName);
      const prefix = q.string('PathPrefix', RULES.policyPathPrefix) ?? '/';
      const marker = q.string('Marker', RULES.marker);
      const maxItems = q.int('MaxItems', MAX_ITEMS);
      q.done();
      const attached = iam
        .role(account, roleName)
        .managedPolicyArns.map((arn) => iam.managedPolicy(account, arn))
        .filter((v): v is ManagedPolicyView => v !== undefined && v.policy.path.startsWith(prefix));
      const page = paginate(attached, (v) => v.policy.arn, marker, maxItems);
      return listResult(
        'AttachedPolicies',
        page.items.map((v) => [el('PolicyName', v.policy.name), el('PolicyArn', v.policy.arn)]),
        page,
      );
    }),

    // ---- customer-managed policies ----
    CreatePolicy: op((q, account) => {
      const name = q.requiredString('PolicyName', RULES.policyName);
      const path = q.string('Path', RULES.path) ?? '/';
      const document = q.requiredString('PolicyDocument', RULES.policyDocument);
      const description = q.string('Description', RULES.description);
      const tags = q.tags('Tags', QUOTAS.tagsPerResource);
      q.done();
      const doc = iam.createPolicy(account, {
        name,
        path,
        document,
        tags,
        ...(description !== undefined ? { description } : {}),
      });
      return xml(
        el(
          'Policy',
          managedPolicyXml({ kind: 'customer', policy: doc }, 0, false),
          doc.tags.length > 0 ? tagsXml(doc.tags) : undefined,
        ),
      );
    }),
    GetPolicy: op((q, account) => {
      const arn = q.requiredString('PolicyArn', RULES.arn);
      q.done();
      const view = policyView(account, arn);
      return xml(el('Policy', managedPolicyXml(view, iam.attachmentCount(account, arn), true)));
    }),
    ListPolicies: op((q, account) => {
      const scope = q.string('Scope', { pattern: 'All|AWS|Local' }) ?? 'All';
      const onlyAttached = q.string('OnlyAttached', { pattern: 'true|false' }) === 'true';
      const prefix = q.string('PathPrefix', RULES.policyPathPrefix) ?? '/';
      q.string('PolicyUsageFilter', { pattern: 'PermissionsPolicy|PermissionsBoundary' });
      const marker = q.string('Marker', RULES.marker);
      const maxItems = q.int('MaxItems', MAX_ITEMS);
      q.done();
      const views: ManagedPolicyView[] = [];
      if (scope !== 'Local') views.push(...AWS_MANAGED_POLICIES.map((policy) => ({ kind: 'aws' as const, policy })));
      if (scope !== 'AWS')
        views.push(...iam.customerPolicies(account).map((policy) => ({ kind: 'customer' as const, policy })));
      const counted = views
        .filter((v) => v.policy.path.startsWith(prefix))
        .map((v) => ({ v, count: iam.attachmentCount(account, v.policy.arn) }))
        .filter((x) => !onlyAttached || x.count > 0)
        .sort((a, b) => (a.v.policy.arn < b.v.policy.arn ? -1 : 1));
      const page = paginate(counted, (x) => x.v.policy.arn, marker, maxItems);
      return listResult(
        'Policies',
        page.items.map((x) => managedPolicyXml(x.v, x.count, false)),
        page,
      );
    }),
    DeletePolicy: op((q, account) => {
      const arn = q.requiredString('PolicyArn', RULES.arn);
      q.done();
      iam.deletePolicy(account, arn);
      return '';
    }),

    // ---- SAML providers ----
    CreateSAMLProvider: op((q, account) => {
      const document = q.requiredString('SAMLMetadataDocument', RULES.samlMetadata);
      const name = q.requiredString('Name', RULES.samlProviderName);
      const tags = q.tags('Tags', QUOTAS.tagsPerResource);
      refuseAssertionEncryption(q, false);
      const p = iam.createSamlProvider(account, name, document, tags);
      const tagList = Object.entries(p.tags).map(([Key, Value]) => ({ Key, Value }));
      return xml(el('SAMLProviderArn', p.arn), tagList.length > 0 ? tagsXml(tagList) : undefined);
    }),
    GetSAMLProvider: op((q, account) => {
      const arn = q.requiredString('SAMLProviderArn', RULES.arn);
      q.done();
      const p = iam.samlProviderIn(account, arn);
      const tagList = Object.entries(p.tags).map(([Key, Value]) => ({ Key, Value }));
      return xml(
        el('SAMLProviderUUID', p.uuid),
        el('SAMLMetadataDocument', p.metadataDocument),
        el('CreateDate', isoDate(p.createDate)),
        el('ValidUntil', isoDate(p.validUntil)),
        tagList.length > 0 ? tagsXml(tagList) : undefined,
      );
    }),
    ListSAMLProviders: op((q, account) => {
      q.done();
      return xml(members('SAMLProviderList', iam.samlProviders(account).map(samlProviderListEntry)));
    }),
    UpdateSAMLProvider: op((q, account) => {
      const document = q.string('SAMLMetadataDocument', RULES.samlMetadata);
      const arn = q.requiredString('SAMLProviderArn', RULES.arn);
      refuseAssertionEncryption(q, true);
      if (document === undefined) throw new AwsServiceError('InvalidInput', 'SAMLMetadataDocument is required.', 400);
      return xml(el('SAMLProviderArn', iam.updateSamlProvider(account, arn, document).arn));
    }),
    DeleteSAMLProvider: op((q, account) => {
      const arn = q.requiredString('SAMLProviderArn', RULES.arn);
      q.done();
      iam.deleteSamlProvider(account, arn);
      return '';
    }),
  };

  return {
    kind: 'query',
    version: IAM_VERSION,
    signingName: 'iam',
    xmlNamespace: IAM_NAMESPACE,
    unsignedActions: new Set(),
    operations,
  };
}
