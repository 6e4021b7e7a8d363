import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';
import {
  SSOOIDCClient,
  RegisterClientCommand,
  StartDeviceAuthorizationCommand,
  CreateTokenCommand,
} from '@aws-sdk/client-sso-oidc';
import {
  SSOClient,
  ListAccountsCommand,
  ListAccountRolesCommand,
  GetRoleCredentialsCommand,
  LogoutCommand,
} from '@aws-sdk/client-sso';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import {
  SSOAdminClient,
  CreatePermissionSetCommand,
  AttachManagedPolicyToPermissionSetCommand,
  CreateAccountAssignmentCommand,
  DescribeAccountAssignmentCreationStatusCommand,
  DeleteAccountAssignmentCommand,
  DescribeAccountAssignmentDeletionStatusCommand,
} from '@aws-sdk/client-sso-admin';
import {
  startEmulator,
  identityCenterFactory,
  silentLogger,
  type IdentityCenter,
  type RunningEmulator,
} from '../../src/aws-emulator/index.js';
// The STS-SAML engineer's test IdP helpers sign real SAML Responses with xml-crypto (test-only use).
import {
  fixtureMetadata,
  fixtureResponseXml,
  makeFixtureKey,
  toBase64,
  type FixtureKey,
} from '../../src/aws-emulator/saml-sp/fixture-idp.js';
import { AWS_CLI, CHROMIUM, missingPeers, needPeers } from '../../src/testing/index.js';

const MGMT = '111111111111';
const MEMBER = '333333333333';
const CHROME_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const EMAIL = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';

let emu: RunningEmulator;
let idc: IdentityCenter;
let idp: Server;
let idpUrl: string;
let key: FixtureKey;
let browser: Browser | undefined;
/** The user the test IdP signs in; tests switch it. */
const idpUser = 'alice@example.com';
let roleName = '';
/** The emulator runs on real time, except while a test holds the clock still (timing-sensitive checks). */
let heldAt: number | undefined;
const IDP_ENTITY = 'https://idp.keyway.test/saml';

function samlResponse(nameId: string, inResponseTo?: string): string {
  const acs = idc.spAcsUrl(emu.url);
  let xml = fixtureResponseXml(
    {
      issuer: IDP_ENTITY,
      nameId,
      nameIdFormat: EMAIL,
      recipient: acs,
      destination: acs,
      audiences: [idc.spEntityId],
      sign: 'both',
    },
    key,
  );
  if (inResponseTo)
    xml = xml.replace(
      /<saml:SubjectConfirmationData /,
      `<saml:SubjectConfirmationData InResponseTo="${inResponseTo}" `,
    );
  return toBase64(xml);
}

/** A minimal IdP: reads the AuthnRequest, answers with an auto-submitting POST of a signed Response. */
function startTestIdp(): Promise<void> {
  idp = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/sso' || !url.searchParams.has('SAMLRequest')) {
      res.writeHead(404).end();
      return;
    }
    const request = inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest') ?? '', 'base64')).toString('utf8');
    assert.match(request, /AssertionConsumerServiceURL="([^"]+)"/);
    const relay = url.searchParams.get('RelayState') ?? '';
    const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(
      `<html><body onload="document.forms[0].submit()"><form method="post" action="${esc(idc.spAcsUrl(emu.url))}">` +
        `<input type="hidden" name="SAMLResponse" value="${esc(samlResponse(idpUser))}"><input type="hidden" name="RelayState" value="${esc(relay)}">` +
        '<noscript><button>Continue</button></noscript></form></body></html>',
    );
  });
  return new Promise((resolve) =>
    idp.listen(0, '127.0.0.1', () => {
      idpUrl = `http://127.0.0.1:${(idp.address() as AddressInfo).port}/sso`;
      resolve();
    }),
  );
}

async function scim(method: string, path: string, token: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${idc.scimEndpoint(emu.url)}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await res.json()) as Record<string, unknown>;
}

