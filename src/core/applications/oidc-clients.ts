/**
 * OpenID Connect clients are applications like SAML ones: an admin creates them, groups are given access, claims
 * are mapped from the same value sources (groups included), and the same strength policy applies. The client
 * secret (confidential clients) is sealed by a port before it reaches storage and is shown once at creation.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { AuditEventInput } from '../audit/types.js';
import type { DirectoryService } from '../directory/service.js';
import type { Page } from '../directory/types.js';
import { DomainError, type FieldProblem } from '../errors.js';
import type { Actor } from '../identity/actor.js';
import { checkSource } from './sources.js';
import type { ApplicationQuery, ValueSource } from './types.js';

export const OIDC_GRANT_TYPES = [
  'authorization_code',
  'refresh_token',
  'client_credentials',
  'urn:ietf:params:oauth:grant-type:device_code',
] as const;
export type OidcGrantType = (typeof OIDC_GRANT_TYPES)[number];

export interface OidcClaimMapping {
  /** Claim name in the ID token and userinfo, e.g. `groups` or `email`. */
  readonly name: string;
  readonly source: ValueSource;
  /** Only values starting with this prefix (for `groups…` sources). */
  readonly filterPrefix: string | null;
  /** Always a JSON array (true) or a single value when there is exactly one (false). */
  readonly multiValued: boolean;
}

export interface OidcApplication {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly enabled: boolean;
  readonly clientId: string;
  /** `public`: no secret, PKCE required (native and browser apps, RFC 8252 section 8.1); `confidential`: a secret. */
  readonly clientType: 'public' | 'confidential';
  /** Third-party clients ask the user's consent before their first sign-in; first-party ones do not. */
  readonly thirdParty: boolean;
  readonly redirectUris: readonly string[];
  readonly postLogoutRedirectUris: readonly string[];
  readonly grantTypes: readonly OidcGrantType[];
  /** OpenID Connect Back-Channel Logout 1.0: where logout tokens are posted when a user signs out. */
  readonly backchannelLogoutUri: string | null;
  readonly claims: readonly OidcClaimMapping[];
  /** Empty means nobody may sign in to the client (deny by default); effective (nested) membership counts. */
  readonly allowedGroupIds: readonly string[];
  /** Sealed client secret (confidential clients); opaque to the domain. */
  readonly sealedSecret: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
}

export interface OidcApplicationInput {
  readonly name?: string;
  readonly description?: string | null;
  readonly enabled?: boolean;
  readonly clientId?: string;
  readonly clientType?: 'public' | 'confidential';
  readonly thirdParty?: boolean;
  readonly redirectUris?: readonly string[];
  readonly postLogoutRedirectUris?: readonly string[];
  readonly grantTypes?: readonly string[];
  readonly backchannelLogoutUri?: string | null;
  readonly claims?: readonly { name: string; source: string; filterPrefix?: string | null; multiValued?: boolean }[];
  readonly allowedGroupIds?: readonly string[];
}

export interface OidcApplicationStore {
  list(query: ApplicationQuery): Promise<Page<OidcApplication>>;
  get(id: string): Promise<OidcApplication | null>;
  findByClientId(clientId: string): Promise<OidcApplication | null>;
  /** DomainError('conflict') when the client id is taken. */
  insert(app: OidcApplication, audit: AuditEventInput): Promise<void>;
  update(app: OidcApplication, expectedVersion: number, audit: AuditEventInput): Promise<void>;
  delete(id: string, audit: AuditEventInput): Promise<boolean>;
}

/** Seals and opens client secrets (AES-GCM under the master key, bound to the client id); outside the domain. */
export interface ClientSecretSealer {
  seal(clientId: string, secret: string): string;
  open(clientId: string, sealed: string): string;
}

