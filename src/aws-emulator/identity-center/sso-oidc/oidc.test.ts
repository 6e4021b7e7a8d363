import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEmulator } from '../../emulator.js';
import { silentLogger } from '../../log.js';
import { DEMO_WORLD_FILE } from '../../start.js';
import { loadWorldFile } from '../../world/world.js';
import type { EmulatorResponse } from '../../http/contract.js';
import { identityCenterFactory, type IdentityCenter } from '../index.js';

/** In-process requests against the emulator's router: the sso-oidc and portal API error paths. */
function setup() {
  let clock = Date.parse('2026-05-01T00:00:00Z');
  let idc: IdentityCenter | undefined;
  const emulator = createEmulator({
    world: loadWorldFile(DEMO_WORLD_FILE),
    now: () => clock,
    logger: silentLogger,
    registrations: [
      identityCenterFactory({}, (x) => {
        idc = x;
      }),
    ],
  });
  const center = idc as IdentityCenter;
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const [p, q] = path.split('?');
    const res: EmulatorResponse = await emulator.handle({
      method,
      path: p as string,
      query: new URLSearchParams(q ?? ''),
      remoteAddress: '127.0.0.1',
      headers: { host: '127.0.0.1:4566', 'content-type': 'application/json', ...headers },
      body: Buffer.from(body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body)),
    });
    const text = String(res.body);
    return {
      status: res.status,
      headers: res.headers,
      json: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {},
      text,
    };
  };
  return {
    center,
    call,
    advance: (ms: number) => {
      clock += ms;
    },
    close: () => {
      center.close();
      emulator.close();
    },
  };
}

test('sso-oidc answers each bad request with the modelled error code in x-amzn-ErrorType and an OAuth error body', async () => {
  const { center, call, advance, close } = setup();
  try {
    const expectError = async (
      p: Promise<{ status: number; headers: Readonly<Record<string, string>>; json: Record<string, unknown> }>,
      code: string,
      status = 400,
    ) => {
      const r = await p;
      assert.equal(r.status, status, JSON.stringify(r.json));
      assert.equal(r.headers['x-amzn-errortype'], code);
      assert.equal(typeof r.json.error, 'string');
      assert.equal(typeof r.json.error_description, 'string');
    };
    await expectError(
      call('POST', '/client/register', { clientName: 'x', clientType: 'confidential' }),
      'InvalidClientMetadataException',
    );
    await expectError(call('POST', '/client/register', { clientType: 'public' }), 'InvalidRequestException');
    await expectError(call('POST', '/client/register', '{not json'), 'InvalidRequestException');
    await expectError(
      call('POST', '/client/register', { clientName: 'x', clientType: 'public', grantTypes: ['password'] }),
      'InvalidClientMetadataException',
    );
    await expectError(
      call('POST', '/client/register', { clientName: 'x', clientType: 'public', grantTypes: ['authorization_code'] }),
      'InvalidRedirectUriException',
    );
    const reg = (await call('POST', '/client/register', { clientName: 'cli', clientType: 'public' })).json;
    const creds = { clientId: reg.clientId, clientSecret: reg.clientSecret };
    await expectError(
      call('POST', '/device_authorization', { ...creds, clientSecret: 'nope', startUrl: center.instance.startUrl }),
      'InvalidClientException',
      401,
    );
    await expectError(
      call('POST', '/device_authorization', { ...creds, startUrl: 'https://d-0000000000.awsapps.com/start' }),
      'InvalidRequestException',
    );
    const dev = (await call('POST', '/device_authorization', { ...creds, startUrl: `${center.instance.startUrl}/` }))
      .json;
    assert.equal(dev.expiresIn, 600);
    const poll = () =>
      call('POST', '/token', {
        ...creds,
        grantType: 'urn:ietf:params:oauth:grant-type:device_code',
        deviceCode: dev.deviceCode,
      });
    // The AWS CLI's own pattern — one poll before it shows the code, another at once — is not slowed down; a
    // third poll inside the interval is.
    await expectError(poll(), 'AuthorizationPendingException');
    await expectError(poll(), 'AuthorizationPendingException');
    await expectError(poll(), 'SlowDownException');
    advance(1000);
    await expectError(poll(), 'AuthorizationPendingException');
    await expectError(
      call('POST', '/token', {
        ...creds,
        grantType: 'urn:ietf:params:oauth:grant-type:device_code',
        deviceCode: 'forged',
      }),
      'InvalidGrantException',
    );
    await expectError(
      call('POST', '/token', {
        ...creds,
        grantType: 'authorization_code',
        code: 'x',
        codeVerifier: 'y',
        redirectUri: 'http://127.0.0.1/cb',
      }),
      'UnauthorizedClientException',
    );
    await expectError(
      call('POST', '/token', { ...creds, grantType: 'refresh_token', refreshToken: 'nope' }),
      'InvalidGrantException',
    );
    await expectError(
      call('POST', '/token', { ...creds, grantType: 'client_credentials' }),
      'UnsupportedGrantTypeException',
    );
    await expectError(call('GET', '/token'), 'InvalidRequestException');
    advance(601_000);
    await expectError(poll(), 'ExpiredTokenException');
    advance(90 * 24 * 3600_000);
    await expectError(
      call('POST', '/device_authorization', { ...creds, startUrl: center.instance.startUrl }),
      'InvalidClientException',
      401,
    );
  } finally {
    close();
  }
});

