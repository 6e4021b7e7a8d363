/**
 * Steps 9 to 13 of AWS's order for one requested role (see assume-role-with-saml-validation.ts), then the
 * session itself: what STS returns and what the sign-in console shows are both built from `RoleSession`.
 */
import { createHash } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import type { IamRoleRecord, TemporaryCredentials } from '../world-contract.js';
import { validatePolicyDocument } from '../iam/policy-document.js';
import { SamlErrors } from './assume-role-with-saml-errors.js';
import {
  checkSessionTags,
  parseProviderArn,
  parseRoleArn,
  rolePairs,
  roleSessionName,
  sessionDuration,
  sessionTags,
  sourceIdentity,
  type SessionTags,
} from './assume-role-with-saml-claims.js';
import { trustPolicyAllows } from './assume-role-with-saml-trust-policy.js';
import type { SamlFederationDeps, VerifiedFederation } from './assume-role-with-saml-validation.js';

export interface RoleRequest {
  readonly roleArn: string;
  readonly principalArn: string;
  /** DurationSeconds as asked (STS defaults it to 3600). */
  readonly durationSeconds: number;
  readonly policy?: string;
  readonly policyArns?: readonly string[];
}

export interface RoleSession {
  readonly role: IamRoleRecord;
  readonly accountId: string;
  readonly sessionName: string;
  readonly durationSeconds: number;
  readonly sourceIdentity: string | undefined;
  readonly tags: SessionTags;
  /** Percent of the packed session-policy-and-tags budget used; only when tags or session policies were passed. */
  readonly packedPolicySize: number | undefined;
  readonly subject: string;
  readonly subjectType: string;
  readonly issuer: string;
  readonly audience: string;
  readonly nameQualifier: string;
  readonly assumedRoleArn: string;
  readonly assumedRoleId: string;
}

const NAMEID_2_0_PREFIX = 'urn:oasis:names:tc:SAML:2.0:nameid-format:';
/** SAML core §8.3.1: a NameID without Format is `unspecified`. */
const DEFAULT_NAMEID_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';

/** STSAPI: the Format with the SAML 2.0 nameid-format prefix removed; any other prefix is returned unchanged. */
export function subjectType(format: string | undefined): string {
  const f = format ?? DEFAULT_NAMEID_FORMAT;
  return f.startsWith(NAMEID_2_0_PREFIX) ? f.slice(NAMEID_2_0_PREFIX.length) : f;
}

/** STSAPI and IAMUG: BASE64(SHA1(Issuer + AccountId + "/" + ProviderFriendlyName)), the pseudocode form. */
export function nameQualifier(issuer: string, accountId: string, providerName: string): string {
  return createHash('sha1').update(`${issuer}${accountId}/${providerName}`, 'utf8').digest('base64');
}

/**
 * SAML attributes AWS maps to trust-policy keys (IAMUG "Mapping SAML attributes to AWS trust policy context
 * keys"); the eduPerson/eduOrg and X.500 ones the emulator supports. Keys are lower-cased, as IAM compares them.
 */
const ATTRIBUTE_KEYS: Readonly<Record<string, string>> = {
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.1': 'saml:edupersonaffiliation',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.2': 'saml:edupersonnickname',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.3': 'saml:edupersonorgdn',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.4': 'saml:edupersonorgunitdn',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.5': 'saml:edupersonprimaryaffiliation',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.6': 'saml:edupersonprincipalname',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.7': 'saml:edupersonentitlement',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.8': 'saml:edupersonprimaryorgunitdn',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.9': 'saml:edupersonscopedaffiliation',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.10': 'saml:edupersontargetedid',
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.11': 'saml:edupersonassurance',
  'urn:oid:1.3.6.1.4.1.5923.1.2.1.2': 'saml:eduorghomepageuri',
  'urn:oid:1.3.6.1.4.1.5923.1.2.1.3': 'saml:eduorgidentityauthnpolicyuri',
  'urn:oid:1.3.6.1.4.1.5923.1.2.1.4': 'saml:eduorglegalname',
  'urn:oid:1.3.6.1.4.1.5923.1.2.1.5': 'saml:eduorgsuperioruri',
  'urn:oid:1.3.6.1.4.1.5923.1.2.1.6': 'saml:eduorgwhitepagesuri',
  'urn:oid:2.5.4.3': 'saml:cn',
  'urn:oid:2.5.4.4': 'saml:surname',
  'urn:oid:2.5.4.42': 'saml:givenname',
  'urn:oid:2.5.4.45': 'saml:x500uniqueidentifier',
  'urn:oid:0.9.2342.19200300.100.1.1': 'saml:uid',
  'urn:oid:0.9.2342.19200300.100.1.3': 'saml:mail',
  'urn:oid:0.9.2342.19200300.100.1.45': 'saml:organizationstatus',
};