export const DEFAULT_OIDC_CLAIMS: readonly OidcClaimMapping[] = [
  { name: 'preferred_username', source: 'user.userName', filterPrefix: null, multiValued: false },
  { name: 'name', source: 'user.displayName', filterPrefix: null, multiValued: false },
  { name: 'given_name', source: 'user.givenName', filterPrefix: null, multiValued: false },
  { name: 'family_name', source: 'user.familyName', filterPrefix: null, multiValued: false },
  { name: 'email', source: 'user.email', filterPrefix: null, multiValued: false },
  { name: 'groups', source: 'groups', filterPrefix: null, multiValued: true },
];

const CLIENT_ID = /^[A-Za-z0-9._~-]{3,128}$/;
/**
 * The claims a mapping may fill, by the scope that releases them (OpenID Connect Core 5.4, plus `groups` and
 * `roles` under the `groups` scope). `sub`, `acr`, `amr` and the token claims are the provider's own.
 */
export const OIDC_SCOPE_CLAIMS = {
  profile: ['preferred_username', 'name', 'given_name', 'family_name', 'nickname', 'locale', 'zoneinfo'],
  email: ['email', 'email_verified'],
  groups: ['groups', 'roles'],
} as const;
const KNOWN_CLAIMS = new Set<string>(Object.values(OIDC_SCOPE_CLAIMS).flat());

const redirectProblem = (uri: string, publicClient: boolean): string | null => {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return 'is not an absolute URL';
  }
  if (u.hash) return 'must not have a fragment (OAuth 2.0 RFC 6749 section 3.1.2)';
  if (u.protocol === 'https:') return null;
  const loopback = u.hostname === '127.0.0.1' || u.hostname === '[::1]' || u.hostname === 'localhost';
  if (u.protocol === 'http:' && loopback) return null;
  // Native apps may use a private-use scheme (RFC 8252 section 7.1).
  if (publicClient && /^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/.test(u.protocol)) return null;
  return 'must be https, or http on a loopback address';
};

export const validateOidcFields = (input: OidcApplicationInput) => {
  const problems: FieldProblem[] = [];
  const name = (input.name ?? '').trim();
  if (name.length < 1 || name.length > 200) problems.push({ at: 'name', message: 'is 1..200 characters' });
  const clientType = input.clientType ?? 'confidential';
  if (clientType !== 'public' && clientType !== 'confidential')
    problems.push({ at: 'clientType', message: 'is public or confidential' });
  const grantTypes = [...new Set(input.grantTypes ?? ['authorization_code', 'refresh_token'])];
  for (const g of grantTypes)
    if (!(OIDC_GRANT_TYPES as readonly string[]).includes(g))
      problems.push({ at: 'grantTypes', message: `unknown grant type ${g.slice(0, 80)}` });
  if (clientType === 'public' && grantTypes.includes('client_credentials'))
    problems.push({ at: 'grantTypes', message: 'client_credentials needs a confidential client' });
  const redirectUris = [...(input.redirectUris ?? [])];
  if (grantTypes.includes('authorization_code') && redirectUris.length === 0)
    problems.push({ at: 'redirectUris', message: 'the authorization_code grant needs at least one redirect URI' });
  redirectUris.forEach((u, i) => {
    const p = redirectProblem(u, clientType === 'public');
    if (p) problems.push({ at: `redirectUris[${i}]`, message: p });
  });
  const postLogoutRedirectUris = [...(input.postLogoutRedirectUris ?? [])];
  postLogoutRedirectUris.forEach((u, i) => {
    const p = redirectProblem(u, clientType === 'public');
    if (p) problems.push({ at: `postLogoutRedirectUris[${i}]`, message: p });
  });
  const backchannelLogoutUri = input.backchannelLogoutUri ?? null;
  if (backchannelLogoutUri !== null) {
    const p = redirectProblem(backchannelLogoutUri, false);
    if (p) problems.push({ at: 'backchannelLogoutUri', message: p });
  }
  const claims: OidcClaimMapping[] = (input.claims ?? DEFAULT_OIDC_CLAIMS).map((c, i) => {
    if (!KNOWN_CLAIMS.has(c.name))
      problems.push({ at: `claims[${i}].name`, message: `is one of ${[...KNOWN_CLAIMS].join(', ')}` });
    const p = checkSource(c.source);
    if (p || c.source === 'persistentId')
      problems.push({ at: `claims[${i}].source`, message: p ?? 'sub is already the persistent id' });
    return {
      name: c.name,
      source: c.source,
      filterPrefix: c.filterPrefix ?? null,
      multiValued: c.multiValued ?? false,
    };
  });
  if (new Set(claims.map((c) => c.name)).size !== claims.length)
    problems.push({ at: 'claims', message: 'each claim name appears once' });
  if (input.clientId !== undefined && !CLIENT_ID.test(input.clientId))
    problems.push({ at: 'clientId', message: 'is 3..128 of A-Z a-z 0-9 . _ ~ -' });
  if (problems.length) throw new DomainError('invalid_input', 'the OIDC application is not valid', problems);
  return {
    name,
    description: input.description ?? null,
    enabled: input.enabled ?? true,
    clientType,
    thirdParty: input.thirdParty ?? false,
    redirectUris,
    postLogoutRedirectUris,
    grantTypes: grantTypes as OidcGrantType[],
    backchannelLogoutUri,
    claims,
    allowedGroupIds: [...new Set(input.allowedGroupIds ?? [])],
  };
};