before(async () => {
  key = makeFixtureKey('idc-test-idp');
  emu = await startEmulator({
    logger: silentLogger,
    now: () => heldAt ?? Date.now(),
    registrations: [
      identityCenterFactory({ asyncDelayMs: 10 }, (x) => {
        idc = x;
      }),
    ],
  });
  await startTestIdp();
  idc.configureSamlIdp(fixtureMetadata(IDP_ENTITY, [key], idpUrl));
  const token = idc.createScimToken().token;
  const alice = await scim('POST', '/Users', token, {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: 'alice@example.com',
    displayName: 'Alice',
    name: { givenName: 'Alice', familyName: 'A' },
    emails: [{ value: 'alice@example.com', primary: true }],
  });
  const group = await scim('POST', '/Groups', token, {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
    displayName: 'Engineers',
    members: [{ value: alice.id }],
  });
  const admin = new SSOAdminClient({
    endpoint: emu.url,
    region: 'us-east-1',
    credentials: emu.rootCredentials(MGMT),
    maxAttempts: 1,
  });
  const InstanceArn = idc.instance.instanceArn;
  const ps = await admin.send(
    new CreatePermissionSetCommand({ InstanceArn, Name: 'ReadOnly', SessionDuration: 'PT2H' }),
  );
  const PermissionSetArn = ps.PermissionSet?.PermissionSetArn;
  await admin.send(
    new AttachManagedPolicyToPermissionSetCommand({
      InstanceArn,
      PermissionSetArn,
      ManagedPolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
    }),
  );
  const created = await admin.send(
    new CreateAccountAssignmentCommand({
      InstanceArn,
      PermissionSetArn,
      TargetId: MEMBER,
      TargetType: 'AWS_ACCOUNT',
      PrincipalType: 'GROUP',
      PrincipalId: String(group.id),
    }),
  );
  // Bounded by time, not by a count of polls: a loaded machine only makes this slower.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const s = await admin.send(
      new DescribeAccountAssignmentCreationStatusCommand({
        InstanceArn,
        AccountAssignmentCreationRequestId: created.AccountAssignmentCreationStatus?.RequestId,
      }),
    );
    const status = s.AccountAssignmentCreationStatus?.Status;
    if (status !== 'IN_PROGRESS') {
      assert.equal(status, 'SUCCEEDED', s.AccountAssignmentCreationStatus?.FailureReason);
      break;
    }
    assert.ok(Date.now() < deadline, 'assignment still IN_PROGRESS after 60 s');
    await new Promise((r) => setTimeout(r, 20));
  }
  roleName = emu.iam.listRoles(MEMBER).find((r) => r.name.startsWith('AWSReservedSSO_ReadOnly_'))?.name ?? '';
  assert.ok(roleName);
  if (!missingPeers('chromium')) browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROME_ARGS });
});

after(async () => {
  await browser?.close();
  idc.close();
  idp.closeAllConnections();
  await new Promise((r) => idp.close(r));
  await emu.close();
});

test('publishes SP metadata with the ACS URL to register in the IdP', async () => {
  const res = await fetch(idc.spMetadataUrl(emu.url));
  assert.equal(res.status, 200);
  const xml = await res.text();
  assert.ok(xml.includes(`entityID="${idc.spEntityId}"`));
  assert.ok(xml.includes(`Location="${idc.spAcsUrl(emu.url)}"`));
});

test('refuses a SAML NameID that matches no provisioned userName exactly, with a clear failure (IAM Identity Center User Guide, "Troubleshooting IAM Identity Center issues")', async () => {
  for (const nameId of ['ALICE@example.com', 'nobody@example.com']) {
    const res = await fetch(idc.spAcsUrl(emu.url), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ SAMLResponse: samlResponse(nameId) }),
    });
    assert.equal(res.status, 403);
    const text = await res.text();
    assert.match(text, /does not match the userName of any user provisioned/);
    assert.match(text, /user_not_provisioned/);
    assert.equal(res.headers.get('set-cookie'), null);
  }
  // A tampered signature and a replayed assertion are refused too.
  const good = samlResponse('alice@example.com');
  const tampered = toBase64(
    Buffer.from(good, 'base64').toString('utf8').replace('alice@example.com', 'alicf@example.com'),
  );
  const post = (b: string) =>
    fetch(idc.spAcsUrl(emu.url), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ SAMLResponse: b }),
    });
  assert.equal((await post(tampered)).status, 403);
  assert.equal((await post(good)).status, 303);
  const replay = await post(good);
  assert.equal(replay.status, 403);
  assert.match(await replay.text(), /already used/);
});

