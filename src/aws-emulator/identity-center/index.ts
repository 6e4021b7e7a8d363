import type { RestRouteRegistration, ServiceFactory, ServiceRegistration } from '../http/contract.js';
import { awsManagedPolicy } from '../iam/managed-policies.js';
import type { EmulatorServices } from '../world-contract.js';
import { createIdentityStoreRegistration } from './identitystore/operations.js';
import {
  IdcInstance,
  loadIdpMetadata,
  loadOrCreateAccountIdpMetadata,
  loadOrCreateInstance,
  saveIdpMetadata,
} from './instance.js';
import { DEFAULT_SCIM_RATE_LIMIT, TokenBucket, type RateLimitConfig } from './scim/rate-limit.js';
import { throttled } from './admin-throttle.js';
import { createScimHandler, SCIM_PATH } from './scim/handler.js';
import type { ScimTokenInfo } from './scim/tokens.js';
import { SsoAdminState } from './sso-admin/model.js';
import { createSsoAdminRegistration, DEFAULT_SSO_ADMIN_LIMITS, type SsoAdminLimits } from './sso-admin/operations.js';
import { Provisioner } from './sso-admin/provisioning.js';
import { createAdminRegistration } from './admin.js';
import { IdentityCenterSp, type IdpConfig } from './saml/sp.js';
import { AccessSessions } from './portal/sessions.js';
import { createPortalApiRoute } from './portal/portal-api.js';
import { createPortalWebRoute, spMetadataPath, START_PATH } from './portal/portal-web.js';
import { createOidcRoute } from './sso-oidc/oidc.js';

/**
 * The emulator's IAM Identity Center: one instance for the emulated organisation, owned by its management
 * account, with the SCIM endpoint, identitystore and sso-admin over one identity store.
 */
export interface IdentityCenterOptions {
  /** SCIM request rate per tenant; `{ ratePerSecond: 0 }` turns the limit off. */
  readonly scimRateLimit?: RateLimitConfig;
  /**
   * The collective rate of the admin APIs (sso-admin and identitystore); off unless given (AWS documents 20
   * requests per second).
   */
  readonly adminApiRateLimit?: RateLimitConfig;
  /** How long asynchronous assignment and provisioning requests stay IN_PROGRESS (default 200 ms). */
  readonly asyncDelayMs?: number;
  readonly ssoAdminLimits?: Partial<SsoAdminLimits>;
  readonly instanceName?: string;
  /** Metadata of the external SAML IdP (as the console's "Change identity source" takes it). */
  readonly idpMetadata?: string;
}

export interface IdentityCenter {
  readonly instance: IdcInstance;
  readonly registrations: readonly ServiceRegistration[];
  /** Creates a SCIM access token; the secret is returned only here. */
  createScimToken(): { readonly token: string; readonly info: ScimTokenInfo };
  listScimTokens(): ScimTokenInfo[];
  revokeScimToken(tokenId: string): boolean;
  /** `<emulator url>/<tenant>/scim/v2` */
  scimEndpoint(emulatorUrl: string): string;
  /** Configures the external IdP from its SAML metadata. */
  configureSamlIdp(metadataXml: string): IdpConfig;
  /** Identity Center's SAML SP entity ID, ACS URL and metadata URL, to register in the IdP. */
  readonly spEntityId: string;
  spAcsUrl(emulatorUrl: string): string;
  spMetadataUrl(emulatorUrl: string): string;
  /** The access portal page in the emulator (the `awsapps.com` start URL is only an identifier). */
  portalUrl(emulatorUrl: string): string;
  close(): void;
}

