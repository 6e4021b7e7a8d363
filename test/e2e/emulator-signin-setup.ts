/**
 * Shared set-up for the SAML federation tests of the emulator (STS AssumeRoleWithSAML and the sign-in
 * endpoint): an emulator on a loopback port, an independent fixture IdP, SAML providers and roles created through
 * the real AWS SDK IAM client, and fresh signed Responses on demand.
 */
import { CreateRoleCommand, CreateSAMLProviderCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  startEmulator,
  createMemoryLogger,
  type MemoryLogger,
  type RunningEmulator,
} from '../../src/aws-emulator/index.js';
import { signInServiceFactory } from '../../src/aws-emulator/signin/index.js';
import {
  fixtureMetadata,
  fixtureResponseXml,
  makeFixtureKey,
  toBase64,
  type FixtureKey,
  type FixtureResponseOptions,
} from '../../src/aws-emulator/saml-sp/fixture-idp.js';
import { sdkConfig } from './emulator-helpers.js';

export const IDP_ENTITY_ID = 'https://keyway.example.test/saml/idp';
export const PROVIDER_NAME = 'KeywayIdP';
export const ROLE_ATTR = 'https://aws.amazon.com/SAML/Attributes/Role';
export const SESSION_ATTR = 'https://aws.amazon.com/SAML/Attributes/RoleSessionName';
export const SIGNIN = 'https://signin.aws.amazon.com/saml';

export const providerArn = (account: string): string => `arn:aws:iam::${account}:saml-provider/${PROVIDER_NAME}`;
export const roleArn = (account: string, name: string): string => `arn:aws:iam::${account}:role/${name}`;
export const pair = (account: string, role: string): string => `${roleArn(account, role)},${providerArn(account)}`;

export function trustPolicy(
  account: string,
  extra: Record<string, unknown> = {},
  actions: readonly string[] = ['sts:AssumeRoleWithSAML'],
): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: providerArn(account) },
        Action: actions.length === 1 ? actions[0] : actions,
        Condition: { StringEquals: { 'SAML:aud': SIGNIN }, ...extra },
      },
    ],
  });
}

export interface FederationWorld {
  readonly emulator: RunningEmulator;
  readonly log: MemoryLogger;
  readonly idpKey: FixtureKey;
  readonly otherKey: FixtureKey;
  /** A fresh Response signed by the IdP, base64-encoded. */
  response(options?: Partial<FixtureResponseOptions>): string;
  close(): Promise<void>;
}

export interface RoleSetup {
  readonly account: string;
  readonly name: string;
  readonly trust?: string;
  readonly maxSessionDuration?: number;
}

/** Starts an emulator (demo world) with the IdP's provider in `accounts` and the given roles. */
export async function startFederationWorld(
  accounts: readonly string[],
  roles: readonly RoleSetup[],
): Promise<FederationWorld> {
  const log = createMemoryLogger();
  // Only the services under test (IAM, STS, Organizations and sign-in), so other services cannot disturb them.
  const emulator = await startEmulator({ logger: log, registrations: [signInServiceFactory] });
  const idpKey = makeFixtureKey('keyway-test-idp');
  const otherKey = makeFixtureKey('someone-else');
  const metadata = fixtureMetadata(IDP_ENTITY_ID, [idpKey]);
  try {
    for (const account of accounts) {
      const iam = new IAMClient(sdkConfig(emulator.url, emulator.rootCredentials(account)));
      await iam.send(new CreateSAMLProviderCommand({ Name: PROVIDER_NAME, SAMLMetadataDocument: metadata }));
      for (const role of roles.filter((r) => r.account === account)) {
        await iam.send(
          new CreateRoleCommand({
            RoleName: role.name,
            AssumeRolePolicyDocument: role.trust ?? trustPolicy(account),
            ...(role.maxSessionDuration !== undefined ? { MaxSessionDuration: role.maxSessionDuration } : {}),
          }),
        );
      }
      iam.destroy();
    }
  } catch (error) {
    await emulator.close();
    throw error;
  }
  return {
    emulator,
    log,
    idpKey,
    otherKey,
    response: (options = {}) =>
      toBase64(
        fixtureResponseXml(
          {
            issuer: IDP_ENTITY_ID,
            nameId: 'alice@example.com',
            audiences: ['urn:amazon:webservices'],
            attributes: [
              [ROLE_ATTR, [pair(accounts[0]!, roles[0]?.name ?? 'Admin')]],
              [SESSION_ATTR, ['alice']],
            ],
            ...options,
          },
          idpKey,
        ),
      ),
    close: () => emulator.close(),
  };
}
