import { DomainError } from '../errors.js';
import type { User } from '../directory/types.js';
import type { SamlAttributeValue } from '../applications/types.js';
import type { AwsIamAppConfig, UserValueSource } from './aws-iam-app.js';
import type { ResolvedRole } from './bindings.js';
import { checkRoleSessionName, checkSourceIdentity, checkTagValue, show } from './aws-names.js';

/**
 * AWS's attribute names, exact and case-sensitive (IAM User Guide, "Configure SAML assertions for the authentication
 * response").
 */
export const AWS_ATTR = {
  role: 'https://aws.amazon.com/SAML/Attributes/Role',
  roleSessionName: 'https://aws.amazon.com/SAML/Attributes/RoleSessionName',
  sessionDuration: 'https://aws.amazon.com/SAML/Attributes/SessionDuration',
  sourceIdentity: 'https://aws.amazon.com/SAML/Attributes/SourceIdentity',
  principalTagPrefix: 'https://aws.amazon.com/SAML/Attributes/PrincipalTag:',
} as const;

export interface AwsAssertionContent<R extends { readonly value: string } = ResolvedRole> {
  readonly attributes: readonly SamlAttributeValue[];
  readonly roles: readonly R[];
  /** What the trust policies must allow besides sts:AssumeRoleWithSAML. */
  readonly sendsTags: boolean;
  readonly sendsSourceIdentity: boolean;
}

/** Reads one single-valued value for a user; undefined when the user has none. */
export function userValue(user: User, from: UserValueSource): string | undefined {
  switch (from) {
    case 'userName':
      return user.userName;
    case 'id':
      return user.id;
    case 'email':
      return (user.emails.find((e) => e.primary) ?? user.emails[0])?.value;
    case 'externalId':
      return user.externalId ?? undefined;
    case 'displayName':
      return user.displayName ?? undefined;
    case 'givenName':
      return user.givenName ?? undefined;
    case 'familyName':
      return user.familyName ?? undefined;
    default: {
      const v = user.attributes[from.slice('attributes.'.length)];
      if (v === undefined) return undefined;
      if (typeof v === 'string') return v;
      if (v.length <= 1) return v[0];
      throw new DomainError(
        'invalid_input',
        `user attribute ${show(from)} of ${user.userName} has ${v.length} values; a session tag takes one`,
        [{ at: from, message: 'multi-valued' }],
      );
    }
  }
}

export function roleSessionNameOf(user: User, config: Pick<AwsIamAppConfig, 'roleSessionNameFrom'>): string {
  const v = userValue(user, config.roleSessionNameFrom);
  if (v === undefined) {
    throw new DomainError(
      'invalid_input',
      `user ${show(user.userName)} has no ${config.roleSessionNameFrom} for the RoleSessionName`,
      [{ at: 'RoleSessionName', message: 'missing' }],
    );
  }
  return checkRoleSessionName(v, `RoleSessionName (from ${config.roleSessionNameFrom})`);
}

/**
 * The Role values of a role list; for a frozen list (shared across sign-ins, see aws-iam-app-type.ts) built
 * once and frozen too, so that what is built from it can be remembered by identity as well.
 */
const valuesOfFrozenRoles = new WeakMap<readonly { readonly value: string }[], readonly string[]>();
const roleValuesFrom = (roles: readonly { readonly value: string }[]): readonly string[] => {
  if (!Object.isFrozen(roles)) return roles.map((r) => r.value);
  let values = valuesOfFrozenRoles.get(roles);
  if (!values) {
    values = Object.freeze(roles.map((r) => r.value));
    valuesOfFrozenRoles.set(roles, values);
  }
  return values;
};

/**
 * The AWS attributes of the assertion for one user (the NameID is the application's), each value checked against
 * AWS's rules first. Throws a DomainError naming the bad value; never sends a value AWS would refuse.
 */
export function buildAwsAssertionContent<R extends { readonly value: string } = ResolvedRole>(
  user: User,
  roles: readonly R[],
  config: AwsIamAppConfig,
): AwsAssertionContent<R> {
  if (user.status !== 'active') {
    throw new DomainError('forbidden', `user ${show(user.userName)} is suspended`, [
      { at: 'user', message: 'suspended' },
    ]);
  }
  if (roles.length === 0) {
    throw new DomainError(
      'forbidden',
      `user ${show(user.userName)} may not assume any AWS role: none of their groups is bound to a role`,
      [{ at: 'roles', message: 'no roles' }],
    );
  }
  const attr = (name: string, values: readonly string[]): SamlAttributeValue => ({
    name,
    nameFormat: 'uri',
    friendlyName: null,
    values,
  });
  const attributes: SamlAttributeValue[] = [
    attr(AWS_ATTR.role, roleValuesFrom(roles)),
    attr(AWS_ATTR.roleSessionName, [roleSessionNameOf(user, config)]),
  ];
  if (config.sessionDuration !== null)
    attributes.push(attr(AWS_ATTR.sessionDuration, [String(config.sessionDuration)]));
  let sendsSourceIdentity = false;
  if (config.sourceIdentityFrom !== null) {
    const v = userValue(user, config.sourceIdentityFrom);
    if (v === undefined)
      throw new DomainError(
        'invalid_input',
        `user ${show(user.userName)} has no ${config.sourceIdentityFrom} for the SourceIdentity`,
        [{ at: 'SourceIdentity', message: 'missing' }],
      );
    attributes.push(
      attr(AWS_ATTR.sourceIdentity, [checkSourceIdentity(v, `SourceIdentity (from ${config.sourceIdentityFrom})`)]),
    );
    sendsSourceIdentity = true;
  }
  let sendsTags = false;
  for (const tag of config.principalTags) {
    const v = userValue(user, tag.from);
    // A user without the attribute simply has no such tag; an empty tag would override a role tag with "".
    if (v === undefined || v === '') continue;
    attributes.push(
      attr(AWS_ATTR.principalTagPrefix + tag.key, [checkTagValue(v, `PrincipalTag:${tag.key} (from ${tag.from})`)]),
    );
    sendsTags = true;
  }
  return { attributes, roles, sendsTags, sendsSourceIdentity };
}