export function createIdentityCenter(services: EmulatorServices, options: IdentityCenterOptions = {}): IdentityCenter {
  const { accounts, now } = services;
  const persisted = loadOrCreateInstance(services.state, now);
  const instance = new IdcInstance(
    persisted.ids,
    accounts.managementAccountId,
    accounts.region,
    options.instanceName ?? 'Keyway emulator',
    options.scimRateLimit ?? DEFAULT_SCIM_RATE_LIMIT,
    now,
    services.state,
    persisted.createdAt,
  );
  const state = new SsoAdminState(services.state);
  const provisioner = new Provisioner(
    instance,
    state,
    services.iam,
    accounts,
    services.log,
    options.asyncDelayMs ?? 200,
    () => loadOrCreateAccountIdpMetadata(services.state, instance, now),
  );
  instance.store.onPrincipalDeleted((kind, id) => provisioner.removePrincipal(kind, id));
  const scim = createScimHandler({ findTenant: (t) => (t === instance.ids.scimTenantId ? instance : undefined), now });
  const sp = new IdentityCenterSp(
    `https://${accounts.region}.signin.aws.amazon.com/platform/saml/${instance.identityStoreId}`,
    `/platform/saml/acs/${persisted.acsId}`,
    instance.store,
    now,
    (xml) => saveIdpMetadata(services.state, xml),
  );
  const idpMetadata = options.idpMetadata ?? loadIdpMetadata(services.state);
  if (idpMetadata !== undefined) sp.configure(idpMetadata);
  const sessions = new AccessSessions(now);
  const web = {
    instance,
    state,
    sp,
    sessions,
    iam: services.iam,
    credentials: services.credentials,
    accounts,
    log: services.log,
  };
  const scimRoute: RestRouteRegistration = {
    kind: 'rest',
    name: 'identity-center-scim',
    matches: (req) => SCIM_PATH.test(req.path),
    handle: scim,
  };
  const registrations: ServiceRegistration[] = [
    scimRoute,
    ...throttled(new TokenBucket(options.adminApiRateLimit ?? { ratePerSecond: 0, burst: 0 }, now), [
      createIdentityStoreRegistration((id) => (id === instance.identityStoreId ? instance : undefined)),
      createSsoAdminRegistration({
        instance,
        state,
        provisioner,
        now,
        limits: { ...DEFAULT_SSO_ADMIN_LIMITS, ...options.ssoAdminLimits },
        isKnownManagedPolicy: (arn) => awsManagedPolicy(arn) !== undefined,
      }),
    ]),
    createAdminRegistration(instance, sp),
    createPortalWebRoute(web),
    createPortalApiRoute(web),
    createOidcRoute({ instance, sp, sessions, log: services.log, now }),
  ];
  const trim = (url: string): string => url.replace(/\/+$/, '');
  services.log.info('identity-center.ready', {
    instanceArn: instance.instanceArn,
    identityStoreId: instance.identityStoreId,
    startUrl: instance.startUrl,
    scimPath: `/${instance.ids.scimTenantId}/scim/v2`,
    spMetadataPath: spMetadataPath(instance),
    portalPath: START_PATH,
    idpConfigured: sp.idpConfig !== undefined,
  });
  return {
    instance,
    registrations,
    createScimToken: () => instance.scimTokens.create(),
    listScimTokens: () => instance.scimTokens.list(),
    revokeScimToken: (id) => instance.scimTokens.revoke(id),
    scimEndpoint: (url) => instance.scimEndpoint(url),
    configureSamlIdp: (xml) => sp.configure(xml),
    spEntityId: sp.entityId,
    spAcsUrl: (url) => `${trim(url)}${sp.acsPath}`,
    spMetadataUrl: (url) => `${trim(url)}${spMetadataPath(instance)}`,
    portalUrl: (url) => `${trim(url)}${START_PATH}`,
    close: () => provisioner.close(),
  };
}

/**
 * A ServiceFactory for `startEmulator({ registrations })`; `onCreate` hands the Identity Center object to the
 * caller (tests and the demo create SCIM tokens through it).
 */
export function identityCenterFactory(
  options: IdentityCenterOptions = {},
  onCreate?: (idc: IdentityCenter) => void,
): ServiceFactory {
  return (services) => {
    const idc = createIdentityCenter(services, options);
    onCreate?.(idc);
    return idc.registrations;
  };
}

export type { RateLimitConfig } from './scim/rate-limit.js';
export type { ScimTokenInfo } from './scim/tokens.js';
export type { SsoAdminLimits } from './sso-admin/operations.js';