test('signs in through the IdP in a real browser, lists the group-assigned account and opens the console as the AWSReservedSSO role', async (t) => {
  if (!needPeers(t, 'chromium')) return;
  const context = await (browser as Browser).newContext();
  try {
    const pageA = await context.newPage();
    await pageA.goto(idc.portalUrl(emu.url));
    await pageA.waitForSelector('#user');
    assert.equal(await pageA.textContent('#user'), 'alice@example.com');
    const body = await pageA.textContent('body');
    assert.match(body ?? '', /Production/);
    assert.match(body ?? '', /333333333333/);
    await pageA.click('button:has-text("ReadOnly")');
    await pageA.waitForSelector('#assumed-role-arn');
    assert.equal(
      await pageA.textContent('#assumed-role-arn'),
      `arn:aws:sts::${MEMBER}:assumed-role/${roleName}/alice@example.com`,
    );
  } finally {
    await context.close();
  }
});

test('SDK device flow: register, approve in the browser, token, portal API credentials, and a device code used twice is refused', async (t) => {
  if (!needPeers(t, 'chromium')) return;
  const oidc = new SSOOIDCClient({ endpoint: emu.url, region: 'us-east-1', maxAttempts: 1 });
  const reg = await oidc.send(new RegisterClientCommand({ clientName: 'keyway-test', clientType: 'public' }));
  assert.equal((reg.clientSecretExpiresAt ?? 0) - (reg.clientIdIssuedAt ?? 0), 90 * 24 * 3600);
  await assert.rejects(
    oidc.send(
      new StartDeviceAuthorizationCommand({
        clientId: reg.clientId,
        clientSecret: 'wrong',
        startUrl: idc.instance.startUrl,
      }),
    ),
    { name: 'InvalidClientException' },
  );
  const dev = await oidc.send(
    new StartDeviceAuthorizationCommand({
      clientId: reg.clientId,
      clientSecret: reg.clientSecret,
      startUrl: idc.instance.startUrl,
    }),
  );
  assert.match(dev.userCode ?? '', /^[A-Z]{4}-[A-Z]{4}$/);
  const tokenRequest = () =>
    oidc.send(
      new CreateTokenCommand({
        clientId: reg.clientId,
        clientSecret: reg.clientSecret,
        grantType: 'urn:ietf:params:oauth:grant-type:device_code',
        deviceCode: dev.deviceCode,
      }),
    );
  // Held clock: the polls land inside the interval however slow the machine is (RFC 8628 §3.5 slow_down). The
  // second is let through, as the AWS CLI sends it at once; the third is told to slow down.
  heldAt = Date.now();
  try {
    await assert.rejects(tokenRequest(), { name: 'AuthorizationPendingException' });
    await assert.rejects(tokenRequest(), { name: 'AuthorizationPendingException' });
    await assert.rejects(tokenRequest(), { name: 'SlowDownException' });
  } finally {
    heldAt = undefined;
  }
  const context = await (browser as Browser).newContext();
  try {
    const p = await context.newPage();
    await p.goto(dev.verificationUriComplete as string);
    await p.waitForSelector('#allow');
    assert.equal(await p.inputValue('#user_code'), dev.userCode);
    await p.click('#allow');
    await p.waitForSelector('#approved');
  } finally {
    await context.close();
  }
  const tok = await tokenRequest();
  assert.equal(tok.tokenType, 'Bearer');
  await assert.rejects(tokenRequest(), { name: 'InvalidGrantException' });

  const sso = new SSOClient({ endpoint: emu.url, region: 'us-east-1', maxAttempts: 1 });
  const accounts = await sso.send(new ListAccountsCommand({ accessToken: tok.accessToken }));
  assert.deepEqual(accounts.accountList, [
    { accountId: MEMBER, accountName: 'Production', emailAddress: 'aws-production@example.com' },
  ]);
  const roles = await sso.send(new ListAccountRolesCommand({ accessToken: tok.accessToken, accountId: MEMBER }));
  assert.deepEqual(roles.roleList, [{ roleName: 'ReadOnly', accountId: MEMBER }]);
  const before = Date.now();
  const creds = await sso.send(
    new GetRoleCredentialsCommand({ accessToken: tok.accessToken, accountId: MEMBER, roleName: 'ReadOnly' }),
  );
  const exp = creds.roleCredentials?.expiration ?? 0;
  assert.ok(
    exp > before + 7000_000 && exp < before + 7300_000,
    'expiration is epoch milliseconds, two hours ahead (PT2H)',
  );
  const sts = new STSClient({
    endpoint: emu.url,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: {
      accessKeyId: creds.roleCredentials?.accessKeyId as string,
      secretAccessKey: creds.roleCredentials?.secretAccessKey as string,
      sessionToken: creds.roleCredentials?.sessionToken as string,
    },
  });
  const who = await sts.send(new GetCallerIdentityCommand({}));
  assert.equal(who.Arn, `arn:aws:sts::${MEMBER}:assumed-role/${roleName}/alice@example.com`);
  await assert.rejects(
    sso.send(new GetRoleCredentialsCommand({ accessToken: tok.accessToken, accountId: MGMT, roleName: 'ReadOnly' })),
    (e: Error & { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode === 403,
  );

  // A direct user assignment is listed next to the group's (the portal shows both), and goes when it is removed.
  const admin = new SSOAdminClient({
    endpoint: emu.url,
    region: 'us-east-1',
    credentials: emu.rootCredentials(MGMT),
    maxAttempts: 1,
  });
  const InstanceArn = idc.instance.instanceArn;
  const settle = async (describe: () => Promise<string | undefined>) => {
    const deadline = Date.now() + 60_000;
    for (let status = await describe(); status !== 'SUCCEEDED'; status = await describe()) {
      assert.equal(status, 'IN_PROGRESS');
      assert.ok(Date.now() < deadline, 'still IN_PROGRESS after 60 s');
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const direct = {
    InstanceArn,
    TargetId: MGMT,
    TargetType: 'AWS_ACCOUNT' as const,
    PrincipalType: 'USER' as const,
    PermissionSetArn: (await admin.send(new CreatePermissionSetCommand({ InstanceArn, Name: 'Billing' }))).PermissionSet
      ?.PermissionSetArn,
    PrincipalId: idc.instance.store.findUserByExactUserName('alice@example.com')?.id,
  };
  const added = await admin.send(new CreateAccountAssignmentCommand(direct));
  await settle(
    async () =>
      (
        await admin.send(
          new DescribeAccountAssignmentCreationStatusCommand({
            InstanceArn,
            AccountAssignmentCreationRequestId: added.AccountAssignmentCreationStatus?.RequestId,
          }),
        )
      ).AccountAssignmentCreationStatus?.Status,
  );
  assert.deepEqual(
    (await sso.send(new ListAccountsCommand({ accessToken: tok.accessToken }))).accountList
      ?.map((a) => a.accountId)
      .sort(),
    [MGMT, MEMBER],
  );
  assert.deepEqual(
    (await sso.send(new ListAccountRolesCommand({ accessToken: tok.accessToken, accountId: MGMT }))).roleList,
    [{ roleName: 'Billing', accountId: MGMT }],
  );
  const removed = await admin.send(new DeleteAccountAssignmentCommand(direct));
  await settle(
    async () =>
      (
        await admin.send(
          new DescribeAccountAssignmentDeletionStatusCommand({
            InstanceArn,
            AccountAssignmentDeletionRequestId: removed.AccountAssignmentDeletionStatus?.RequestId,
          }),
        )
      ).AccountAssignmentDeletionStatus?.Status,
  );
  assert.deepEqual(
    (await sso.send(new ListAccountsCommand({ accessToken: tok.accessToken }))).accountList?.map((a) => a.accountId),
    [MEMBER],
  );
  admin.destroy();
  await sso.send(new LogoutCommand({ accessToken: tok.accessToken }));
  await assert.rejects(sso.send(new ListAccountsCommand({ accessToken: tok.accessToken })), {
    name: 'UnauthorizedException',
  });
});

test('authorization code with PKCE: consent in the browser, code exchanged with the verifier, refresh token rotates', async (t) => {
  if (!needPeers(t, 'chromium')) return;
  const oidc = new SSOOIDCClient({ endpoint: emu.url, region: 'us-east-1', maxAttempts: 1 });
  const reg = await oidc.send(
    new RegisterClientCommand({
      clientName: 'botocore-client-test',
      clientType: 'public',
      grantTypes: ['authorization_code', 'refresh_token'],
      redirectUris: ['http://127.0.0.1/oauth/callback'],
      scopes: ['sso:account:access'],
    }),
  );
  let received: URL | undefined;
  const cb = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (u.pathname === '/oauth/callback') received = u;
    res.end('ok');
  });
  await new Promise<void>((r) => cb.listen(0, '127.0.0.1', r));
  const redirectUri = `http://127.0.0.1:${(cb.address() as AddressInfo).port}/oauth/callback`;
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const context = await (browser as Browser).newContext();
  try {
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: reg.clientId as string,
      redirect_uri: redirectUri,
      state: 'st-1',
      code_challenge_method: 'S256',
      scopes: 'sso:account:access',
      code_challenge: challenge,
    });
    const p = await context.newPage();
    await p.goto(`${emu.url}/authorize?${q.toString()}`);
    await p.waitForSelector('#allow');
    await p.click('#allow');
    await p.waitForURL(/oauth\/callback/);
  } finally {
    await context.close();
    await new Promise((r) => cb.close(r));
  }
  assert.equal(received?.searchParams.get('state'), 'st-1');
  const code = received?.searchParams.get('code') as string;
  const exchange = (codeVerifier: string) =>
    oidc.send(
      new CreateTokenCommand({
        clientId: reg.clientId,
        clientSecret: reg.clientSecret,
        grantType: 'authorization_code',
        code,
        codeVerifier,
        redirectUri,
      }),
    );
  const tok = await exchange(verifier);
  assert.ok(tok.accessToken && tok.refreshToken);
  await assert.rejects(exchange(verifier), { name: 'InvalidGrantException' });
  const refreshed = await oidc.send(
    new CreateTokenCommand({
      clientId: reg.clientId,
      clientSecret: reg.clientSecret,
      grantType: 'refresh_token',
      refreshToken: tok.refreshToken,
    }),
  );
  assert.ok(refreshed.accessToken && refreshed.refreshToken !== tok.refreshToken);
  await assert.rejects(
    oidc.send(
      new CreateTokenCommand({
        clientId: reg.clientId,
        clientSecret: reg.clientSecret,
        grantType: 'refresh_token',
        refreshToken: tok.refreshToken,
      }),
    ),
    { name: 'InvalidGrantException' },
  );
  await assert.rejects(
    oidc.send(
      new CreateTokenCommand({ clientId: reg.clientId, clientSecret: reg.clientSecret, grantType: 'password' }),
    ),
    { name: 'UnsupportedGrantTypeException' },
  );
});

