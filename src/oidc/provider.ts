/**
 * The OpenID Connect provider: the certified `oidc-provider` library, configured for Keyway. Everything it
 * keeps goes through the payload port (database), clients are Keyway applications, keys are Keyway's signing
 * keys (the same rotation as SAML), and sign-in is Keyway's own (the login prompt sends the browser to Keyway's
 * sign-in through the interaction URL). This file only configures; decisions are the ports' (server).
 */
import Provider, {
  errors,
  interactionPolicy,
  type Configuration,
  type JWK,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import { adapterFactory, type FindClient, type OidcPayloadPort } from './adapter.js';
import {
  deviceConfirmBody,
  deviceInputBody,
  deviceSuccessBody,
  errorBody,
  loggedOutBody,
  logoutConfirmBody,
  setPage,
  type PageFrame,
} from './pages.js';

export interface OidcProviderPorts {
  /** `<base URL>/oidc`. */
  readonly issuer: string;
  readonly payloads: OidcPayloadPort;
  readonly findClient: FindClient;
  /**
   * Claims of an account for a client (`sub` added by the caller of this port is not needed); null when the
   * account may no longer use the client (suspended, deleted, no longer in an allowed group, client disabled).
   */
  accountClaims(accountId: string, clientId: string | undefined): Promise<Record<string, unknown> | null>;
  /**
   * True when the browser still holds a Keyway sign-in of this account that is strong enough for the client;
   * otherwise the login prompt runs again (a Keyway sign-out also ends the provider's sessions this way).
   */
  browserSignInHolds(
    cookie: (name: string) => string | undefined,
    accountId: string,
    clientId: string,
  ): Promise<boolean>;
  /** Private JWKs with `kid`; the first one signs. */
  readonly signingKeys: readonly JWK[];
  /** Keys for the provider's signed cookies, newest first. */
  readonly cookieKeys: readonly string[];
  readonly secureCookies: boolean;
  readonly acrValues: readonly string[];
  readonly page: PageFrame;
  /** Called after an RP-initiated logout ended the provider's session, to end Keyway's own session too. */
  onLogout(cookie: (name: string) => string | undefined): Promise<void>;
  /** A back-channel logout could not be delivered (logged; the logout itself still happens). */
  onBackchannelError(clientId: string, error: Error): void;
  /**
   * Whether outgoing requests (back-channel logout) may reach loopback and private addresses. The library
   * refuses them by default (SSRF protection); a Keyway on a loopback base URL (development, tests) talks to
   * relying parties on the same machine.
   */
  readonly allowPrivateNetworkFetch: boolean;
  readonly now: () => Date;
}

export const OIDC_SCOPES = ['openid', 'offline_access', 'profile', 'email', 'groups'] as const;

export const TTL = {
  AccessToken: 3600,
  AuthorizationCode: 60,
  ClientCredentials: 600,
  DeviceCode: 600,
  Grant: 14 * 86_400,
  IdToken: 3600,
  Interaction: 600,
  RefreshToken: 14 * 86_400,
  Session: 14 * 86_400,
} as const;

const loginPolicy = (ports: OidcProviderPorts) => {
  const policy = interactionPolicy.base();
  const login = policy.get('login');
  login?.checks.add(
    new interactionPolicy.Check(
      'keyway_sign_in',
      'the Keyway sign-in of this browser has ended or is not strong enough for this client',
      async (ctx) => {
        const accountId = ctx.oidc.session?.accountId;
        const clientId = ctx.oidc.client?.clientId;
        if (!accountId || !clientId) return interactionPolicy.Check.REQUEST_PROMPT;
        const held = await ports.browserSignInHolds((n) => ctx.cookies.get(n) ?? undefined, accountId, clientId);
        return held ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT;
      },
    ),
  );
  return policy;
};

const clientName = (ctx: KoaContextWithOIDC): string =>
  ctx.oidc.client?.clientName ?? ctx.oidc.client?.clientId ?? 'the application';

export const createOidcProvider = (ports: OidcProviderPorts): Provider => {
  const configuration: Configuration = {
    adapter: adapterFactory(ports.payloads, ports.findClient, ports.now),
    clients: [],
    jwks: { keys: [...ports.signingKeys] },
    cookies: {
      keys: [...ports.cookieKeys],
      long: { signed: true, secure: ports.secureCookies, sameSite: 'lax' },
      short: { signed: true, secure: ports.secureCookies, sameSite: 'lax' },
    },
    scopes: [...OIDC_SCOPES],
    // acr, amr and auth_time say how the user signed in (OpenID Connect Core 2; RFC 8176): always released.
    claims: {
      openid: ['sub', 'acr', 'amr', 'auth_time'],
      profile: ['preferred_username', 'name', 'given_name', 'family_name', 'nickname', 'locale', 'zoneinfo'],
      email: ['email', 'email_verified'],
      groups: ['groups', 'roles'],
    },
    acrValues: [...ports.acrValues],
    ttl: { ...TTL },
    // A public client (no secret) must use PKCE, and only S256 (RFC 7636 section 4.2; RFC 9700 section 2.1.1).
    pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
    // Every rotation makes the old refresh token single-use; presenting it again revokes the grant (RFC 9700 4.14.2).
    rotateRefreshToken: true,
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') &&
      (code.scopes.has('offline_access') || client.clientAuthMethod !== 'none'),
    interactions: {
      url: (_ctx, interaction) => `/oidc/interaction/${interaction.uid}`,
      policy: loginPolicy(ports),
    },
    async findAccount(ctx, sub) {
      const claims = await ports.accountClaims(sub, ctx.oidc.client?.clientId);
      if (!claims) return undefined;
      return { accountId: sub, claims: async () => ({ ...claims, sub }) };
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // A client may introspect or revoke only the tokens issued to it.
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      backchannelLogout: { enabled: true },
      deviceFlow: {
        enabled: true,
        charset: 'base-20',
        mask: '****-****',
        async userCodeInputSource(ctx, form, _out, err) {
          setPage(ctx, ports.page, 'Connect a device', deviceInputBody(form, err));
        },
        async userCodeConfirmSource(ctx, form, client, _info, userCode) {
          setPage(
            ctx,
            ports.page,
            'Allow this device?',
            deviceConfirmBody(form, client.clientName ?? client.clientId, userCode),
          );
        },
        async successSource(ctx) {
          setPage(ctx, ports.page, 'Device connected', deviceSuccessBody(clientName(ctx)));
        },
      },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          setPage(ctx, ports.page, 'Sign out', logoutConfirmBody(form, ctx.host));
        },
        async postLogoutSuccessSource(ctx) {
          setPage(ctx, ports.page, 'Signed out', loggedOutBody(ctx.oidc.client?.clientName ?? undefined));
        },
      },
    },
    ...(ports.allowPrivateNetworkFetch
      ? {
          fetch: (url: string | URL | Request, options?: RequestInit) => {
            const { dispatcher: _ssrfGuard, ...rest } = (options ?? {}) as RequestInit & { dispatcher?: unknown };
            return fetch(url, rest);
          },
        }
      : {}),
    async renderError(ctx, out) {
      setPage(ctx, ports.page, 'Sign-in request refused', errorBody(out));
    },
  };
  const provider = new Provider(ports.issuer, configuration);
  provider.on('end_session.success', (ctx: KoaContextWithOIDC) => {
    ports.onLogout((n) => ctx.cookies.get(n) ?? undefined).catch(() => undefined);
  });
  provider.on('backchannel.error', (_ctx: KoaContextWithOIDC, err: Error, client: { clientId: string }) => {
    ports.onBackchannelError(client.clientId, err);
  });
  return provider;
};

export { errors as oidcErrors };
export type { Provider };
