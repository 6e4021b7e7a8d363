import { createHash, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import type { EmulatorRequest, EmulatorResponse, RestRouteRegistration } from '../../http/contract.js';
import type { EmulatorLogger } from '../../world-contract.js';
import { newRequestId } from '../ids.js';
import type { IdcInstance } from '../instance.js';
import type { IdentityCenterSp } from '../saml/sp.js';
import { requireBrowserSession } from '../portal/portal-web.js';
import type { AccessSessions, BrowserSession } from '../portal/sessions.js';
import { baseUrl, esc, form, page, redirect } from '../portal/web.js';

/**
 * The sso-oidc API ([model] botocore sso-oidc 2019-06-10, rest-json, noAuth) as `aws sso login` uses it
 * (AWS CLI User Guide, "Configuring IAM Identity Center authentication with the AWS CLI"): RegisterClient,
 * StartDeviceAuthorization, CreateToken with the device-code,
 * authorization-code + PKCE and refresh-token grants, plus the browser pages `/device` (approve a user code)
 * and `/authorize` (consent, then redirect with a code), both behind the portal's SAML sign-in.
 */
type OidcErrorCode =
  | 'AuthorizationPendingException'
  | 'SlowDownException'
  | 'ExpiredTokenException'
  | 'AccessDeniedException'
  | 'InvalidGrantException'
  | 'InvalidClientException'
  | 'InvalidRequestException'
  | 'InvalidScopeException'
  | 'UnauthorizedClientException'
  | 'UnsupportedGrantTypeException'
  | 'InvalidClientMetadataException'
  | 'InvalidRedirectUriException';

const OAUTH_ERROR: Record<OidcErrorCode, string> = {
  AuthorizationPendingException: 'authorization_pending',
  SlowDownException: 'slow_down',
  ExpiredTokenException: 'expired_token',
  AccessDeniedException: 'access_denied',
  InvalidGrantException: 'invalid_grant',
  InvalidClientException: 'invalid_client',
  InvalidRequestException: 'invalid_request',
  InvalidScopeException: 'invalid_scope',
  UnauthorizedClientException: 'unauthorized_client',
  UnsupportedGrantTypeException: 'unsupported_grant_type',
  InvalidClientMetadataException: 'invalid_client_metadata',
  InvalidRedirectUriException: 'invalid_redirect_uri',
};

class OidcError extends Error {
  constructor(
    readonly code: OidcErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
export const CLIENT_LIFETIME_SECONDS = 90 * 24 * 3600;
export const DEVICE_CODE_SECONDS = 600;
const AUTH_CODE_MS = 5 * 60_000;
const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
const POLL_INTERVAL_SECONDS = 1;

interface Client {
  readonly clientId: string;
  readonly secretDigest: Buffer;
  readonly name: string;
  readonly scopes: readonly string[];
  readonly redirectUris: readonly string[];
  readonly grantTypes: readonly string[];
  readonly expiresAt: number;
}

interface DeviceGrant {
  readonly deviceCode: string;
  readonly userCode: string;
  readonly clientId: string;
  readonly expiresAt: number;
  status: 'pending' | 'approved' | 'denied' | 'used';
  userId?: string;
  lastPolledAt?: number;
  polls: number;
}

interface AuthCode {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly challenge: string;
  readonly userId: string;
  readonly expiresAt: number;
  used: boolean;
}

interface RefreshGrant {
  readonly clientId: string;
  readonly userId: string;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
const SWEEP_AT = 10_000;

/** Drops expired entries once a table is large, so memory follows what is still usable. */
function sweep<T>(m: Map<string, T>, expired: (v: T) => boolean): void {
  if (m.size < SWEEP_AT) return;
  for (const [k, v] of m) if (expired(v)) m.delete(k);
}
const secret = (): string => randomBytes(32).toString('base64url');

function userCode(): string {
  let s = '';
  for (let i = 0; i < 8; i++) s += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return `${s.slice(0, 4)}-${s.slice(4)}`;
}

/** RFC 8252 §7.3: a loopback redirect URI matches whatever port the client picked. */
function redirectMatches(registered: readonly string[], uri: string): boolean {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return false;
  }
  return registered.some((r) => {
    let g: URL;
    try {
      g = new URL(r);
    } catch {
      return false;
    }
    const loopback = g.hostname === '127.0.0.1' || g.hostname === '[::1]' || g.hostname === 'localhost';
    return (
      g.protocol === u.protocol &&
      g.hostname === u.hostname &&
      g.pathname === u.pathname &&
      (loopback || g.port === u.port) &&
      u.search === '' &&
      u.hash === ''
    );
  });
}

export interface OidcDeps {
  readonly instance: IdcInstance;
  readonly sp: IdentityCenterSp;
  readonly sessions: AccessSessions;
  readonly log: EmulatorLogger;
  readonly now: () => number;
}

export function createOidcRoute(deps: OidcDeps): RestRouteRegistration {
  const clients = new Map<string, Client>();
  const devices = new Map<string, DeviceGrant>();
  const deviceByUserCode = new Map<string, string>();
  const codes = new Map<string, AuthCode>();
  const refreshTokens = new Map<string, RefreshGrant>();

  function body(req: EmulatorRequest): Record<string, unknown> {
    if (req.body.length > 64 * 1024) throw new OidcError('InvalidRequestException', 'The request body is too large.');
    let parsed: unknown;
    try {
      parsed = JSON.parse(req.body.toString('utf8') || '{}', (k, v: unknown) => (k === '__proto__' ? undefined : v));
    } catch {
      throw new OidcError('InvalidRequestException', 'The request body is not valid JSON.');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new OidcError('InvalidRequestException', 'The request body must be a JSON object.');
    return Object.assign(Object.create(null) as Record<string, unknown>, parsed);
  }
  const str = (b: Record<string, unknown>, k: string, required = true): string | undefined => {
    const v = b[k];
    if (v === undefined || v === null) {
      if (required) throw new OidcError('InvalidRequestException', `${k} is required.`);
      return undefined;
    }
    if (typeof v !== 'string' || v.length > 4096)
      throw new OidcError('InvalidRequestException', `${k} must be a string.`);
    return v;
  };
  const list = (b: Record<string, unknown>, k: string): string[] => {
    const v = b[k];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.length > 50 || v.some((x) => typeof x !== 'string'))
      throw new OidcError('InvalidRequestException', `${k} must be a list of strings.`);
    return v as string[];
  };

  function authenticateClient(b: Record<string, unknown>): Client {
    const clientId = str(b, 'clientId') as string;
    const clientSecret = str(b, 'clientSecret') as string;
    const c = clients.get(clientId);
    if (!c || !timingSafeEqual(c.secretDigest, digest(clientSecret)))
      throw new OidcError('InvalidClientException', 'Invalid client provided');
    if (c.expiresAt <= deps.now())
      throw new OidcError('InvalidClientException', 'The client registration has expired.');
    return c;
  }

  function tokens(c: Client, userId: string): Record<string, unknown> {
    const { accessToken, expiresIn } = deps.sessions.issueAccessToken(userId, c.clientId);
    const out: Record<string, unknown> = { accessToken, tokenType: 'Bearer', expiresIn };
    if (c.grantTypes.includes('refresh_token')) {
      sweep(refreshTokens, (r) => !clients.has(r.clientId));
      const refreshToken = `aor${secret()}`;
      refreshTokens.set(refreshToken, { clientId: c.clientId, userId });
      out.refreshToken = refreshToken;
    }
    return out;
  }

  const api: Record<string, (req: EmulatorRequest) => Record<string, unknown>> = {
    '/client/register'(req) {
      const b = body(req);
      const clientName = str(b, 'clientName') as string;
      const clientType = str(b, 'clientType') as string;
      if (clientType !== 'public')
        throw new OidcError('InvalidClientMetadataException', 'clientType must be "public".');
      const grantTypes = list(b, 'grantTypes');
      for (const g of grantTypes) {
        if (!['authorization_code', 'refresh_token', DEVICE_GRANT].includes(g))
          throw new OidcError('InvalidClientMetadataException', `Unsupported grant type ${g.slice(0, 64)}.`);
      }
      const redirectUris = list(b, 'redirectUris');
      for (const r of redirectUris) {
        try {
          if (!/^https?:$/.test(new URL(r).protocol)) throw new Error('scheme');
        } catch {
          throw new OidcError('InvalidRedirectUriException', 'A redirect URI is invalid.');
        }
      }
      if (grantTypes.includes('authorization_code') && redirectUris.length === 0)
        throw new OidcError('InvalidRedirectUriException', 'The authorization_code grant needs a redirect URI.');
      sweep(clients, (c) => c.expiresAt <= deps.now());
      const clientId = randomBytes(16).toString('base64url');
      const clientSecret = secret();
      const issued = Math.floor(deps.now() / 1000);
      clients.set(clientId, {
        clientId,
        secretDigest: digest(clientSecret),
        name: clientName.slice(0, 128),
        scopes: list(b, 'scopes'),
        redirectUris,
        grantTypes,
        expiresAt: (issued + CLIENT_LIFETIME_SECONDS) * 1000,
      });
      const base = baseUrl(req);
      return {
        clientId,
        clientSecret,
        clientIdIssuedAt: issued,
        clientSecretExpiresAt: issued + CLIENT_LIFETIME_SECONDS,
        authorizationEndpoint: `${base}/authorize`,
        tokenEndpoint: `${base}/token`,
      };
    },
    '/device_authorization'(req) {
      const b = body(req);
      const c = authenticateClient(b);
      const startUrl = str(b, 'startUrl') as string;
      if (startUrl.replace(/\/+$/, '').replace(/#.*$/, '') !== deps.instance.startUrl)
        throw new OidcError(
          'InvalidRequestException',
          'The start URL is not the access portal URL of this IAM Identity Center instance.',
        );
      sweep(devices, (d) => {
        const dead = d.expiresAt <= deps.now() || d.status === 'used';
        if (dead) deviceByUserCode.delete(d.userCode);
        return dead;
      });
      const grant: DeviceGrant = {
        deviceCode: secret(),
        userCode: userCode(),
        clientId: c.clientId,
        expiresAt: deps.now() + DEVICE_CODE_SECONDS * 1000,
        status: 'pending',
        polls: 0,
      };
      devices.set(grant.deviceCode, grant);
      deviceByUserCode.set(grant.userCode, grant.deviceCode);
      const verificationUri = `${baseUrl(req)}/device`;
      return {
        deviceCode: grant.deviceCode,
        userCode: grant.userCode,
        verificationUri,
        verificationUriComplete: `${verificationUri}?user_code=${grant.userCode}`,
        expiresIn: DEVICE_CODE_SECONDS,
        interval: POLL_INTERVAL_SECONDS,
      };
    },
    '/token'(req) {
      const b = body(req);
      const c = authenticateClient(b);
      const grantType = str(b, 'grantType') as string;
      if (grantType === DEVICE_GRANT) {
        const grant = devices.get(str(b, 'deviceCode') as string);
        if (!grant || grant.clientId !== c.clientId)
          throw new OidcError('InvalidGrantException', 'Invalid grant provided');
        if (grant.expiresAt <= deps.now()) throw new OidcError('ExpiredTokenException', 'The device code has expired.');
        if (grant.status === 'pending') {
          // RFC 8628 §3.5: a client polling well inside the interval is told to slow down (half an interval of slack).
          // The second poll is let through early: the AWS CLI polls once before it shows the code and again at once
          // when its loop starts (botocore SSOTokenFetcher), and a slow_down there would stretch its interval to 6 s.
          const t = deps.now();
          const tooSoon =
            grant.polls >= 2 &&
            grant.lastPolledAt !== undefined &&
            t - grant.lastPolledAt < POLL_INTERVAL_SECONDS * 500;
          grant.lastPolledAt = t;
          grant.polls++;
          if (tooSoon) throw new OidcError('SlowDownException', 'Client is polling too quickly.');
          throw new OidcError('AuthorizationPendingException', 'Authorization is still pending.');
        }
        if (grant.status === 'denied')
          throw new OidcError('AccessDeniedException', 'The user denied the authorization request.');
        // RFC 8628 §3.5: a device code is good for one token; a second use is an invalid grant.
        if (grant.status === 'used') throw new OidcError('InvalidGrantException', 'Invalid grant provided');
        grant.status = 'used';
        deviceByUserCode.delete(grant.userCode);
        return tokens(c, grant.userId as string);
      }
      if (grantType === 'authorization_code') {
        if (!c.grantTypes.includes('authorization_code'))
          throw new OidcError(
            'UnauthorizedClientException',
            'The client is not registered for the authorization_code grant.',
          );
        const code = codes.get(str(b, 'code') as string);
        const verifier = str(b, 'codeVerifier') as string;
        const redirectUri = str(b, 'redirectUri') as string;
        if (!code || code.used || code.clientId !== c.clientId || code.expiresAt <= deps.now())
          throw new OidcError('InvalidGrantException', 'Invalid grant provided');
        code.used = true;
        if (code.redirectUri !== redirectUri)
          throw new OidcError('InvalidGrantException', 'The redirect URI does not match the authorization request.');
        const expected = Buffer.from(code.challenge);
        const actual = Buffer.from(createHash('sha256').update(verifier).digest('base64url'));
        if (expected.length !== actual.length || !timingSafeEqual(expected, actual))
          throw new OidcError('InvalidGrantException', 'The code verifier does not match the code challenge.');
        return tokens(c, code.userId);
      }
      if (grantType === 'refresh_token') {
        const presented = str(b, 'refreshToken') as string;
        const r = refreshTokens.get(presented);
        if (!r || r.clientId !== c.clientId) throw new OidcError('InvalidGrantException', 'Invalid grant provided');
        refreshTokens.delete(presented);
        const user = deps.instance.store.getUser(r.userId);
        if (!user?.active) throw new OidcError('InvalidGrantException', 'The user is no longer active.');
        return tokens(c, r.userId);
      }
      throw new OidcError('UnsupportedGrantTypeException', 'Unsupported grant type.');
    },
  };

  function apiReply(req: EmulatorRequest, fn: (req: EmulatorRequest) => Record<string, unknown>): EmulatorResponse {
    const requestId = newRequestId();
    try {
      if (req.method.toUpperCase() !== 'POST') throw new OidcError('InvalidRequestException', 'Use POST.');
      return {
        status: 200,
        headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId },
        body: JSON.stringify(fn(req)),
      };
    } catch (e) {
      if (!(e instanceof OidcError)) throw e;
      const status = e.code === 'InvalidClientException' ? 401 : 400;
      return {
        status,
        headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId, 'x-amzn-errortype': e.code },
        body: JSON.stringify({ error: OAUTH_ERROR[e.code], error_description: e.message }),
      };
    }
  }

  // ---- browser pages ----
  const checkCsrf = (f: URLSearchParams | undefined, s: BrowserSession): boolean =>
    f !== undefined && f.get('csrf') === s.csrf;

  function devicePage(req: EmulatorRequest, s: BrowserSession): EmulatorResponse {
    const code = (req.query.get('user_code') ?? '').toUpperCase().slice(0, 9);
    return page(
      200,
      'Authorize request',
      '<h1>Authorize request</h1><p>An application is asking to sign in with your AWS access portal session. Confirm that the code matches the one shown by the application.</p>' +
        `<form method="post" action="/device"><input type="hidden" name="csrf" value="${esc(s.csrf)}">` +
        `<label>Code <input name="user_code" id="user_code" autocomplete="off" value="${esc(code)}"></label> ` +
        '<button type="submit" name="decision" value="allow" id="allow">Allow</button> <button type="submit" name="decision" value="deny" id="deny">Deny</button></form>',
    );
  }

  function deviceDecision(req: EmulatorRequest, s: BrowserSession): EmulatorResponse {
    const f = form(req);
    if (!checkCsrf(f, s))
      return page(
        403,
        'Forbidden',
        '<p class="error" role="alert">The request could not be verified; reload the page.</p>',
      );
    const code = (f?.get('user_code') ?? '').toUpperCase().trim();
    const dc = deviceByUserCode.get(code);
    const grant = dc === undefined ? undefined : devices.get(dc);
    if (grant?.status !== 'pending' || grant.expiresAt <= deps.now()) {
      return page(
        400,
        'Invalid code',
        '<p class="error" role="alert">This code is not valid or has expired. Start the sign-in again from your application.</p>',
      );
    }
    if (f?.get('decision') === 'deny') {
      grant.status = 'denied';
      return page(200, 'Request denied', '<h1>Request denied</h1><p>You can close this window.</p>');
    }
    grant.status = 'approved';
    grant.userId = s.userId;
    deps.log.info('identity-center.device-approved', { userId: s.userId, clientId: grant.clientId });
    return page(
      200,
      'Request approved',
      '<h1 id="approved">Request approved</h1><p>You can close this window and return to your application.</p>',
    );
  }

  function authorizeRequest(q: URLSearchParams): {
    client: Client;
    redirectUri: string;
    state: string;
    challenge: string;
  } {
    const client = clients.get(q.get('client_id') ?? '');
    if (!client || client.expiresAt <= deps.now())
      throw new OidcError('InvalidClientException', 'Invalid client provided');
    const redirectUri = q.get('redirect_uri') ?? '';
    if (!redirectMatches(client.redirectUris, redirectUri))
      throw new OidcError('InvalidRedirectUriException', 'The redirect URI is not registered for this client.');
    if (q.get('response_type') !== 'code')
      throw new OidcError('InvalidRequestException', 'response_type must be code.');
    if (!client.grantTypes.includes('authorization_code'))
      throw new OidcError(
        'UnauthorizedClientException',
        'The client is not registered for the authorization_code grant.',
      );
    const challenge = q.get('code_challenge') ?? '';
    if (q.get('code_challenge_method') !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(challenge))
      throw new OidcError('InvalidRequestException', 'PKCE with S256 is required.');
    return { client, redirectUri, state: (q.get('state') ?? '').slice(0, 512), challenge };
  }

  function authorize(req: EmulatorRequest): EmulatorResponse {
    const post = req.method.toUpperCase() === 'POST';
    const f = post ? form(req) : undefined;
    const q = post ? (f ?? new URLSearchParams()) : req.query;
    let ar: ReturnType<typeof authorizeRequest>;
    try {
      ar = authorizeRequest(q);
    } catch (e) {
      if (e instanceof OidcError)
        return page(400, 'Invalid request', `<p class="error" role="alert">${esc(e.message)}</p>`);
      throw e;
    }
    const s = requireBrowserSession(deps, req);
    if (!('userId' in s)) return s;
    if (!post) {
      const hidden = [
        'client_id',
        'redirect_uri',
        'state',
        'code_challenge',
        'code_challenge_method',
        'response_type',
        'scopes',
      ]
        .map((k) => `<input type="hidden" name="${k}" value="${esc(q.get(k) ?? '')}">`)
        .join('');
      return page(
        200,
        'Allow access',
        `<h1>Allow ${esc(ar.client.name)} to access your data?</h1>` +
          `<form method="post" action="/authorize"><input type="hidden" name="csrf" value="${esc(s.csrf)}">${hidden}` +
          '<button type="submit" name="decision" value="allow" id="allow">Allow access</button> <button type="submit" name="decision" value="deny" id="deny">Deny</button></form>',
      );
    }
    if (!checkCsrf(f, s))
      return page(
        403,
        'Forbidden',
        '<p class="error" role="alert">The request could not be verified; reload the page.</p>',
      );
    const target = new URL(ar.redirectUri);
    if (f?.get('decision') !== 'allow') {
      target.searchParams.set('error', 'access_denied');
    } else {
      sweep(codes, (c) => c.used || c.expiresAt <= deps.now());
      const code = randomUUID() + secret();
      codes.set(code, {
        clientId: ar.client.clientId,
        redirectUri: ar.redirectUri,
        challenge: ar.challenge,
        userId: s.userId,
        expiresAt: deps.now() + AUTH_CODE_MS,
        used: false,
      });
      target.searchParams.set('code', code);
    }
    if (ar.state !== '') target.searchParams.set('state', ar.state);
    return redirect(target.toString());
  }

  function handle(req: EmulatorRequest): EmulatorResponse {
    const fn = Object.hasOwn(api, req.path) ? api[req.path] : undefined;
    if (fn) return apiReply(req, fn);
    if (req.path === '/authorize') return authorize(req);
    const s = requireBrowserSession(deps, req);
    if (!('userId' in s)) return s;
    return req.method.toUpperCase() === 'POST' ? deviceDecision(req, s) : devicePage(req, s);
  }

  const paths = new Set([...Object.keys(api), '/authorize', '/device']);
  return { kind: 'rest', name: 'identity-center-oidc', matches: (req) => paths.has(req.path), handle };
}
