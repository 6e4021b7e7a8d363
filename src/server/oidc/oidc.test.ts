/**
 * Every OAuth 2.0 / OpenID Connect grant against Keyway's provider with a certified relying-party library
 * (openid-client), over real HTTP: authorization code with PKCE, refresh with rotation (a reused refresh token is
 * refused and ends the grant), client credentials, device authorization (RFC 8628), introspection (RFC 7662),
 * revocation (RFC 7009), RP-initiated logout and back-channel logout.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { decodeJwt } from 'jose';
import { systemActor } from '../../core/index.js';
import { hashPassword } from '../../auth/index.js';
import { startServer, type RunningServer } from '../build.js';
import { loadConfig } from '../config.js';
import { createOidcRuntime } from './runtime.js';
import { FormBrowser, inputValue } from './test-browser.js';

const actor = systemActor('oidc-test');
let server: RunningServer;
let dir: string;
let issuer: URL;
let backchannel: Server;
let backchannelUrl: string;
const logoutTokens: string[] = [];
const redirectUri = 'http://127.0.0.1:9/callback';
let webClient: { clientId: string; secret: string };
let publicClientId: string;
let serviceClient: { clientId: string; secret: string };
let thirdPartyClientId: string;
let userId: string;

const insecure = { execute: [oidc.allowInsecureRequests] };

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keyway-oidc-'));
  backchannel = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const token = new URLSearchParams(body).get('logout_token');
      if (token) logoutTokens.push(token);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => backchannel.listen(0, '127.0.0.1', r));
  const addr = backchannel.address();
  backchannelUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/backchannel`;

  const config = loadConfig(
    {
      KEYWAY_MASTER_KEY: '22'.repeat(32),
      KEYWAY_LOG_LEVEL: 'silent',
      KEYWAY_HOST: '127.0.0.1',
      KEYWAY_PORT: '0',
      KEYWAY_DATABASE_URL: `sqlite:${join(dir, 'keyway.db')}`,
    },
    { cwd: dir },
  );
  server = await startServer(config, { handleSignals: false });
  issuer = new URL(`${server.url}/oidc`);
  const store = server.store;
  const user = await store.directory.createUser(actor, {
    userName: 'oidc-ada',
    givenName: 'Ada',
    emails: [{ value: 'ada@example.com', primary: true }],
  });
  userId = user.id;
  await store.credentials.setPassword(user.id, await hashPassword('oidc-ada-password-1'));
  const group = await store.directory.createGroup(actor, { displayName: 'OIDC users' });
  await store.directory.addMember(actor, group.id, { kind: 'user', id: user.id });

  const rt = createOidcRuntime(
    {
      config,
      store,
      now: () => new Date(),
    } as Parameters<typeof createOidcRuntime>[0],
    server.app.log,
  );
  const web = await rt.apps.create(actor, {
    name: 'Web app',
    redirectUris: [redirectUri],
    postLogoutRedirectUris: ['http://127.0.0.1:9/signed-out'],
    grantTypes: ['authorization_code', 'refresh_token'],
    backchannelLogoutUri: backchannelUrl,
    allowedGroupIds: [group.id],
  });
  webClient = { clientId: web.app.clientId, secret: web.clientSecret ?? '' };
  const pub = await rt.apps.create(actor, {
    name: 'Native app',
    clientType: 'public',
    redirectUris: [redirectUri],
    grantTypes: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
    allowedGroupIds: [group.id],
  });
  publicClientId = pub.app.clientId;
  const svc = await rt.apps.create(actor, {
    name: 'Reporting service',
    grantTypes: ['client_credentials'],
    allowedGroupIds: [],
  });
  serviceClient = { clientId: svc.app.clientId, secret: svc.clientSecret ?? '' };
  const third = await rt.apps.create(actor, {
    name: 'Partner portal',
    thirdParty: true,
    redirectUris: [redirectUri],
    allowedGroupIds: [group.id],
  });
  thirdPartyClientId = third.app.clientId;
});

after(async () => {
  await server?.close();
  await new Promise<void>((r) => backchannel.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

const discover = (clientId: string, secret?: string) =>
  oidc.discovery(issuer, clientId, secret, secret ? undefined : oidc.None(), insecure);

/** Runs the browser part of an authorization request and returns the callback URL with the code. */
const authorize = async (
  config: oidc.Configuration,
  browser: FormBrowser,
  params: Record<string, string>,
  signIn = true,
): Promise<URL> => {
  const url = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, ...params });
  let step = await browser.follow(url.toString(), redirectUri);
  if (step.url.includes('/signin')) {
    assert.ok(signIn, `unexpected sign-in page at ${step.url}`);
    step = await browser.signIn(step.url, 'oidc-ada', 'oidc-ada-password-1', redirectUri);
  }
  assert.ok(step.url.startsWith(redirectUri), `ends at the redirect URI, not ${step.url}`);
  return new URL(step.url);
};

