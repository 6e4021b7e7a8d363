/**
 * The OIDC provider as Keyway runs it: clients are OIDC applications (plus the built-in `keyway-cli` public client
 * for `keyway aws login --device`), keys are the published signing keys (current one signs), claims come from the
 * directory through each application's claim mappings, and a browser's provider session holds only while its
 * Keyway sign-in does. The provider object is rebuilt when the published key set changes (checked every 30 s,
 * so a rotation made on another node is picked up), since the library takes its keys at construction.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { AdapterPayload, JWK } from 'oidc-provider';
import {
  ACR,
  createOidcApplicationService,
  evaluateSource,
  oidcMayUse,
  oidcClaimsFor,
  publishedKeys,
  type OidcApplication,
  type OidcApplicationService,
} from '../../core/index.js';
import { seal, sha256Hex, unseal } from '../../auth/index.js';
import { createOidcProvider, type Provider } from '../../oidc/index.js';
import { createOidcApplicationStore, createOidcPayloadStore } from '../../store/index.js';
import { deriveKey } from '../config.js';
import type { ServerContext } from '../deps.js';
import { layout, raw } from '../html.js';
import { createSamlRuntime } from '../saml/runtime.js';
import { sessionCookieName } from '../session.js';
import { checkStrength } from '../strength.js';

export const CLI_CLIENT_ID = 'keyway-cli';
const KEY_RECHECK_MS = 30_000;

export interface OidcRuntime {
  readonly issuer: string;
  readonly apps: OidcApplicationService;
  provider(): Promise<Provider>;
  /** The application behind a client id (null for the built-in CLI client and for unknown ids). */
  appOf(clientId: string): Promise<OidcApplication | null>;
}

const cliClient: AdapterPayload = {
  client_id: CLI_CLIENT_ID,
  client_name: 'Keyway command line',
  token_endpoint_auth_method: 'none',
  application_type: 'native',
  grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
  response_types: [],
  redirect_uris: [],
};

const clientMetadata = (app: OidcApplication, secret: string | null): AdapterPayload => ({
  client_id: app.clientId,
  client_name: app.name,
  ...(secret === null ? { token_endpoint_auth_method: 'none' } : { client_secret: secret }),
  application_type: app.clientType === 'public' ? 'native' : 'web',
  grant_types: [...app.grantTypes],
  response_types: app.grantTypes.includes('authorization_code') ? ['code'] : [],
  redirect_uris: [...app.redirectUris],
  post_logout_redirect_uris: [...app.postLogoutRedirectUris],
  ...(app.backchannelLogoutUri
    ? { backchannel_logout_uri: app.backchannelLogoutUri, backchannel_logout_session_required: true }
    : {}),
  scope: 'openid offline_access profile email groups',
});

