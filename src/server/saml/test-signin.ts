/**
 * "Test sign-in" for administrators: runs the sign-in decision for a chosen user without signing them in and
 * shows the assertion Keyway would send (signed, exactly as the SP would get it) or every reason it would not.
 * Nothing is sent to the SP and no session is touched; the test itself is audited.
 */
import {
  explainSignIn,
  type Actor,
  type SamlApplication,
  type SignInExplanation,
  type User,
} from '../../core/index.js';
import { buildResponse, NAMEID_FORMAT } from '../../saml/index.js';
import type { Store } from '../../store/index.js';
import type { ServerConfig } from '../config.js';
import type { SamlRuntime } from './runtime.js';
import { authnContextFor } from './sso/authn-context.js';

const ATTRNAME = {
  basic: 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic',
  uri: 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri',
  unspecified: 'urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified',
} as const;

export interface TestSignInResult extends SignInExplanation {
  readonly user: string;
  readonly app: string;
  readonly acsUrl: string | null;
  /** The signed Response the SP would receive (encrypted assertions are shown before encryption). */
  readonly responseXml: string | null;
}

export const testSignIn = async (
  deps: { readonly store: Store; readonly config: ServerConfig; readonly now: () => Date },
  rt: SamlRuntime,
  actor: Actor,
  app: SamlApplication,
  user: User,
  authMethods: readonly string[] = ['pwd'],
): Promise<TestSignInResult> => {
  const [effectiveGroups, directGroups] = await Promise.all([
    deps.store.directory.effectiveGroupsOfUser(user.id),
    deps.store.directory.directGroupsOfUser(user.id),
  ]);
  const now = deps.now();
  const explanation = await explainSignIn({ app, user, effectiveGroups, directGroups, authMethods, now }, rt.types);
  const acs = app.acs.find((a) => a.isDefault) ?? app.acs[0];
  let responseXml: string | null = null;
  if (explanation.allowed && explanation.content && acs) {
    const { content } = explanation;
    responseXml = (
      await buildResponse({
        issuer: rt.urls.entityId,
        destination: acs.url,
        audience: app.entityId,
        nameId: { value: content.nameId, format: NAMEID_FORMAT[content.nameIdFormat] },
        sessionIndex: '_test-sign-in',
        authnInstant: now,
        authnContextClassRef: authnContextFor(authMethods),
        sessionNotOnOrAfter: new Date(now.getTime() + app.sessionDurationSeconds * 1000),
        now,
        skewSeconds: deps.config.samlClockSkewSeconds,
        attributes: content.attributes.map((a) => ({
          name: a.name,
          nameFormat: ATTRNAME[a.nameFormat],
          values: a.values,
          ...(a.friendlyName ? { friendlyName: a.friendlyName } : {}),
        })),
        signing: {
          credential: await rt.signingCredential(),
          signResponse: app.signResponse,
          signAssertion: app.signAssertion,
        },
      })
    ).xml;
  }
  await deps.store.audit.record({
    action: 'application.test_signin',
    actor,
    outcome: 'success',
    target: { type: 'application', id: app.id, label: app.name },
    details: { user: user.userName, allowed: explanation.allowed, problems: explanation.problems },
  });
  return { ...explanation, user: user.userName, app: app.name, acsUrl: acs?.url ?? null, responseXml };
};
