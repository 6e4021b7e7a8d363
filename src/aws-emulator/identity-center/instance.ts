import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { buildIdpMetadata, createSelfSignedCertificate } from '../../saml/index.js';
import type { StateStore } from '../world-contract.js';
import { randomAlnum, randomHex } from './ids.js';
import { IdentityStore } from './store.js';
import { ScimTokenRegistry } from './scim/tokens.js';
import { TokenBucket, type RateLimitConfig } from './scim/rate-limit.js';

/**
 * One Identity Center instance per emulated organisation, owned by its management account
 * ([model] sso-admin InstanceMetadata; ARN `arn:aws:sso:::instance/ssoins-<16>`, identity store `d-<10 hex>`).
 */
export interface InstanceIds {
  readonly instanceArn: string;
  readonly instanceId: string;
  readonly identityStoreId: string;
  readonly scimTenantId: string;
}

export function newInstanceIds(): InstanceIds {
  const instanceId = `ssoins-${randomHex(16)}`;
  return {
    instanceId,
    instanceArn: `arn:aws:sso:::instance/${instanceId}`,
    identityStoreId: `d-${randomHex(10)}`,
    scimTenantId: `${randomAlnum(11)}-${randomUUID()}`,
  };
}

const INSTANCE = 'idc-instance';

export interface PersistedInstance {
  readonly ids: InstanceIds;
  readonly createdAt: number;
  /** Path part of the SAML ACS URL, stable so the IdP's registration survives restarts. */
  readonly acsId: string;
}

/** The instance's identifiers, created once and then read back from the state store on every start. */
export function loadOrCreateInstance(state: StateStore, now: () => number): PersistedInstance {
  const existing = state.get<PersistedInstance>(INSTANCE, 'instance');
  if (existing) return existing;
  const created: PersistedInstance = { ids: newInstanceIds(), createdAt: now(), acsId: randomUUID() };
  state.put(INSTANCE, 'instance', created);
  return created;
}

export function loadIdpMetadata(state: StateStore): string | undefined {
  return state.get<string>(INSTANCE, 'idp-metadata');
}

export function saveIdpMetadata(state: StateStore, xml: string): void {
  state.put(INSTANCE, 'idp-metadata', xml);
}

/**
 * The metadata of Identity Center as the IdP of each member account, which AWS registers there as the
 * `AWSSSO_<hex>_DO_NOT_DELETE` SAML provider (IAM Identity Center User Guide, "Using service-linked roles for IAM
 * Identity Center"). Made once per instance, on first provisioning, and
 * kept. The private key is dropped: the emulated portal opens the console by issuing the role session
 * directly, so nothing is ever signed with it.
 */
export function loadOrCreateAccountIdpMetadata(state: StateStore, inst: IdcInstance, now: () => number): string {
  const existing = state.get<string>(INSTANCE, 'account-idp-metadata');
  if (existing !== undefined) return existing;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const notBefore = new Date(now());
  const entityId = `https://portal.sso.${inst.region}.amazonaws.com/saml/assertion/${Buffer.from(`${inst.ownerAccountId}_${inst.ids.instanceId}`).toString('base64url')}`;
  const xml = buildIdpMetadata({
    entityId,
    ssoUrls: [
      {
        binding: 'post',
        location: `https://portal.sso.${inst.region}.amazonaws.com/saml/logon/${inst.ids.instanceId}`,
      },
    ],
    signingCerts: [createSelfSignedCertificate({ privateKey, commonName: 'AWS SSO', notBefore })],
    validUntil: new Date(notBefore.getTime() + 10 * 365 * 86_400_000),
  });
  state.put(INSTANCE, 'account-idp-metadata', xml);
  return xml;
}

export class IdcInstance {
  readonly store: IdentityStore;
  readonly scimTokens: ScimTokenRegistry;
  readonly scimBucket: TokenBucket;

  constructor(
    readonly ids: InstanceIds,
    readonly ownerAccountId: string,
    readonly region: string,
    readonly name: string,
    rateLimit: RateLimitConfig,
    now: () => number,
    state: StateStore,
    readonly createdAt: number = now(),
  ) {
    this.store = new IdentityStore(ids.identityStoreId, now, state);
    this.scimTokens = new ScimTokenRegistry(now, state);
    this.scimBucket = new TokenBucket(rateLimit, now);
  }

  get instanceArn(): string {
    return this.ids.instanceArn;
  }
  get identityStoreId(): string {
    return this.ids.identityStoreId;
  }
  /**
   * The access portal URL; an `awsapps.com` name so AWS CLI ≥2.36 does not try to resolve it (AWS CLI User Guide,
   * "Configuring IAM Identity Center authentication with the AWS CLI").
   */
  get startUrl(): string {
    return `https://${this.ids.identityStoreId}.awsapps.com/start`;
  }
  scimEndpoint(baseUrl: string): string {
    return `${baseUrl.replace(/\/$/, '')}/${this.ids.scimTenantId}/scim/v2`;
  }
}
