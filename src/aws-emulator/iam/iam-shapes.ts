/** IAM output shapes rendered as Query XML members, with model member names and URL-encoded documents. */
import { el, optional } from '../http/xml.js';
import type { XmlContent, XmlElement } from '../http/xml.js';
import type { ManagedPolicyView, RoleDoc, SamlProviderDoc, Tag } from './iam-store.js';

/** ISO-8601 in whole seconds, as IAM renders `dateType`. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** RFC 3986 percent-encoding, which IAM applies to every policy document it returns. */
export function encodePolicy(document: string): string {
  return encodeURIComponent(document).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function members(name: string, items: readonly XmlContent[]): XmlElement {
  return el(
    name,
    items.map((i) => el('member', i)),
  );
}

export function tagsXml(tags: readonly Tag[]): XmlElement {
  return members(
    'Tags',
    tags.map((t) => [el('Key', t.Key), el('Value', t.Value)]),
  );
}

/** The AttachedPermissionsBoundary shape, when the role has a boundary. */
export function boundaryXml(role: RoleDoc): XmlElement | undefined {
  return role.permissionsBoundaryArn === undefined
    ? undefined
    : el(
        'PermissionsBoundary',
        el('PermissionsBoundaryType', 'Policy'),
        el('PermissionsBoundaryArn', role.permissionsBoundaryArn),
      );
}

/** The members every role shape starts with (Role, RoleDetail). */
export function roleIdentityXml(role: RoleDoc): XmlContent[] {
  return [
    el('Path', role.path),
    el('RoleName', role.name),
    el('RoleId', role.roleId),
    el('Arn', role.arn),
    el('CreateDate', isoDate(role.createDate)),
    el('AssumeRolePolicyDocument', encodePolicy(role.assumeRolePolicyDocument)),
  ];
}

/** `get` is GetRole's full shape; `create` omits RoleLastUsed; `list` is ListRoles' subset. */
export function roleXml(role: RoleDoc, detail: 'get' | 'create' | 'list'): XmlContent[] {
  const full = detail !== 'list';
  return [
    ...roleIdentityXml(role),
    optional('Description', role.description),
    el('MaxSessionDuration', role.maxSessionDuration),
    full ? boundaryXml(role) : undefined,
    full && role.tags.length > 0 ? tagsXml(role.tags) : undefined,
    detail === 'get' ? el('RoleLastUsed') : undefined,
  ];
}

export interface PolicyCounts {
  readonly attachments: number;
  readonly boundaryUses: number;
}

/** The ManagedPolicy shape (GetPolicy, ListPolicies, CreatePolicy); `withDetail` adds Description and Tags. */
export function managedPolicyXml(view: ManagedPolicyView, counts: PolicyCounts, withDetail: boolean): XmlContent[] {
  const p = view.policy;
  return [
    el('PolicyName', p.name),
    el('PolicyId', p.policyId),
    el('Arn', p.arn),
    el('Path', p.path),
    el('DefaultVersionId', p.defaultVersionId),
    el('AttachmentCount', counts.attachments),
    el('PermissionsBoundaryUsageCount', counts.boundaryUses),
    el('IsAttachable', true),
    withDetail && view.kind === 'customer' ? optional('Description', view.policy.description) : undefined,
    el('CreateDate', isoDate(p.createDate)),
    el('UpdateDate', isoDate(p.updateDate)),
    withDetail && view.kind === 'customer' && view.policy.tags.length > 0 ? tagsXml(view.policy.tags) : undefined,
  ];
}

/** The PolicyVersion shape; `document` is omitted by CreatePolicyVersion and ListPolicyVersions. */
export function policyVersionXml(v: {
  readonly versionId: string;
  readonly isDefault: boolean;
  readonly createDate: number;
  readonly document?: string;
}): XmlContent[] {
  return [
    v.document !== undefined ? el('Document', encodePolicy(v.document)) : undefined,
    el('VersionId', v.versionId),
    el('IsDefaultVersion', v.isDefault),
    el('CreateDate', isoDate(v.createDate)),
  ];
}

export function samlProviderListEntry(p: SamlProviderDoc): XmlContent[] {
  return [el('Arn', p.arn), el('ValidUntil', isoDate(p.validUntil)), el('CreateDate', isoDate(p.createDate))];
}
