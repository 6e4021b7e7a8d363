/**
 * The last steps of SSO once the user is known and the request (if any) is validated: may this user use the
 * app, what goes into the assertion, sign it, remember the SP in the session for single logout, audit, and
 * hand back the auto-posting form. Used by SP-initiated and IdP-initiated SSO alike.
 */
import { randomBytes } from 'node:crypto';
import { isDomainError, mayUse, resolveAssertionContent, type SamlApplication } from '../../../core/index.js';
import { buildErrorResponse, buildResponse, NAMEID_FORMAT, STATUS, type SamlAttribute } from '../../../saml/index.js';
import type { ServerContext } from '../../deps.js';
import type { SignedIn } from '../../session.js';
import type { SamlRuntime } from '../runtime.js';
import { recordSpSession, samlSessionIndex } from '../session-sps.js';
import { authnContextFor, satisfiesRequested } from './authn-context.js';
import type { PendingRequest } from './pending-request.js';

export type IssueOutcome =
  | { readonly kind: 'post'; readonly action: string; readonly fields: { SAMLResponse: string; RelayState?: string } }
  | { readonly kind: 'denied'; readonly message: string; readonly reason: string };

const NO_AUTHN_CONTEXT = 'urn:oasis:names:tc:SAML:2.0:status:NoAuthnContext';

const ATTRNAME = {
  basic: 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic',
  uri: 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri',
  unspecified: 'urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified',
} as const;

export interface IssueInput {
  readonly ctx: ServerContext;
  readonly rt: SamlRuntime;
  readonly who: SignedIn;
  readonly app: SamlApplication;
  readonly pending: Omit<PendingRequest, 'exp'>;
  readonly ip: string;
  readonly requestId: string;
}

export const issueResponse = async ({
  ctx,
  rt,
  who,
  app,
  pending,
  ip,
  requestId,
}: IssueInput): Promise<IssueOutcome> => {
  const actor = { kind: 'user' as const, id: who.user.id, label: who.user.userName, ip, requestId };
  const target = { type: 'application', id: app.id, label: app.name };
  const flow = pending.requestId ? 'sp-initiated' : 'idp-initiated';
  const deny = async (reason: string, message: string): Promise<IssueOutcome> => {
    await ctx.store.audit.record({
      action: 'saml.sso',
      actor,
      outcome: 'failure',
      reason,
      target,
      details: { flow, entityId: app.entityId },
    });
    return { kind: 'denied', reason, message };
  };

  const [effectiveGroups, directGroups] = await Promise.all([
    ctx.store.directory.effectiveGroupsOfUser(who.user.id),
    ctx.store.directory.directGroupsOfUser(who.user.id),
  ]);
  if (!app.enabled) return deny('app_disabled', `${app.name} is switched off. Ask an administrator if you need it.`);
  if (!mayUse(app, effectiveGroups)) {
    return deny(
      'not_allowed',
      `Your account (${who.user.userName}) is not in a group that may use ${app.name}. Ask an administrator to add you to one of its groups.`,
    );
  }

  const now = ctx.now();
  const classRef = authnContextFor(who.session.authMethods);
  if (pending.authnContext && pending.requestId && !satisfiesRequested(pending.authnContext, classRef)) {
    // SAML core 3.3.2.2.1: the SP asked for a stronger sign-in than this session had; tell it so at its ACS.
    await ctx.store.audit.record({
      action: 'saml.sso',
      actor,
      outcome: 'failure',
      reason: 'no_authn_context',
      target,
      details: { flow, entityId: app.entityId, requested: pending.authnContext, actual: classRef },
    });
    const built = buildErrorResponse({
      issuer: rt.urls.entityId,
      destination: pending.acsUrl,
      inResponseTo: pending.requestId,
      now,
      status: {
        code: STATUS.responder,
        subCode: NO_AUTHN_CONTEXT,
        message: 'The sign-in does not meet the requested authentication context.',
      },
      signing: { credential: await rt.signingCredential() },
    });
    return {
      kind: 'post',
      action: pending.acsUrl,
      fields: { SAMLResponse: built.base64, ...(pending.relayState ? { RelayState: pending.relayState } : {}) },
    };
  }
  let content: Awaited<ReturnType<typeof resolveAssertionContent>>;
  try {
    const issued = pending.transient ? { ...app, nameIdFormat: 'transient' as const } : app;
    content = await resolveAssertionContent(
      { app: issued, user: who.user, effectiveGroups, directGroups, authMethods: who.session.authMethods, now },
      rt.types,
    );
  } catch (e) {
    if (isDomainError(e) && (e.code === 'forbidden' || e.code === 'invalid_input'))
      return deny(e.code === 'forbidden' ? 'provider_refused' : 'attribute_invalid', e.message);
    throw e;
  }

  const sessionIndex = samlSessionIndex(who) ?? `_${randomBytes(20).toString('hex')}`;
  const credential = await rt.signingCredential();
  const attributes: SamlAttribute[] = content.attributes.map((a) => ({
    name: a.name,
    nameFormat: ATTRNAME[a.nameFormat],
    values: a.values,
    ...(a.friendlyName ? { friendlyName: a.friendlyName } : {}),
  }));
  const built = await buildResponse({
    issuer: rt.urls.entityId,
    destination: pending.acsUrl,
    audience: app.entityId,
    ...(pending.requestId ? { inResponseTo: pending.requestId } : {}),
    nameId: { value: content.nameId, format: NAMEID_FORMAT[content.nameIdFormat] },
    sessionIndex,
    authnInstant: new Date(who.session.createdAt),
    authnContextClassRef: classRef,
    sessionNotOnOrAfter: new Date(now.getTime() + app.sessionDurationSeconds * 1000),
    attributes,
    now,
    skewSeconds: ctx.config.samlClockSkewSeconds,
    signing: { credential, signResponse: app.signResponse, signAssertion: app.signAssertion },
    ...(app.encryptionCertificate ? { encryption: { certificate: app.encryptionCertificate } } : {}),
  });

  await recordSpSession(
    ctx,
    who,
    { appId: app.id, nameId: content.nameId, nameIdFormat: content.nameIdFormat },
    sessionIndex,
  );
  await ctx.store.audit.record({
    action: 'saml.sso',
    actor,
    outcome: 'success',
    target,
    details: {
      flow,
      entityId: app.entityId,
      acs: pending.acsUrl,
      responseId: built.responseId,
      assertionId: built.assertionId,
      ...(pending.requestId ? { inResponseTo: pending.requestId } : {}),
      nameIdFormat: content.nameIdFormat,
      attributes: content.attributes.map((a) => a.name),
    },
  });
  return {
    kind: 'post',
    action: pending.acsUrl,
    fields: { SAMLResponse: built.base64, ...(pending.relayState ? { RelayState: pending.relayState } : {}) },
  };
};
