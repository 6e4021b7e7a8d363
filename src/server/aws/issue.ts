/**
 * The signed SAML Response of the AWS IAM application for one user, for the command line: the same assertion
 * content as the browser flow (the application's attribute providers add Role, RoleSessionName, …), addressed to
 * the AWS sign-in URL so that STS accepts it for AssumeRoleWithSAML.
 */
import { randomBytes } from 'node:crypto';
import {
  AWS_ATTR,
  DomainError,
  mayUse,
  parseRoleArn,
  resolveAssertionContent,
  resolveRoles,
  type ResolvedRole,
  type SamlApplication,
  type User,
} from '../../core/index.js';
import { buildResponse, NAMEID_FORMAT, type SamlAttribute } from '../../saml/index.js';
import type { ServerContext } from '../deps.js';
import { authnContextFor } from '../saml/sso/authn-context.js';
import type { AwsServices } from './context.js';

const ATTRNAME = {
  basic: 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic',
  uri: 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri',
  unspecified: 'urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified',
} as const;

export interface RoleView {
  readonly accountId: string;
  readonly accountName: string | null;
  readonly roleName: string;
  readonly roleArn: string;
  readonly providerArn: string;
}

export interface IssuedAssertion {
  readonly app: SamlApplication;
  /** Base64 of the whole samlp:Response: what AssumeRoleWithSAML takes. */
  readonly samlResponse: string;
  readonly notOnOrAfter: Date;
  /** The Role attribute values exactly as signed (`role-arn,provider-arn`). */
  readonly roleValues: readonly string[];
  readonly sessionDuration: number | null;
}

/** One signed Role value as a RoleView; null for a value that is not `role-arn,provider-arn`. */
export function roleViewOf(value: string, accountNames: ReadonlyMap<string, string>): RoleView | null {
  const [roleArn = '', providerArn = ''] = value.split(',');
  const parsed = parseRoleArn(roleArn);
  return parsed
    ? {
        accountId: parsed.accountId,
        accountName: accountNames.get(parsed.accountId) ?? null,
        roleName: parsed.name,
        roleArn,
        providerArn,
      }
    : null;
}

/** The roles the user reaches now, without signing anything (for `keyway aws configure`). */
export async function rolesOf(
  ctx: ServerContext,
  svc: AwsServices,
  user: User,
  appId?: string,
): Promise<{ app: SamlApplication; roles: RoleView[] }> {
  const { app, config } = await svc.awsApp(appId);
  const groups = await ctx.store.directory.effectiveGroupsOfUser(user.id);
  if (!mayUse(app, groups))
    throw new DomainError(
      'forbidden',
      `${user.userName} is not in a group that may use ${app.name}; ask an administrator`,
    );
  const ids = groups.map((g) => g.id);
  const [bindings, accounts] = await Promise.all([svc.access.bindingsForGroups(ids), svc.access.listAccounts()]);
  return { app, roles: resolveRoles(ids, bindings, config).map((r) => view(r, accounts)) };
}

const view = (r: ResolvedRole, accounts: readonly { id: string; name: string }[]): RoleView => ({
  accountId: r.accountId,
  accountName: accounts.find((a) => a.id === r.accountId)?.name ?? null,
  roleName: r.roleName,
  roleArn: r.roleArn,
  providerArn: r.providerArn,
});

export async function issueAwsAssertion(
  ctx: ServerContext,
  svc: AwsServices,
  user: User,
  authMethods: readonly string[],
): Promise<IssuedAssertion> {
  const { app, config } = await svc.awsApp();
  if (user.status !== 'active')
    throw new DomainError('forbidden', `your Keyway account ${user.userName} is suspended; ask an administrator`);
  // Direct groups are read only when an attribute mapping of the app uses them; the AWS attributes never do.
  const needsDirect = app.attributes.some((m) => m.source === 'groups.direct');
  const [effectiveGroups, directGroups] = await Promise.all([
    ctx.store.directory.effectiveGroupsOfUser(user.id),
    needsDirect ? ctx.store.directory.directGroupsOfUser(user.id) : [],
  ]);
  if (!mayUse(app, effectiveGroups))
    throw new DomainError(
      'forbidden',
      `${user.userName} is not in a group that may use ${app.name}; ask an administrator`,
    );
  const now = ctx.now();
  const content = await resolveAssertionContent(
    { app, user, effectiveGroups, directGroups, authMethods, now },
    svc.rt.types,
  );
  const attributes: SamlAttribute[] = content.attributes.map((a) => ({
    name: a.name,
    nameFormat: ATTRNAME[a.nameFormat],
    values: a.values,
    ...(a.friendlyName ? { friendlyName: a.friendlyName } : {}),
  }));
  const built = await buildResponse({
    issuer: svc.rt.urls.entityId,
    destination: config.signInUrl,
    audience: app.entityId,
    nameId: { value: content.nameId, format: NAMEID_FORMAT[content.nameIdFormat] },
    sessionIndex: `_${randomBytes(20).toString('hex')}`,
    authnInstant: now,
    authnContextClassRef: authnContextFor(authMethods),
    attributes,
    now,
    skewSeconds: ctx.config.samlClockSkewSeconds,
    signing: {
      credential: await svc.rt.signingCredential(),
      signResponse: app.signResponse,
      signAssertion: app.signAssertion,
    },
  });
  // The roles are read back from the Role attribute just signed, so what the CLI is told is exactly what AWS gets.
  const roleValues = content.attributes.find((a) => a.name === AWS_ATTR.role)?.values ?? [];
  return {
    app,
    samlResponse: built.base64,
    notOnOrAfter: built.notOnOrAfter,
    roleValues,
    sessionDuration: config.sessionDuration,
  };
}