function conditionContext(
  v: VerifiedFederation,
  s: Omit<RoleSession, 'role' | 'durationSeconds' | 'packedPolicySize' | 'assumedRoleArn' | 'assumedRoleId'>,
): Map<string, string[]> {
  const ctx = new Map<string, string[]>();
  const set = (k: string, values: readonly string[] | string | undefined): void => {
    if (values === undefined) return;
    ctx.set(k.toLowerCase(), typeof values === 'string' ? [values] : [...values]);
  };
  set('saml:aud', v.recipient);
  set('saml:iss', v.assertion.issuer);
  set('saml:sub', s.subject);
  set('saml:sub_type', s.subjectType);
  set('saml:doc', `${v.provider.accountId}/${v.provider.name}`);
  set('saml:namequalifier', s.nameQualifier);
  for (const [name, values] of v.assertion.attributes) {
    const key = ATTRIBUTE_KEYS[name];
    if (key) set(key, values);
  }
  set('sts:rolesessionname', s.sessionName);
  set('sts:sourceidentity', s.sourceIdentity);
  if (s.tags.tags.length > 0) {
    for (const t of s.tags.tags) set(`aws:requesttag/${t.key}`, t.value);
    set(
      'aws:tagkeys',
      s.tags.tags.map((t) => t.key),
    );
  }
  if (s.tags.transitiveKeys.length > 0) set('sts:transitivetagkeys', s.tags.transitiveKeys);
  return ctx;
}