test('the authorize page refuses unknown clients, unregistered redirect URIs and missing PKCE without redirecting', async () => {
  const { call, close } = setup();
  try {
    const reg = (
      await call('POST', '/client/register', {
        clientName: 'pkce',
        clientType: 'public',
        grantTypes: ['authorization_code'],
        redirectUris: ['http://127.0.0.1/oauth/callback'],
      })
    ).json;
    const challenge = 'a'.repeat(43);
    const q = (over: Record<string, string>) =>
      new URLSearchParams({
        response_type: 'code',
        client_id: String(reg.clientId),
        redirect_uri: 'http://127.0.0.1:5555/oauth/callback',
        state: 's',
        code_challenge_method: 'S256',
        code_challenge: challenge,
        ...over,
      }).toString();
    for (const [over, why] of [
      [{ client_id: 'unknown' }, /Invalid client/],
      [{ redirect_uri: 'http://evil.example/oauth/callback' }, /redirect URI is not registered/],
      [{ redirect_uri: 'http://127.0.0.1:5555/other' }, /redirect URI is not registered/],
      [{ code_challenge_method: 'plain' }, /PKCE/],
      [{ response_type: 'token' }, /response_type/],
    ] as const) {
      const r = await call('GET', `/authorize?${q(over)}`);
      assert.equal(r.status, 400);
      assert.equal(r.headers.location, undefined);
      assert.match(r.text, why);
    }
    // A valid request without a portal session goes to sign-in, which needs a configured IdP.
    const r = await call('GET', `/authorize?${q({})}`);
    assert.equal(r.status, 503);
    assert.match(r.text, /idp_not_configured/);
  } finally {
    close();
  }
});

test('the portal API refuses a missing or unknown token and malformed parameters, in its rest-json error shape', async () => {
  const { call, close } = setup();
  try {
    const noToken = await call('GET', '/assignment/accounts');
    assert.equal(noToken.status, 401);
    assert.equal(noToken.headers['x-amzn-errortype'], 'UnauthorizedException');
    assert.equal(noToken.json.message, 'Session token not found or invalid');
    const bad = await call('GET', '/assignment/accounts', undefined, { 'x-amz-sso_bearer_token': 'aoa-made-up' });
    assert.equal(bad.status, 401);
    const logout = await call('POST', '/logout', undefined, { 'x-amz-sso_bearer_token': 'aoa-made-up' });
    assert.equal(logout.status, 401);
  } finally {
    close();
  }
});
