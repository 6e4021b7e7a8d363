/**
 * The AWS meaning of a verified assertion's attributes (IAM User Guide, "Configure SAML assertions for the
 * authentication response"; IAM User Guide, "Pass session tags in AWS STS"): Role pairs, RoleSessionName,
 * SessionDuration, SourceIdentity, PrincipalTag:* and TransitiveTagKeys. Input is only the verified assertion.
 */
import type { SamlAssertion } from '../saml-sp/index.js';
import { SamlErrors } from './assume-role-with-saml-errors.js';

export const AWS_ATTR = 'https://aws.amazon.com/SAML/Attributes/';
export const ROLE_ATTR = `${AWS_ATTR}Role`;
const SESSION_NAME_ATTR = `${AWS_ATTR}RoleSessionName`;
const SESSION_DURATION_ATTR = `${AWS_ATTR}SessionDuration`;
const SOURCE_IDENTITY_ATTR = `${AWS_ATTR}SourceIdentity`;
const TRANSITIVE_ATTR = `${AWS_ATTR}TransitiveTagKeys`;
const TAG_PREFIX = `${AWS_ATTR}PrincipalTag:`;

export interface RolePair {
  readonly roleArn: string;
  readonly principalArn: string;
}

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:[\u0021-\u007E]*\/)?([\w+=,.@-]{1,64})$/;
const PROVIDER_ARN = /^arn:aws:iam::(\d{12}):saml-provider\/([\w._-]{1,128})$/;

export function parseRoleArn(arn: string): { accountId: string; name: string } | undefined {
  const m = ROLE_ARN.exec(arn);
  return m ? { accountId: m[1]!, name: m[2]! } : undefined;
}

export function parseProviderArn(arn: string): { accountId: string; name: string } | undefined {
  const m = PROVIDER_ARN.exec(arn);
  return m ? { accountId: m[1]!, name: m[2]! } : undefined;
}

/**
 * Each Role value is "<role ARN>,<provider ARN>" in either order (Okta sends the provider first); the parts are
 * told apart by their resource type. Values that are not such a pair cannot match any request and are dropped.
 */
export function rolePairs(assertion: SamlAssertion): RolePair[] {
  const pairs: RolePair[] = [];
  for (const value of assertion.attributes.get(ROLE_ATTR) ?? []) {
    const parts = value.split(',').map((p) => p.trim());
    if (parts.length !== 2) continue;
    const roleArn = parts.find((p) => parseRoleArn(p));
    const principalArn = parts.find((p) => parseProviderArn(p));
    if (roleArn && principalArn && !pairs.some((x) => x.roleArn === roleArn && x.principalArn === principalArn)) {
      pairs.push({ roleArn, principalArn });
    }
  }
  return pairs;
}

const NAME_PATTERN = /^[\w+=,.@-]{2,64}$/;

export function roleSessionName(assertion: SamlAssertion): string {
  const values = assertion.attributes.get(SESSION_NAME_ATTR);
  if (!values || values.length === 0) throw SamlErrors.roleSessionNameMissing();
  if (values.length !== 1 || !NAME_PATTERN.test(values[0]!)) throw SamlErrors.roleSessionNameInvalid();
  return values[0]!;
}

export function sourceIdentity(assertion: SamlAssertion): string | undefined {
  const values = assertion.attributes.get(SOURCE_IDENTITY_ATTR);
  if (!values || values.length === 0) return undefined;
  const v = values[0]!;
  if (values.length !== 1 || !NAME_PATTERN.test(v) || v.toLowerCase().startsWith('aws:'))
    throw SamlErrors.sourceIdentityInvalid();
  return v;
}

/** Seconds, when the assertion carries `SessionDuration` (900–43200). */
export function sessionDuration(assertion: SamlAssertion): number | undefined {
  const values = assertion.attributes.get(SESSION_DURATION_ATTR);
  if (!values || values.length === 0) return undefined;
  if (values.length !== 1 || !/^\d{3,5}$/.test(values[0]!)) throw SamlErrors.sessionDurationInvalid();
  const n = Number(values[0]);
  if (n < 900 || n > 43200) throw SamlErrors.sessionDurationInvalid();
  return n;
}

export interface SessionTags {
  readonly tags: ReadonlyArray<{ readonly key: string; readonly value: string }>;
  readonly transitiveKeys: readonly string[];
}

const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

/** Session tags as the PrincipalTag attributes carry them, before the limits are checked. */
export function sessionTags(assertion: SamlAssertion): SessionTags {
  const tags: Array<{ key: string; value: string }> = [];
  for (const [name, values] of assertion.attributes) {
    if (name.startsWith(TAG_PREFIX)) tags.push({ key: name.slice(TAG_PREFIX.length), value: values.join(',') });
  }
  return { tags, transitiveKeys: assertion.attributes.get(TRANSITIVE_ATTR) ?? [] };
}

/** The session-tag limits of IAM User Guide, "Pass session tags in AWS STS", checked last in AWS's order. */
export function checkSessionTags(assertion: SamlAssertion, session: SessionTags): void {
  const seen = new Set<string>();
  for (const { key, value } of session.tags) {
    if (!TAG_KEY.test(key)) throw SamlErrors.tagsInvalid(`tag key must match [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]{1,128}`);
    if (key.toLowerCase().startsWith('aws:')) throw SamlErrors.tagsInvalid('tag keys must not begin with "aws:"');
    // Session tag keys are compared case-insensitively (IAM User Guide, "Pass session tags in AWS STS"), so two
    // spellings of one key are refused.
    if (seen.has(key.toLowerCase())) throw SamlErrors.tagsInvalid(`duplicate tag key ${key}`);
    seen.add(key.toLowerCase());
    if ((assertion.attributes.get(TAG_PREFIX + key) ?? []).length !== 1)
      throw SamlErrors.tagsInvalid(`tag ${key} must have exactly one value`);
    if (!TAG_VALUE.test(value))
      throw SamlErrors.tagsInvalid(`value of tag ${key} must match [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]{0,256}`);
  }
  if (session.tags.length > 50) throw SamlErrors.tagsInvalid('at most 50 session tags are allowed');
  for (const k of session.transitiveKeys) {
    if (!seen.has(k.toLowerCase())) throw SamlErrors.tagsInvalid(`transitive tag key ${k} is not a session tag`);
  }
}
