import { DomainError } from '../errors.js';

/**
 * AWS's own naming rules (IAM User Guide, "Configure SAML assertions for the authentication response"; IAM API
 * Reference, "CreateRole" and "CreateSAMLProvider"), checked before anything is sent so that a bad value is
 * reported by name here instead of as an opaque "invalid SAML response" in AWS.
 */
export const ACCOUNT_ID = /^\d{12}$/;
/** CreateRole RoleName: 1–64 of `[\w+=,.@-]` (botocore iam `roleNameType`). */
export const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
/** Role path: `/` or `/segment/…/`, at most 512 characters (botocore iam `pathType`). */
export const ROLE_PATH = /^\/(?:[\x21-\x7e]+\/)?$/;
/** SAML provider Name: 1–128 of `[\w._-]` (botocore iam `SAMLProviderNameType`). */
export const SAML_PROVIDER_NAME = /^[\w._-]{1,128}$/;
/** RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64} (troubleshoot_saml). */
export const ROLE_SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
/** SourceIdentity: same pattern, and not beginning with `aws:`. */
export const SOURCE_IDENTITY = /^[\w+=,.@-]{2,64}$/;
/** Session tag keys and values: letters, numbers, spaces and `_ . : / = + - @` (id_tags). */
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
export const MAX_SESSION_TAGS = 50;
export const MAX_TAG_KEY_LENGTH = 128;
export const MAX_TAG_VALUE_LENGTH = 256;
export const MIN_SESSION_DURATION = 900;
export const MAX_SESSION_DURATION = 43200;

const invalid = (at: string, message: string): DomainError =>
  new DomainError('invalid_input', message, [{ at, message }]);

/** JSON.stringify quotes and escapes, so control characters in a bad value cannot garble the message. */
export const show = (value: unknown): string => JSON.stringify(value) ?? String(value);

export function checkAccountId(value: unknown, at = 'accountId'): string {
  if (typeof value !== 'string' || !ACCOUNT_ID.test(value)) {
    throw invalid(at, `AWS account id ${show(value)} must be exactly 12 digits`);
  }
  return value;
}

export function checkAccountName(value: unknown, at = 'name'): string {
  if (
    typeof value !== 'string' ||
    value.trim() !== value ||
    value.length < 1 ||
    value.length > 50 ||
    /[\p{Cc}]/u.test(value)
  ) {
    throw invalid(
      at,
      `AWS account name ${show(value)} must be 1–50 printable characters without leading or trailing spaces`,
    );
  }
  if (ACCOUNT_ID.test(value)) throw invalid(at, `AWS account name ${show(value)} must not look like an account id`);
  return value;
}

export function checkRoleName(value: unknown, at = 'roleName'): string {
  if (typeof value !== 'string' || !ROLE_NAME.test(value)) {
    throw invalid(at, `IAM role name ${show(value)} must match [\\w+=,.@-]{1,64}`);
  }
  return value;
}

export function checkRolePath(value: unknown, at = 'rolePath'): string {
  if (typeof value !== 'string' || value.length > 512 || !ROLE_PATH.test(value) || value.includes('//')) {
    throw invalid(
      at,
      `IAM role path ${show(value)} must be "/" or start and end with "/" (printable ASCII, at most 512 characters)`,
    );
  }
  return value;
}

export function checkRolePathAndName(path: string, name: string, at = 'roleName'): void {
  // Console switch-role and the role picker need path + name within 64 characters (reference_iam-quotas).
  if (path.length - 1 + name.length > 64) {
    throw invalid(at, `IAM role path plus name ${show(path + name)} is longer than 64 characters`);
  }
}

export function checkProviderName(value: unknown, at = 'samlProviderName'): string {
  if (typeof value !== 'string' || !SAML_PROVIDER_NAME.test(value)) {
    throw invalid(at, `SAML provider name ${show(value)} must match [\\w._-]{1,128}`);
  }
  return value;
}

export function checkRoleSessionName(value: unknown, at = 'RoleSessionName'): string {
  if (typeof value !== 'string' || !ROLE_SESSION_NAME.test(value)) {
    throw invalid(at, `${at} ${show(value)} must match [\\w+=,.@-]{2,64}`);
  }
  return value;
}

export function checkSourceIdentity(value: unknown, at = 'SourceIdentity'): string {
  if (typeof value !== 'string' || !SOURCE_IDENTITY.test(value) || value.toLowerCase().startsWith('aws:')) {
    throw invalid(at, `${at} ${show(value)} must match [\\w+=,.@-]{2,64} and not begin with "aws:"`);
  }
  return value;
}

export function checkTagKey(value: unknown, at = 'tagKey'): string {
  if (typeof value !== 'string' || value.length < 1 || value.length > MAX_TAG_KEY_LENGTH) {
    throw invalid(at, `session tag key ${show(value)} must be 1–${MAX_TAG_KEY_LENGTH} characters`);
  }
  if (!TAG_CHARS.test(value))
    throw invalid(at, `session tag key ${show(value)} may only contain letters, numbers, spaces and _ . : / = + - @`);
  if (value.toLowerCase().startsWith('aws:'))
    throw invalid(at, `session tag key ${show(value)} must not begin with "aws:"`);
  return value;
}

export function checkTagValue(value: unknown, at = 'session tag value'): string {
  if (typeof value !== 'string' || value.length > MAX_TAG_VALUE_LENGTH) {
    throw invalid(at, `${at} ${show(value)} must be at most ${MAX_TAG_VALUE_LENGTH} characters`);
  }
  if (!TAG_CHARS.test(value))
    throw invalid(at, `${at} ${show(value)} may only contain letters, numbers, spaces and _ . : / = + - @`);
  if (value.toLowerCase().startsWith('aws:')) throw invalid(at, `${at} ${show(value)} must not begin with "aws:"`);
  return value;
}

export function checkSessionDuration(value: unknown, at = 'sessionDuration'): number {
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < MIN_SESSION_DURATION ||
    value > MAX_SESSION_DURATION
  ) {
    throw invalid(
      at,
      `SessionDuration ${show(value)} must be an integer number of seconds from ${MIN_SESSION_DURATION} to ${MAX_SESSION_DURATION}`,
    );
  }
  return value;
}

export const roleArn = (accountId: string, path: string, name: string): string =>
  `arn:aws:iam::${accountId}:role${path}${name}`;
export const samlProviderArn = (accountId: string, providerName: string): string =>
  `arn:aws:iam::${accountId}:saml-provider/${providerName}`;

/** Splits an IAM role ARN into account, path and name; null when it is not one. */
export function parseRoleArn(arn: string): { accountId: string; path: string; name: string } | null {
  const m = /^arn:aws:iam::(\d{12}):role(\/(?:.*\/)?)([^/]+)$/.exec(arn);
  return m ? { accountId: m[1]!, path: m[2]!, name: m[3]! } : null;
}
