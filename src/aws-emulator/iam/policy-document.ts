/**
 * The checks IAM applies to policy documents before storing them, with AWS's `MalformedPolicyDocument`
 * messages. Trust policies must name a principal and only STS actions; permission policies must name a
 * resource and no principal (IAM User Guide, reference_policies_elements and access_policies_manage-edit).
 */
import { AwsServiceError } from '../http/contract.js';

export type PolicyKind = 'trust' | 'identity';

function malformed(message: string): AwsServiceError {
  return new AwsServiceError('MalformedPolicyDocument', message, 400);
}

const STATEMENT_KEYS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);
const PRINCIPAL_KEYS = new Set(['AWS', 'Federated', 'Service', 'CanonicalUser']);

function stringList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) return value as string[];
  return undefined;
}

/** Characters of the document not counting whitespace, which is how IAM measures policy size quotas. */
export function policySize(document: string): number {
  return document.replace(/\s+/g, '').length;
}

export function validatePolicyDocument(document: string, kind: PolicyKind): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    throw malformed('This policy contains invalid Json');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw malformed('Syntax errors in policy.');
  const policy = parsed as Record<string, unknown>;
  for (const key of Object.keys(policy)) {
    if (!['Version', 'Id', 'Statement'].includes(key)) throw malformed(`Syntax errors in policy. Unknown field ${key}`);
  }
  if (policy.Version !== undefined && policy.Version !== '2012-10-17' && policy.Version !== '2008-10-17') {
    throw malformed('The policy failed legacy parsing');
  }
  const statements = Array.isArray(policy.Statement)
    ? policy.Statement
    : policy.Statement === undefined
      ? undefined
      : [policy.Statement];
  if (!statements || statements.length === 0) throw malformed('Missing required field Statement');
  for (const raw of statements as unknown[]) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw malformed('Syntax errors in policy.');
    const s = raw as Record<string, unknown>;
    for (const key of Object.keys(s))
      if (!STATEMENT_KEYS.has(key)) throw malformed(`Syntax errors in policy. Unknown field ${key}`);
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw malformed('Missing required field Effect');
    const actions = s.Action !== undefined ? s.Action : s.NotAction;
    if (actions === undefined) throw malformed('Missing required field Action');
    const actionList = stringList(actions);
    if (!actionList) throw malformed('Syntax errors in policy.');
    for (const a of actionList)
      if (a !== '*' && !/^[a-zA-Z0-9-]+:[\w*?]+$/.test(a))
        throw malformed(`Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.`);
    if (
      s.Condition !== undefined &&
      (typeof s.Condition !== 'object' || s.Condition === null || Array.isArray(s.Condition))
    ) {
      throw malformed('Syntax errors in policy.');
    }
    const principal = s.Principal !== undefined ? s.Principal : s.NotPrincipal;
    if (kind === 'trust') {
      if (s.Resource !== undefined || s.NotResource !== undefined) throw malformed('Has prohibited field Resource');
      if (principal === undefined) throw malformed('Missing required field Principal');
      checkPrincipal(principal);
      for (const a of actionList) {
        if (a !== '*' && !/^sts:/i.test(a))
          throw malformed('AssumeRole policy may only specify STS AssumeRole actions.');
      }
    } else {
      if (principal !== undefined) throw malformed('Policy document should not specify a principal.');
      const resources = s.Resource !== undefined ? s.Resource : s.NotResource;
      if (resources === undefined) throw malformed('Missing required field Resource');
      if (!stringList(resources)) throw malformed('Syntax errors in policy.');
    }
  }
}

function checkPrincipal(principal: unknown): void {
  if (principal === '*') return;
  if (typeof principal !== 'object' || principal === null || Array.isArray(principal))
    throw malformed('Invalid principal in policy');
  const entries = Object.entries(principal as Record<string, unknown>);
  if (entries.length === 0) throw malformed('Invalid principal in policy');
  for (const [key, value] of entries) {
    if (!PRINCIPAL_KEYS.has(key) || !stringList(value)) throw malformed(`Invalid principal in policy: "${key}"`);
    if (key === 'Federated') {
      for (const v of stringList(value) ?? []) {
        if (!/^arn:aws:iam::\d{12}:(saml-provider|oidc-provider)\/.+$/.test(v) && !/^[\w.-]+\.[a-z]{2,}$/.test(v)) {
          throw malformed(`Invalid principal in policy: "Federated":"${v}"`);
        }
      }
    }
  }
}