/** Steps 9 to 13 (and the session policies) for one requested role/provider pair. */
export function authorizeRoleSession(
  v: VerifiedFederation,
  request: RoleRequest,
  deps: SamlFederationDeps,
): RoleSession {
  const deny = (detail: string): Error => {
    deps.log.warn('saml.access-denied', { roleArn: request.roleArn, principalArn: request.principalArn, detail });
    return SamlErrors.accessDenied();
  };
  // 9: the pair must be one the IdP signed, and name the provider that verified the assertion.
  if (request.principalArn !== v.provider.arn)
    throw deny('PrincipalArn is not the provider that verified the assertion');
  if (!rolePairs(v.assertion).some((p) => p.roleArn === request.roleArn && p.principalArn === request.principalArn)) {
    throw deny('the role/provider pair is not in the Role attribute');
  }
  const nameId = v.assertion.nameId;
  if (!nameId || nameId.value === '') throw deny('the assertion has no Subject NameID');

  // 10.
  const sessionName = roleSessionName(v.assertion);
  const source = sourceIdentity(v.assertion);

  // 11: the role, then its trust policy for every action the request implies.
  const roleRef = parseRoleArn(request.roleArn);
  const providerRef = parseProviderArn(request.principalArn);
  const role = roleRef ? deps.iamReader.getRoleByArn(request.roleArn) : undefined;
  if (!role || !roleRef || !providerRef) throw deny('the role does not exist');
  // STSAPI: AssumeRoleWithSAML does not work on roles IAM Identity Center manages.
  if (role.name.startsWith('AWSReservedSSO_')) throw deny('AWSReservedSSO_ roles cannot be assumed with SAML');
  const tags = sessionTags(v.assertion);
  const base = {
    accountId: role.accountId,
    sessionName,
    sourceIdentity: source,
    tags,
    subject: nameId.value,
    subjectType: subjectType(nameId.format),
    issuer: v.assertion.issuer,
    audience: v.recipient,
    nameQualifier: nameQualifier(v.assertion.issuer, v.provider.accountId, v.provider.name),
  };
  const context = conditionContext(v, base);
  const actions = ['sts:AssumeRoleWithSAML'];
  if (tags.tags.length > 0) actions.push('sts:TagSession');
  if (source !== undefined) actions.push('sts:SetSourceIdentity');
  for (const action of actions) {
    if (!trustPolicyAllows(role.assumeRolePolicyDocument, { action, federatedPrincipal: v.provider.arn, context })) {
      throw deny(`the trust policy does not allow ${action}`);
    }
  }

  // 12: DurationSeconds against the role; SessionDuration and SessionNotOnOrAfter can only shorten it.
  if (request.durationSeconds > role.maxSessionDuration) {
    deps.log.warn('saml.rejected', {
      roleArn: request.roleArn,
      detail: `DurationSeconds ${request.durationSeconds} > ${role.maxSessionDuration}`,
    });
    throw SamlErrors.durationOverMax();
  }
  let duration = request.durationSeconds;
  const attributeDuration = sessionDuration(v.assertion);
  if (attributeDuration !== undefined) duration = Math.min(duration, attributeDuration);
  if (v.assertion.sessionNotOnOrAfter !== undefined) {
    const left = Math.floor((v.assertion.sessionNotOnOrAfter - deps.now()) / 1000);
    if (left <= 0) throw SamlErrors.expired();
    duration = Math.min(duration, left);
  }

  // 13: session tags, then session policies and the packed budget they share.
  checkSessionTags(v.assertion, tags);
  if (request.policy !== undefined) validatePolicyDocument(request.policy, 'identity');
  const packedPolicySize = packedSize(request, tags);
  if (packedPolicySize !== undefined && packedPolicySize > 100) throw SamlErrors.packedPolicyTooLarge(packedPolicySize);

  return {
    ...base,
    role,
    durationSeconds: duration,
    packedPolicySize,
    assumedRoleArn: `arn:aws:sts::${role.accountId}:assumed-role/${role.name}/${sessionName}`,
    assumedRoleId: `${role.roleId}:${sessionName}`,
  };
}

/**
 * AWS packs session policies and tags into a binary form whose size it reports as a percentage (STSAPI
 * PackedPolicySize) without publishing the format. The emulator uses a documented stand-in: the raw-deflated
 * JSON of the policy, policy ARNs and tags against a 2,048-byte budget.
 */
export function packedSize(
  request: { readonly policy?: string | undefined; readonly policyArns?: readonly string[] },
  tags: SessionTags,
): number | undefined {
  const arns = request.policyArns ?? [];
  if (request.policy === undefined && arns.length === 0 && tags.tags.length === 0) return undefined;
  const packed = deflateRawSync(
    Buffer.from(JSON.stringify([request.policy ?? '', arns, tags.tags, tags.transitiveKeys]), 'utf8'),
  );
  return Math.ceil((packed.length * 100) / 2048);
}

/** Issues the temporary credentials of an authorised session. */
export function issueRoleSession(session: RoleSession, deps: SamlFederationDeps): TemporaryCredentials {
  const transitive = new Set(session.tags.transitiveKeys.map((k) => k.toLowerCase()));
  return deps.credentials.issueRoleSession(
    session.accountId,
    session.role,
    session.sessionName,
    session.durationSeconds,
    {
      ...(session.sourceIdentity !== undefined ? { sourceIdentity: session.sourceIdentity } : {}),
      transitiveTags: session.tags.tags.filter((t) => transitive.has(t.key.toLowerCase())),
    },
  );
}
