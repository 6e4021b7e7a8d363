/**
 * IAM resolves every principal of a trust policy when the policy is written, so a principal that does not exist
 * is refused there: `MalformedPolicyDocument` "Invalid principal in policy" (IAM User Guide, "AWS JSON policy
 * elements: Principal"). In the emulated partition that means accounts of the organisation, roles and SAML
 * providers that exist, and AWS service principals by their documented form.
 */
import { AwsServiceError } from '../http/contract.js';

export interface PrincipalLookups {
  accountExists(accountId: string): boolean;
  roleExists(accountId: string, name: string, path?: string): boolean;
  samlProviderExists(arn: string): boolean;
}

/** Web identity providers a trust policy may name directly (IAM User Guide, "Federated web identity principals"). */
const WEB_IDENTITY_PROVIDERS = new Set([
  'accounts.google.com',
  'graph.facebook.com',
  'www.amazon.com',
  'cognito-identity.amazonaws.com',
]);

/** `service-name.amazonaws.com` (and the China partition's `.amazonaws.com.cn`), as AWS service principals are named. */
const SERVICE_PRINCIPAL = /^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$/;

function invalid(kind: string, value: string): AwsServiceError {
  return new AwsServiceError('MalformedPolicyDocument', `Invalid principal in policy: "${kind}":"${value}"`, 400);
}

function values(v: unknown): string[] {
  return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
}

function awsPrincipalExists(value: string, lookups: PrincipalLookups): boolean {
  if (value === '*') return true;
  if (/^\d{12}$/.test(value)) return lookups.accountExists(value);
  const root = /^arn:aws:iam::(\d{12}):root$/.exec(value);
  if (root) return lookups.accountExists(root[1] as string);
  const role = /^arn:aws:iam::(\d{12}):role(\/(?:[\x21-\x7e]*\/)?)([\w+=,.@-]+)$/.exec(value);
  if (role) return lookups.roleExists(role[1] as string, role[3] as string, role[2] as string);
  const session = /^arn:aws:sts::(\d{12}):assumed-role\/([\w+=,.@-]+)\/[\w+=,.@-]+$/.exec(value);
  if (session) return lookups.roleExists(session[1] as string, session[2] as string);
  // IAM users, groups and unique ids are not emulated; nothing else is an AWS principal.
  return false;
}

function federatedPrincipalExists(value: string, lookups: PrincipalLookups): boolean {
  if (WEB_IDENTITY_PROVIDERS.has(value)) return true;
  if (/^arn:aws:iam::\d{12}:saml-provider\/[\w._-]+$/.test(value)) return lookups.samlProviderExists(value);
  // OIDC providers are not emulated, so none exists.
  return false;
}

/** Throws MalformedPolicyDocument for the first principal of the (already well-formed) trust policy that does not exist. */
export function checkTrustPrincipalsExist(document: string, lookups: PrincipalLookups): void {
  const policy = JSON.parse(document) as { Statement?: unknown };
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  for (const s of statements as Record<string, unknown>[]) {
    const principal = s.Principal ?? s.NotPrincipal;
    if (typeof principal !== 'object' || principal === null) continue;
    for (const [kind, raw] of Object.entries(principal as Record<string, unknown>)) {
      for (const value of values(raw)) {
        const ok =
          kind === 'AWS'
            ? awsPrincipalExists(value, lookups)
            : kind === 'Federated'
              ? federatedPrincipalExists(value, lookups)
              : kind === 'Service'
                ? value === '*' || SERVICE_PRINCIPAL.test(value)
                : false;
        if (!ok) throw invalid(kind, value);
      }
    }
  }
}