describe('OpenID Connect provider with openid-client', () => {
  test('discovery names every endpoint and JWKS publishes the signing keys with their ids (OIDC Discovery 1.0 section 3)', async () => {
    const config = await discover(webClient.clientId, webClient.secret);
    const meta = config.serverMetadata();
    assert.equal(meta.issuer, issuer.href);
    for (const k of [
      'authorization_endpoint',
      'token_endpoint',
      'jwks_uri',
      'userinfo_endpoint',
      'introspection_endpoint',
      'revocation_endpoint',
      'end_session_endpoint',
      'device_authorization_endpoint',
    ] as const)
      assert.ok(meta[k], `${k} is published`);
    assert.ok(meta.grant_types_supported?.includes('client_credentials'));
    assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
    const jwks = (await (await fetch(meta.jwks_uri ?? '')).json()) as {
      keys: { kid: string; kty: string; d?: string }[];
    };
    assert.ok(jwks.keys.length >= 1);
    assert.ok(
      jwks.keys.every((k) => k.kty === 'RSA' && k.d === undefined),
      'public keys only',
    );
  });

  test('authorization code with PKCE signs the user in through Keyway and returns groups, amr and acr', async () => {
    const config = await discover(webClient.clientId, webClient.secret);
    const browser = new FormBrowser();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const callback = await authorize(config, browser, {
      scope: 'openid profile email groups',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    const claims = tokens.claims();
    assert.equal(claims?.sub, userId);
    assert.deepEqual(claims?.amr, ['pwd']);
    assert.equal(claims?.acr, 'urn:keyway:acr:password');
    const info = await oidc.fetchUserInfo(config, tokens.access_token, userId);
    assert.equal(info.preferred_username, 'oidc-ada');
    assert.equal(info.email, 'ada@example.com');
    assert.deepEqual(info.groups, ['OIDC users']);
  });

  test('a public client without PKCE is refused (RFC 7636; PKCE required for public clients)', async () => {
    const config = await discover(publicClientId);
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid', state: 'x' });
    const res = await new FormBrowser().request(url.toString());
    const location = new URL(res.headers.get('location') ?? '', url);
    assert.equal(location.searchParams.get('error'), 'invalid_request');
    assert.match(location.searchParams.get('error_description') ?? '', /PKCE/);
  });

  test('refresh tokens rotate, and a reused refresh token is refused and revokes the grant (RFC 9700 section 4.14.2)', async () => {
    const config = await discover(publicClientId);
    const browser = new FormBrowser();
    const verifier = oidc.randomPKCECodeVerifier();
    const callback = await authorize(config, browser, {
      scope: 'openid offline_access',
      prompt: 'consent',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: 's1',
    });
    const first = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: 's1',
    });
    assert.ok(first.refresh_token, 'a refresh token is issued');
    const second = await oidc.refreshTokenGrant(config, first.refresh_token);
    assert.ok(second.refresh_token && second.refresh_token !== first.refresh_token, 'the refresh token rotated');
    await assert.rejects(oidc.refreshTokenGrant(config, first.refresh_token), (e: unknown) => {
      assert.ok(e instanceof oidc.ResponseBodyError);
      assert.equal(e.error, 'invalid_grant');
      return true;
    });
    // Reuse detection ends the whole grant: the newest refresh token is dead too.
    await assert.rejects(oidc.refreshTokenGrant(config, second.refresh_token ?? ''), (e: unknown) => {
      assert.ok(e instanceof oidc.ResponseBodyError);
      assert.equal(e.error, 'invalid_grant');
      return true;
    });
  });

  test('client credentials issue a token that introspection shows active until revocation (RFC 6749 4.4, RFC 7662, RFC 7009)', async () => {
    const config = await discover(serviceClient.clientId, serviceClient.secret);
    const tokens = await oidc.clientCredentialsGrant(config);
    assert.ok(tokens.access_token);
    const active = await oidc.tokenIntrospection(config, tokens.access_token);
    assert.equal(active.active, true);
    assert.equal(active.client_id, serviceClient.clientId);
    await oidc.tokenRevocation(config, tokens.access_token);
    const revoked = await oidc.tokenIntrospection(config, tokens.access_token);
    assert.equal(revoked.active, false);
  });

  test('a wrong client secret is refused with invalid_client', async () => {
    const config = await discover(serviceClient.clientId, 'not-the-secret');
    await assert.rejects(oidc.clientCredentialsGrant(config), (e: unknown) => {
      assert.ok(e instanceof oidc.ResponseBodyError);
      assert.equal(e.error, 'invalid_client');
      return true;
    });
  });

  test('device authorization: the user enters the code in a signed-in browser and the device gets tokens (RFC 8628)', async () => {
    const config = await discover(publicClientId);
    const device = await oidc.initiateDeviceAuthorization(config, { scope: 'openid' });
    assert.match(device.user_code, /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    const browser = new FormBrowser();
    const entry = await browser.request(device.verification_uri);
    const entryHtml = await entry.text();
    assert.match(entryHtml, /Enter the code your device/);
    const confirm = await browser.request(device.verification_uri, {
      form: { xsrf: inputValue(entryHtml, 'xsrf'), user_code: device.user_code },
    });
    const confirmHtml = await confirm.text();
    assert.match(confirmHtml, /Allow Native app\?/);
    let step = await browser.follow(device.verification_uri, undefined, {
      form: { xsrf: inputValue(confirmHtml, 'xsrf'), user_code: inputValue(confirmHtml, 'user_code'), confirm: 'yes' },
    });
    if (step.url.includes('/signin')) step = await browser.signIn(step.url, 'oidc-ada', 'oidc-ada-password-1');
    assert.match(await step.res.text(), /Device connected/);
    const tokens = await oidc.pollDeviceAuthorizationGrant(config, device);
    assert.equal(tokens.claims()?.sub, userId);
  });

  test('a third-party client asks consent first; Deny returns access_denied to the client', async () => {
    const config = await discover(thirdPartyClientId, undefined);
    const browser = new FormBrowser();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid email', state: 'c1' });
    let step = await browser.follow(url.toString(), redirectUri);
    step = await browser.signIn(step.url, 'oidc-ada', 'oidc-ada-password-1', redirectUri);
    const page = await step.res.text();
    assert.match(page, /Allow Partner portal to use your Keyway account\?/);
    assert.match(page, /your email address/);
    const denied = await browser.follow(
      new URL(`${new URL(step.url).pathname}/consent`, step.url).toString(),
      redirectUri,
      {
        form: { csrf: inputValue(page, 'csrf'), decision: 'deny' },
      },
    );
    assert.equal(new URL(denied.url).searchParams.get('error'), 'access_denied');
  });

  test('RP-initiated logout ends the Keyway session and posts a back-channel logout token (OIDC Back-Channel Logout 1.0)', async () => {
    const config = await discover(webClient.clientId, webClient.secret);
    const browser = new FormBrowser();
    const verifier = oidc.randomPKCECodeVerifier();
    const callback = await authorize(config, browser, {
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: 'l1',
    });
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: 'l1',
    });
    const endUrl = oidc.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token ?? '',
      post_logout_redirect_uri: 'http://127.0.0.1:9/signed-out',
      state: 'bye',
    });
    const confirm = await browser.request(endUrl.toString());
    const html = await confirm.text();
    assert.match(html, /Do you want to sign out/);
    const done = await browser.follow(
      new URL(/action="([^"]+)"/.exec(html)?.[1] ?? '', endUrl).toString(),
      'http://127.0.0.1:9/',
      {
        form: { xsrf: inputValue(html, 'xsrf'), logout: 'yes' },
      },
    );
    assert.equal(new URL(done.url).searchParams.get('state'), 'bye');
    const portal = await browser.request(`${server.url}/`);
    assert.equal(portal.status, 303, 'the Keyway session ended too');
    for (let i = 0; i < 50 && logoutTokens.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    const logout = decodeJwt(logoutTokens.at(-1) ?? '');
    assert.equal(logout.sub, userId);
    assert.equal(logout.aud, webClient.clientId);
    assert.ok((logout.events as Record<string, unknown>)['http://schemas.openid.net/event/backchannel-logout']);
  });
});
