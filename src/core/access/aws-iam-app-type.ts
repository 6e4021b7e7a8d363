import { DomainError, isDomainError } from '../errors.js';
import type { ApplicationType, SamlApplication, SamlApplicationInput } from '../applications/types.js';
import type { AwsIamAppConfig } from './aws-iam-app.js';
import { AWS_AUDIENCE, AWS_SIGNIN_URL, defaultAwsIamAppConfig, parseAwsIamAppConfig } from './aws-iam-app.js';
import { buildAwsAssertionContent } from './aws-attributes.js';
import type { BoundRole } from './bindings.js';
import { roleValues } from './bindings.js';

export const AWS_IAM_APP_TYPE = 'aws-iam';

/**
 * Type settings. The audience and NameID format are the application's own entity ID and NameID fields, and the
 * ACS URL is where the browser posts; `signInUrl` (Recipient, Destination, SAML:aud) defaults to the ACS URL
 * and differs only in front of an emulator or proxy that stands in for AWS's sign-in endpoint.
 */
const SETTING_KEYS: ReadonlySet<string> = new Set([
  'signInUrl',
  'samlProviderName',
  'samlProviderNames',
  'sessionDuration',
  'roleSessionNameFrom',
  'sourceIdentityFrom',
  'principalTags',
]);

export function parseAwsIamAppSettings(settings: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  const c = parseAwsIamAppConfig(settings, defaultAwsIamAppConfig(), SETTING_KEYS);
  return {
    ...(settings.signInUrl !== undefined && settings.signInUrl !== null ? { signInUrl: c.signInUrl } : {}),
    samlProviderName: c.samlProviderName,
    samlProviderNames: c.samlProviderNames,
    sessionDuration: c.sessionDuration,
    roleSessionNameFrom: c.roleSessionNameFrom,
    sourceIdentityFrom: c.sourceIdentityFrom,
    principalTags: c.principalTags,
  };
}

/** The whole AWS view of one application: its fields plus its type settings. */
export function awsIamConfigOf(
  app: Pick<SamlApplication, 'type' | 'acs' | 'entityId' | 'nameIdFormat' | 'settings' | 'name'>,
): AwsIamAppConfig {
  if (app.type !== AWS_IAM_APP_TYPE)
    throw new DomainError('invalid_input', `application ${app.name} is not an AWS IAM application`);
  if (app.nameIdFormat === 'transient')
    throw new DomainError(
      'invalid_input',
      `application ${app.name}: AWS IAM apps send a persistent, emailAddress or unspecified NameID`,
    );
  const acs = (app.acs.find((a) => a.isDefault) ?? app.acs[0])?.url ?? AWS_SIGNIN_URL;
  const signInUrl = typeof app.settings.signInUrl === 'string' ? app.settings.signInUrl : acs;
  return parseAwsIamAppConfig({
    ...app.settings,
    signInUrl,
    acsUrl: acs,
    audience: app.entityId,
    nameIdFormat: app.nameIdFormat,
  });
}

/**
 * Role values per list of bound roles and provider naming. The store hands out the same frozen list until a
 * group, membership or binding changes (store/access-epoch.ts), so a frequent signer's values are built once,
 * and stay one frozen list that the later steps recognise as already built and checked.
 */
type RoleValue = { readonly value: string };
const rolesByList = new WeakMap<
  readonly BoundRole[],
  { readonly naming: string; readonly roles: readonly RoleValue[] }
>();
const roleValuesOf = (bound: readonly BoundRole[], config: AwsIamAppConfig): readonly RoleValue[] => {
  const naming = `${config.samlProviderName}\n${JSON.stringify(config.samlProviderNames)}`;
  const known = rolesByList.get(bound);
  if (known?.naming === naming) return known.roles;
  const roles = Object.freeze(roleValues(bound, config).map((value) => Object.freeze({ value })));
  // Only a frozen list is known not to change under the same identity.
  if (Object.isFrozen(bound)) rolesByList.set(bound, { naming, roles });
  return roles;
};

export interface AwsIamAppTypeDeps {
  /** The roles bound to these groups only: the sign-in path reads nothing more (docs/pattern-a.md). */
  boundRolesForGroups(groupIds: readonly string[]): Promise<readonly BoundRole[]>;
}

/**
 * The "AWS IAM" application type: AWS's entity ID and sign-in URL by default, and at sign-in the Role values
 * from the user's effective groups' bindings plus RoleSessionName, SessionDuration, SourceIdentity and
 * PrincipalTag attributes, each checked against AWS's rules.
 */
export function createAwsIamAppType(deps: AwsIamAppTypeDeps): ApplicationType {
  return {
    id: AWS_IAM_APP_TYPE,
    label: 'AWS IAM (SAML federation into IAM roles)',
    ownPortalTile: true,
    defaults: (): SamlApplicationInput => ({
      entityId: AWS_AUDIENCE,
      acs: [{ url: AWS_SIGNIN_URL, index: 0, isDefault: true }],
      nameIdFormat: 'persistent',
      nameIdSource: 'persistentId',
      signAssertion: true,
      signResponse: true,
      settings: parseAwsIamAppSettings({}),
    }),
    validateSettings: (settings) => {
      try {
        return parseAwsIamAppSettings(settings);
      } catch (e) {
        if (!isDomainError(e)) throw e;
        throw new DomainError(
          'invalid_input',
          e.message,
          e.problems.map((p) => ({ at: `settings.${p.at}`, message: p.message })),
        );
      }
    },
    attributeProviders: [
      {
        name: 'aws-iam-roles',
        provide: async (ctx) => {
          const config = awsIamConfigOf(ctx.app);
          const bound = await deps.boundRolesForGroups(ctx.effectiveGroups.map((g) => g.id));
          const roles = roleValuesOf(bound, config);
          try {
            return buildAwsAssertionContent(ctx.user, roles, config).attributes;
          } catch (e) {
            if (isDomainError(e) && e.code === 'invalid_input') {
              throw new DomainError(
                'forbidden',
                `AWS would refuse this sign-in: ${e.message}. Ask an administrator to fix the value or the ${ctx.app.name} settings.`,
                e.problems,
              );
            }
            throw e;
          }
        },
      },
    ],
  };
}
