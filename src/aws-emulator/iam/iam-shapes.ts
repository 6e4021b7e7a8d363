/** IAM output shapes rendered as Query XML members, with model member names and URL-encoded documents. */
import { el, optional } from '../http/xml.js';
import type { XmlContent, XmlElement } from '../http/xml.js';
import type { CustomerPolicyDoc, RoleDoc, SamlProviderDoc, Tag } from './iam-store.js';
import type { AwsManagedPolicy } from './managed-policies.js';

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

/** `get` is GetRole's full shape; `create` omits RoleLastUsed; `list` is ListRoles' subset. */
export function roleXml(role: RoleDoc, detail: 'get' | 'create' | 'list'): XmlContent[] {
  const full = detail !== 'list';
  return [
    el('Path', role.path),
    el('RoleName', role.name),
    el('RoleId', role.roleId),
    el('Arn', role.arn),
    el('CreateDate', isoDate(role.createDate)),
    el('AssumeRolePolicyDocument', encodePolicy(role.assumeRolePolicyDocument)),
    optional('Description', role.description),
    el('MaxSessionDuration', role.maxSessionDuration),
    full && role.permissionsBoundaryArn !== undefined
      ? el(
          'PermissionsBoundary',
          el('PermissionsBoundaryType', 'Policy'),
          el('PermissionsBoundaryArn', role.permissionsBoundaryArn),
        )
      : undefined,
    full && role.tags.length > 0 ? tagsXml(role.tags) : undefined,
    detail === 'get' ? el('RoleLastUsed') : undefined,
  ];
}

/** Creation date reported for AWS-managed policies, which predate every emulated account. */
const AWS_POLICY_DATE = Date.UTC(2015, 1, 6, 18, 39, 46);

export function managedPolicyXml(
  view: { kind: 'aws'; policy: AwsManagedPolicy } | { kind: 'customer'; policy: CustomerPolicyDoc },
  attachmentCount: number,
  withDetail: boolean,
): XmlContent[] {
  const p = view.policy;
  const created = view.kind === 'aws' ? AWS_POLICY_DATE : view.policy.createDate;
  const updated = view.kind === 'aws' ? AWS_POLICY_DATE : view.policy.updateDate;
  return [
    el('PolicyName', p.name),
    el('PolicyId', p.policyId),
    el('Arn', p.arn),
    el('Path', p.path),
    el('DefaultVersionId', 'v1'),
    el('AttachmentCount', attachmentCount),
    el('PermissionsBoundaryUsageCount', 0),
    el('IsAttachable', true),
    withDetail ? optional('Description', p.description) : undefined,
    el('CreateDate', isoDate(created)),
    el('UpdateDate', isoDate(updated)),
    withDetail && view.kind === 'customer' && view.policy.tags.length > 0 ? tagsXml(view.policy.tags) : undefined,
  ];
}

export function samlProviderListEntry(p: SamlProviderDoc): XmlContent[] {
  return [el('Arn', p.arn), el('ValidUntil', isoDate(p.validUntil)), el('CreateDate', isoDate(p.createDate))];
}