export const createOidcRuntime = (ctx: ServerContext, logger: Pick<FastifyBaseLogger, 'warn'>): OidcRuntime => {
  const issuer = `${ctx.config.baseUrl}/oidc`;
  const saml = createSamlRuntime(ctx);
  const secretKey = deriveKey(ctx.config, 'oidc-client-secrets');
  const apps = createOidcApplicationService({
    store: createOidcApplicationStore(ctx.store.db, ctx.now),
    directory: ctx.store.directory,
    sealer: {
      seal: (clientId, secret) => seal(secretKey, secret, `oidc-client:${clientId}`),
      open: (clientId, sealed) => {
        const s = unseal(secretKey, sealed, `oidc-client:${clientId}`);
        if (s === null)
          throw new Error(`the secret of OIDC client ${clientId} does not unseal; was KEYWAY_MASTER_KEY changed?`);
        return s;
      },
    },
    now: ctx.now,
  });
  const appOf = async (clientId: string) => (clientId === CLI_CLIENT_ID ? null : apps.findByClientId(clientId));
  const payloads = createOidcPayloadStore(ctx.store.db, ctx.now);

  const signingKeys = async (): Promise<JWK[]> => {
    const firstStart = { kind: 'system', id: 'oidc-first-start', label: 'first start' } as const;
    let keys = publishedKeys(await saml.keys.list());
    if (keys.length === 0) keys = [await saml.keys.ensureCurrent(firstStart)];
    return keys.map((k) => ({
      ...(saml.vault.privateKey(k).export({ format: 'jwk' }) as JWK),
      kid: k.id,
      alg: 'RS256',
      use: 'sig',
    }));
  };

  const build = (keys: JWK[]): Provider => {
    const provider = createOidcProvider({
      issuer,
      payloads,
      async findClient(clientId) {
        if (clientId === CLI_CLIENT_ID) return { ...cliClient };
        const app = await apps.findByClientId(clientId);
        if (!app?.enabled) return undefined;
        return clientMetadata(app, app.sealedSecret === null ? null : apps.openSecret(app));
      },
      async accountClaims(accountId, clientId) {
        const user = await ctx.store.directory.getUser(accountId).catch(() => null);
        if (user?.status !== 'active') return null;
        if (clientId === undefined || clientId === CLI_CLIENT_ID) return { preferred_username: user.userName };
        const app = await apps.findByClientId(clientId);
        if (!app?.enabled) return null;
        const [effectiveGroups, directGroups] = await Promise.all([
          ctx.store.directory.effectiveGroupsOfUser(user.id),
          ctx.store.directory.directGroupsOfUser(user.id),
        ]);
        if (!oidcMayUse(app, effectiveGroups)) return null;
        const source = { user, effectiveGroups, directGroups, app: { persistentIdSecret: '' } };
        return oidcClaimsFor(app, (s) => evaluateSource(s, source));
      },
      async browserSignInHolds(cookie, accountId, clientId) {
        const id = cookie(sessionCookieName(ctx.config));
        if (!id || !/^[A-Za-z0-9_-]{43}$/.test(id)) return false;
        const session = await ctx.store.sessions.get(sha256Hex(id));
        if (!session || session.userId !== accountId || Date.parse(session.expiresAt) <= ctx.now().getTime())
          return false;
        if (clientId === CLI_CLIENT_ID) return true;
        const app = await apps.findByClientId(clientId);
        if (!app) return false;
        const groups = await ctx.store.directory.effectiveGroupsOfUser(accountId);
        return (await checkStrength(ctx, app.id, groups, session.authMethods)).ok;
      },
      signingKeys: keys,
      cookieKeys: [deriveKey(ctx.config, 'oidc-cookies').toString('base64url')],
      secureCookies: ctx.config.secureCookies,
      acrValues: Object.values(ACR),
      page: (title, body) => layout({ title, body: raw(body) }),
      async onLogout(cookie) {
        const id = cookie(sessionCookieName(ctx.config));
        if (id && /^[A-Za-z0-9_-]{43}$/.test(id)) await ctx.store.sessions.delete(sha256Hex(id));
      },
      onBackchannelError: (clientId, error) =>
        logger.warn({ clientId, err: error.cause ?? error }, 'back-channel logout not delivered'),
      allowPrivateNetworkFetch: ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(ctx.config.baseUrl).hostname),
      now: ctx.now,
    });
    provider.proxy = ctx.config.trustProxy;
    return provider;
  };

  let current: { provider: Provider; kids: string; checkedAt: number } | undefined;
  let building: Promise<Provider> | undefined;
  const provider = async (): Promise<Provider> => {
    const at = ctx.now().getTime();
    if (current && at - current.checkedAt < KEY_RECHECK_MS) return current.provider;
    building ??= (async () => {
      try {
        const keys = await signingKeys();
        const kids = keys.map((k) => k.kid).join(',');
        if (!current || current.kids !== kids) current = { provider: build(keys), kids, checkedAt: at };
        else current = { ...current, checkedAt: at };
        return current.provider;
      } finally {
        building = undefined;
      }
    })();
    return building;
  };

  return { issuer, apps, provider, appOf };
};