export interface OidcApplicationService {
  /** The new client and, for a confidential one, its secret in the clear (shown once). */
  create(actor: Actor, input: OidcApplicationInput): Promise<{ app: OidcApplication; clientSecret: string | null }>;
  get(id: string): Promise<OidcApplication>;
  findByClientId(clientId: string): Promise<OidcApplication | null>;
  list(query: ApplicationQuery): Promise<Page<OidcApplication>>;
  update(actor: Actor, id: string, patch: OidcApplicationInput, expectedVersion?: number): Promise<OidcApplication>;
  /** The client secret in the clear, for the provider's client authentication. */
  openSecret(app: OidcApplication): string;
  /** A new secret replaces the old one at once; returned in the clear once. */
  rotateSecret(actor: Actor, id: string): Promise<{ app: OidcApplication; clientSecret: string }>;
  delete(actor: Actor, id: string): Promise<void>;
}

const view = (a: OidcApplication) => {
  const { sealedSecret: _s, ...rest } = a;
  return rest;
};

export const createOidcApplicationService = (deps: {
  readonly store: OidcApplicationStore;
  readonly directory: DirectoryService;
  readonly sealer: ClientSecretSealer;
  readonly now?: () => Date;
}): OidcApplicationService => {
  const now = deps.now ?? (() => new Date());
  const checkGroups = async (ids: readonly string[]) => {
    const missing: FieldProblem[] = [];
    for (const id of ids) {
      const found = await deps.directory.getGroup(id).catch(() => null);
      if (!found) missing.push({ at: 'allowedGroupIds', message: `no group with id ${id}` });
    }
    if (missing.length) throw new DomainError('invalid_input', 'the OIDC application is not valid', missing);
  };
  const get = async (id: string) => {
    const app = await deps.store.get(id);
    if (!app) throw new DomainError('not_found', `no OIDC application with id ${id}`);
    return app;
  };
  const newSecret = () => randomBytes(32).toString('base64url');
  const target = (a: OidcApplication) => ({ type: 'application', id: a.id, label: a.name });
  return {
    async create(actor, input) {
      const fields = validateOidcFields(input);
      await checkGroups(fields.allowedGroupIds);
      const clientId = input.clientId ?? `kw-${randomBytes(12).toString('base64url')}`;
      const secret = fields.clientType === 'confidential' ? newSecret() : null;
      const at = now().toISOString();
      const app: OidcApplication = {
        id: randomUUID(),
        clientId,
        ...fields,
        sealedSecret: secret === null ? null : deps.sealer.seal(clientId, secret),
        createdAt: at,
        updatedAt: at,
        version: 1,
      };
      await deps.store.insert(app, {
        action: 'application.created',
        actor,
        outcome: 'success',
        target: target(app),
        after: view(app),
      });
      return { app, clientSecret: secret };
    },
    get,
    findByClientId: (clientId) => deps.store.findByClientId(clientId),
    list: (query) => deps.store.list(query),
    async update(actor, id, patch, expectedVersion) {
      const before = await get(id);
      if (expectedVersion !== undefined && expectedVersion !== before.version)
        throw new DomainError(
          'precondition_failed',
          `application ${id} is at version ${before.version}, not ${expectedVersion}`,
        );
      if (patch.clientId !== undefined && patch.clientId !== before.clientId)
        throw new DomainError('invalid_input', 'the OIDC application is not valid', [
          { at: 'clientId', message: 'cannot change; create a new application instead' },
        ]);
      if (patch.clientType !== undefined && patch.clientType !== before.clientType)
        throw new DomainError('invalid_input', 'the OIDC application is not valid', [
          { at: 'clientType', message: 'cannot change; create a new application instead' },
        ]);
      const merged = Object.fromEntries(
        Object.entries({ ...before, ...patch }).filter(([, v]) => v !== undefined),
      ) as OidcApplicationInput;
      const fields = validateOidcFields(merged);
      await checkGroups(fields.allowedGroupIds.filter((g) => !before.allowedGroupIds.includes(g)));
      const after: OidcApplication = {
        ...before,
        ...fields,
        updatedAt: now().toISOString(),
        version: before.version + 1,
      };
      await deps.store.update(after, before.version, {
        action: 'application.updated',
        actor,
        outcome: 'success',
        target: target(after),
        before: view(before),
        after: view(after),
      });
      return after;
    },
    openSecret(app) {
      if (app.sealedSecret === null) throw new DomainError('invalid_input', 'a public client has no secret');
      return deps.sealer.open(app.clientId, app.sealedSecret);
    },
    async rotateSecret(actor, id) {
      const before = await get(id);
      if (before.clientType !== 'confidential')
        throw new DomainError('invalid_input', 'a public client has no secret', [
          { at: 'clientType', message: 'is public' },
        ]);
      const secret = newSecret();
      const after: OidcApplication = {
        ...before,
        sealedSecret: deps.sealer.seal(before.clientId, secret),
        updatedAt: now().toISOString(),
        version: before.version + 1,
      };
      await deps.store.update(after, before.version, {
        action: 'application.secret_rotated',
        actor,
        outcome: 'success',
        target: target(after),
      });
      return { app: after, clientSecret: secret };
    },
    async delete(actor, id) {
      const before = await get(id);
      const deleted = await deps.store.delete(id, {
        action: 'application.deleted',
        actor,
        outcome: 'success',
        target: target(before),
        before: view(before),
      });
      if (!deleted) throw new DomainError('not_found', `no OIDC application with id ${id}`);
    },
  };
};

/** Deny by default: enabled, and the user is (through nesting) in one of the allowed groups. */
export const oidcMayUse = (app: OidcApplication, effectiveGroups: readonly { readonly id: string }[]): boolean =>
  app.enabled && effectiveGroups.some((g) => app.allowedGroupIds.includes(g.id));

/** The claims one user gets at one client: each mapping's values, filtered; empty ones left out. */
export const oidcClaimsFor = (
  app: OidcApplication,
  values: (source: ValueSource) => readonly string[],
): Record<string, string | string[]> => {
  const out: Record<string, string | string[]> = {};
  for (const c of app.claims) {
    const v = values(c.source).filter((x) => c.filterPrefix === null || x.startsWith(c.filterPrefix));
    if (v.length === 0) continue;
    out[c.name] = c.multiValued ? [...v] : (v[0] as string);
  }
  return out;
};