/** Points CLI 2.9 (which predates AWS_ENDPOINT_URL_*) at the emulator with endpoint rule sets in AWS_DATA_PATH. */
function cliDataPath(dir: string, url: string): string {
  const root = join(dir, 'data');
  const ruleset = {
    version: '1.0',
    parameters: {
      Region: { builtIn: 'AWS::Region', required: false, documentation: 'region', type: 'String' },
      UseDualStack: {
        builtIn: 'AWS::UseDualStack',
        required: true,
        default: false,
        documentation: 'dual stack',
        type: 'Boolean',
      },
      UseFIPS: { builtIn: 'AWS::UseFIPS', required: true, default: false, documentation: 'fips', type: 'Boolean' },
      Endpoint: { builtIn: 'SDK::Endpoint', required: false, documentation: 'endpoint', type: 'String' },
    },
    rules: [{ conditions: [], endpoint: { url, properties: {}, headers: {} }, type: 'endpoint' }],
  };
  for (const svc of ['sso-oidc', 'sso']) {
    mkdirSync(join(root, svc, '2019-06-10'), { recursive: true });
    writeFileSync(join(root, svc, '2019-06-10', 'endpoint-rule-set-1.json'), JSON.stringify(ruleset));
  }
  return root;
}

test('aws sso login (device code, CLI v2) approved through the IdP in Chromium, then aws sts get-caller-identity prints the AWSReservedSSO role', async (t) => {
  if (!needPeers(t, 'chromium', 'aws-cli')) return;
  const dir = mkdtempSync(join(tmpdir(), 'idc-sso-'));
  writeFileSync(
    join(dir, 'config'),
    [
      '[profile idc]',
      `sso_start_url = ${idc.instance.startUrl}`,
      'sso_region = us-east-1',
      `sso_account_id = ${MEMBER}`,
      'sso_role_name = ReadOnly',
      'region = us-east-1',
      '',
    ].join('\n'),
  );
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    AWS_CONFIG_FILE: join(dir, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_MAX_ATTEMPTS: '1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_PAGER: '',
    AWS_DATA_PATH: cliDataPath(dir, emu.url),
    AWS_ENDPOINT_URL_SSO: emu.url,
    AWS_ENDPOINT_URL_SSO_OIDC: emu.url,
    BROWSER: 'true',
  };
  const login = spawn(AWS_CLI, ['sso', 'login', '--profile', 'idc', '--no-browser'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  login.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => login.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no verification URL from aws sso login: ${out} ${err}`)), 90_000);
    login.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/\S+\/device\?user_code=[A-Z-]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    });
  });
  const context = await (browser as Browser).newContext();
  try {
    const p = await context.newPage();
    await p.goto(url);
    await p.waitForSelector('#allow');
    await p.click('#allow');
    await p.waitForSelector('#approved');
  } finally {
    await context.close();
  }
  let killer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    exited,
    new Promise<null>((r) => {
      killer = setTimeout(() => {
        login.kill();
        r(null);
      }, 90_000);
    }),
  ]);
  clearTimeout(killer);
  assert.equal(code, 0, `aws sso login failed: ${out} ${err}`);
  assert.match(out, /Successfully logged into Start URL/);
  const who = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      AWS_CLI,
      ['sts', 'get-caller-identity', '--profile', 'idc', '--endpoint-url', emu.url, '--output', 'json'],
      { env, encoding: 'utf8', timeout: 60_000 },
      (e, stdout, stderr) => {
        resolve({ code: e ? 1 : 0, stdout, stderr });
      },
    );
  });
  assert.equal(who.code, 0, who.stderr);
  const arn = (JSON.parse(who.stdout) as { Arn: string }).Arn;
  assert.equal(arn, `arn:aws:sts::${MEMBER}:assumed-role/${roleName}/alice@example.com`);
  console.log(`aws sts get-caller-identity --profile idc → ${arn}`);

  // The SDK v3 default chain reads the same token cache and calls GetRoleCredentials (AWS CLI User Guide, "Configuring
  // IAM Identity Center authentication with the AWS CLI").
  const saved = {
    HOME: process.env.HOME,
    AWS_CONFIG_FILE: process.env.AWS_CONFIG_FILE,
    AWS_SHARED_CREDENTIALS_FILE: process.env.AWS_SHARED_CREDENTIALS_FILE,
    AWS_ENDPOINT_URL_SSO: process.env.AWS_ENDPOINT_URL_SSO,
  };
  Object.assign(process.env, {
    HOME: dir,
    AWS_CONFIG_FILE: env.AWS_CONFIG_FILE,
    AWS_SHARED_CREDENTIALS_FILE: env.AWS_SHARED_CREDENTIALS_FILE,
    AWS_ENDPOINT_URL_SSO: emu.url,
  });
  try {
    const sdk = new STSClient({ profile: 'idc', endpoint: emu.url, region: 'us-east-1', maxAttempts: 1 });
    assert.equal((await sdk.send(new GetCallerIdentityCommand({}))).Arn, arn);
    sdk.destroy();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }

  // aws sso logout calls the portal's Logout; the cached token no longer works.
  const logout = await new Promise<number>((resolve) =>
    execFile(AWS_CLI, ['sso', 'logout', '--profile', 'idc'], { env, timeout: 60_000 }, (e) => resolve(e ? 1 : 0)),
  );
  assert.equal(logout, 0);
  const after = await new Promise<number>((resolve) =>
    execFile(
      AWS_CLI,
      ['sts', 'get-caller-identity', '--profile', 'idc', '--endpoint-url', emu.url],
      { env, timeout: 60_000 },
      (e) => resolve(e ? 1 : 0),
    ),
  );
  assert.equal(after, 1);
});

/** Strips terminal control sequences from what prompt_toolkit draws. */
const plain = (s: string): string =>
  s
    .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
    .replace(/\x1b[()][A-Z0-9]/g, '')
    .replace(/\r/g, '');

test('aws configure sso (interactive, in a pseudo-terminal) writes a working profile for the assigned account and permission set', async (t) => {
  if (!needPeers(t, 'chromium', 'aws-cli', 'script')) return;
  const dir = mkdtempSync(join(tmpdir(), 'idc-configure-'));
  writeFileSync(join(dir, 'config'), '');
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    AWS_CONFIG_FILE: join(dir, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_MAX_ATTEMPTS: '1',
    AWS_PAGER: '',
    TERM: 'xterm',
    COLUMNS: '200',
    LINES: '50',
    AWS_DATA_PATH: cliDataPath(dir, emu.url),
    AWS_ENDPOINT_URL_SSO: emu.url,
    AWS_ENDPOINT_URL_SSO_OIDC: emu.url,
  };
  const child = spawn('/usr/bin/script', ['-qfec', `${AWS_CLI} configure sso --no-browser`, '/dev/null'], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let raw = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.stdout.on('data', (d: Buffer) => {
    const text = d.toString();
    raw += text;
    // prompt_toolkit asks the terminal for the cursor position; answer as a terminal would.
    if (text.includes('\x1b[6n')) child.stdin.write('\x1b[1;1R');
  });
  let consumed = 0;
  const waitFor = (re: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const timer = setTimeout(() => {
        clearInterval(poll);
        reject(new Error(`timed out waiting for ${re}: ${plain(raw).slice(-800)}`));
      }, 90_000);
      const poll = setInterval(() => {
        const m = re.exec(plain(raw).slice(consumed));
        if (m) {
          consumed += m.index + m[0].length;
          clearTimeout(timer);
          clearInterval(poll);
          resolve(m);
        }
      }, 50);
    });
  const answer = async (prompt: RegExp, value: string) => {
    await waitFor(prompt);
    child.stdin.write(`${value}\r`);
  };
  try {
    await answer(/SSO session name[^:]*:/, '');
    await answer(/SSO start URL[^:]*:/, idc.instance.startUrl);
    await answer(/SSO region[^:]*:/, 'us-east-1');
    const url = (await waitFor(/(http:\/\/\S+\/device\?user_code=[A-Z-]+)/))[1] as string;
    const context = await (browser as Browser).newContext();
    try {
      const p = await context.newPage();
      await p.goto(url);
      await p.waitForSelector('#allow');
      await p.click('#allow');
      await p.waitForSelector('#approved');
    } finally {
      await context.close();
    }
    await waitFor(new RegExp(`Using the account ID ${MEMBER}`));
    await waitFor(/Using the role name "?ReadOnly"?/);
    await answer(/CLI default client Region[^:]*:/, 'us-east-1');
    await answer(/CLI default output format[^:]*:/, 'json');
    await answer(/CLI profile name[^:]*:/, 'idc-configured');
    let killer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      exited,
      new Promise<null>((r) => {
        killer = setTimeout(() => {
          child.kill();
          r(null);
        }, 90_000);
      }),
    ]);
    clearTimeout(killer);
    assert.equal(code, 0, plain(raw).slice(-800));
  } finally {
    if (child.exitCode === null) child.kill();
  }
  const who = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      AWS_CLI,
      ['sts', 'get-caller-identity', '--profile', 'idc-configured', '--endpoint-url', emu.url],
      { env, encoding: 'utf8', timeout: 60_000 },
      (e, stdout, stderr) => resolve({ code: e ? 1 : 0, stdout, stderr }),
    );
  });
  assert.equal(who.code, 0, who.stderr);
  assert.equal(
    (JSON.parse(who.stdout) as { Arn: string }).Arn,
    `arn:aws:sts::${MEMBER}:assumed-role/${roleName}/alice@example.com`,
  );
});
