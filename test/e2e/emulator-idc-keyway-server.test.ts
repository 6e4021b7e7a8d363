/**
 * The whole Pattern B sign-in with real parts: a Keyway server is the SAML IdP of the emulated IAM Identity Center.
 * A person opens the access portal in Chromium, signs in at Keyway, lands on the portal and opens the console as
 * the AWSReservedSSO role; then `aws sso login` (CLI v2) is approved in a fresh browser through Keyway again, and
 * `aws sts get-caller-identity` prints the AWSReservedSSO assumed-role ARN.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import {
  SSOAdminClient,
  CreatePermissionSetCommand,
  AttachManagedPolicyToPermissionSetCommand,
  CreateAccountAssignmentCommand,
} from '@aws-sdk/client-sso-admin';
import { hashPassword } from '../../src/auth/index.js';
import { loadConfig, startServer, type RunningServer } from '../../src/server/index.js';
import {
  identityCenterFactory,
  silentLogger,
  startEmulator,
  type IdentityCenter,
  type RunningEmulator,
} from '../../src/aws-emulator/index.js';
import { waitForAssignmentCreation } from './idc-assignment-helpers.js';
import { adminApi } from './keyway-api-helpers.js';
import { AWS_CLI, CHROMIUM, missingPeers } from '../../src/testing/index.js';

const CHROME_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const MEMBER = '555555555555';
const PASSWORD = 'analytical engine 1843';
const skip = missingPeers('chromium', 'aws-cli');

describe('Keyway as the SAML IdP of the emulated IAM Identity Center (docs/pattern-b-demo.md)', { skip }, () => {
  let dir: string;
  let keyway: RunningServer;
  let emu: RunningEmulator;
  let idc: IdentityCenter;
  let browser: Browser;
  let roleName = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keyway-idc-'));
    emu = await startEmulator({
      logger: silentLogger,
      registrations: [
        identityCenterFactory({ asyncDelayMs: 5 }, (x) => {
          idc = x;
        }),
      ],
    });
    const config = loadConfig(
      {
        KEYWAY_MASTER_KEY: '33'.repeat(32),
        KEYWAY_LOG_LEVEL: 'silent',
        KEYWAY_HOST: '127.0.0.1',
        KEYWAY_PORT: '0',
        KEYWAY_DATABASE_URL: `sqlite:${join(dir, 'keyway.db')}`,
        KEYWAY_DATA_DIR: join(dir, 'data'),
      },
      { cwd: dir },
    );
    keyway = await startServer(config, { handleSignals: false });
    const api = await adminApi(keyway);
    // Keyway: the person and the group allowed to use the Identity Center application.
    const ada = await api('POST', '/users', {
      userName: 'ada',
      displayName: 'Ada Lovelace',
      emails: [{ value: 'ada@example.org', primary: true }],
    });
    await keyway.store.credentials.setPassword(String(ada.id), await hashPassword(PASSWORD));
    const admins = await api('POST', '/groups', { displayName: 'aws-admins' });
    await api('POST', `/groups/${String(admins.id)}/members`, { kind: 'user', id: String(ada.id) });
    await api('POST', '/apps', {
      name: 'AWS IAM Identity Center',
      metadataXml: await (await fetch(idc.spMetadataUrl(emu.url))).text(),
      nameIdFormat: 'emailAddress',
      nameIdSource: 'user.email',
      allowedGroupIds: [String(admins.id)],
    });
    // Identity Center: Keyway as its identity source, and the same person provisioned with userName = email.
    idc.configureSamlIdp(await (await fetch(`${keyway.url}/saml/metadata`)).text());
    const scimToken = idc.createScimToken().token;
    const scim = async (path: string, body: unknown) =>
      (await (
        await fetch(`${idc.scimEndpoint(emu.url)}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${scimToken}` },
          body: JSON.stringify(body),
        })
      ).json()) as { id: string };
    const user = await scim('/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'ada@example.org',
      displayName: 'Ada Lovelace',
      name: { givenName: 'Ada', familyName: 'Lovelace' },
      emails: [{ value: 'ada@example.org', primary: true }],
    });
    const group = await scim('/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'aws-admins',
      members: [{ value: user.id }],
    });
    const admin = new SSOAdminClient({
      endpoint: emu.url,
      region: 'us-east-1',
      credentials: emu.rootCredentials('111111111111'),
      maxAttempts: 1,
    });
    const InstanceArn = idc.instance.instanceArn;
    const ps = await admin.send(
      new CreatePermissionSetCommand({ InstanceArn, Name: 'AdministratorAccess', SessionDuration: 'PT4H' }),
    );
    const PermissionSetArn = ps.PermissionSet?.PermissionSetArn;
    await admin.send(
      new AttachManagedPolicyToPermissionSetCommand({
        InstanceArn,
        PermissionSetArn,
        ManagedPolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
      }),
    );
    const r = await admin.send(
      new CreateAccountAssignmentCommand({
        InstanceArn,
        PermissionSetArn,
        TargetId: MEMBER,
        TargetType: 'AWS_ACCOUNT',
        PrincipalType: 'GROUP',
        PrincipalId: group.id,
      }),
    );
    await waitForAssignmentCreation(admin, InstanceArn, r.AccountAssignmentCreationStatus?.RequestId);
    admin.destroy();
    roleName =
      emu.iam.listRoles(MEMBER).find((x) => x.name.startsWith('AWSReservedSSO_AdministratorAccess_'))?.name ?? '';
    assert.ok(roleName);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROME_ARGS });
  });

  after(async () => {
    await browser?.close();
    idc?.close();
    await emu?.close();
    await keyway?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function signInAtKeyway(page: Page): Promise<void> {
    await page.waitForSelector('#userName');
    assert.ok(page.url().startsWith(keyway.url), `expected Keyway's sign-in page, got ${page.url()}`);
    await page.fill('#userName', 'ada');
    await page.fill('#password', PASSWORD);
    await page.click('button[type=submit]');
  }

  test('the access portal signs in through Keyway, lists the group-assigned account and opens the console as the AWSReservedSSO role', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(idc.portalUrl(emu.url));
      await signInAtKeyway(page);
      await page.waitForSelector('#user', { timeout: 60_000 });
      assert.equal(await page.textContent('#user'), 'ada@example.org');
      assert.match((await page.textContent('body')) ?? '', /555555555555/);
      await page.click('button:has-text("AdministratorAccess")');
      await page.waitForSelector('#assumed-role-arn');
      assert.equal(
        await page.textContent('#assumed-role-arn'),
        `arn:aws:sts::${MEMBER}:assumed-role/${roleName}/ada@example.org`,
      );
    } finally {
      await context.close();
    }
  });

  test('aws sso login approved after signing in at Keyway; aws sts get-caller-identity prints the AWSReservedSSO assumed-role ARN', async () => {
    const cli = join(dir, 'cli');
    mkdirSync(cli, { recursive: true });
    writeFileSync(
      join(cli, 'config'),
      [
        '[profile admin]',
        `sso_start_url = ${idc.instance.startUrl}`,
        'sso_region = us-east-1',
        `sso_account_id = ${MEMBER}`,
        'sso_role_name = AdministratorAccess',
        'region = us-east-1',
        '',
      ].join('\n'),
    );
    const ruleset = {
      version: '1.0',
      parameters: { Region: { builtIn: 'AWS::Region', required: false, documentation: 'region', type: 'String' } },
      rules: [{ conditions: [], endpoint: { url: emu.url, properties: {}, headers: {} }, type: 'endpoint' }],
    };
    for (const svc of ['sso-oidc', 'sso']) {
      mkdirSync(join(cli, 'data', svc, '2019-06-10'), { recursive: true });
      writeFileSync(join(cli, 'data', svc, '2019-06-10', 'endpoint-rule-set-1.json'), JSON.stringify(ruleset));
    }
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: cli,
      AWS_CONFIG_FILE: join(cli, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(cli, 'credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_MAX_ATTEMPTS: '1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_PAGER: '',
      AWS_DATA_PATH: join(cli, 'data'),
      AWS_ENDPOINT_URL_SSO: emu.url,
      AWS_ENDPOINT_URL_SSO_OIDC: emu.url,
    };
    const login = spawn(AWS_CLI, ['sso', 'login', '--profile', 'admin', '--no-browser'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    login.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => login.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no verification URL: ${out}`)), 90_000);
        login.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /(http:\/\/\S+\/device\?user_code=[A-Z-]+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(m[1] as string);
          }
        });
      });
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        await page.goto(url);
        await signInAtKeyway(page);
        await page.waitForSelector('#allow', { timeout: 60_000 });
        await page.click('#allow');
        await page.waitForSelector('#approved');
      } finally {
        await context.close();
      }
      let killer: NodeJS.Timeout | undefined;
      const code = await Promise.race([
        exited,
        new Promise<null>((r) => {
          killer = setTimeout(() => r(null), 90_000);
        }),
      ]);
      clearTimeout(killer);
      assert.equal(code, 0, out);
    } finally {
      if (login.exitCode === null) login.kill();
    }
    const who = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        AWS_CLI,
        ['sts', 'get-caller-identity', '--profile', 'admin', '--endpoint-url', emu.url, '--output', 'json'],
        { env, encoding: 'utf8', timeout: 60_000 },
        (e, stdout, stderr) => resolve({ code: e ? 1 : 0, stdout, stderr }),
      );
    });
    assert.equal(who.code, 0, who.stderr);
    const arn = (JSON.parse(who.stdout) as { Arn: string }).Arn;
    assert.equal(arn, `arn:aws:sts::${MEMBER}:assumed-role/${roleName}/ada@example.org`);
    console.log(`aws sts get-caller-identity --profile admin (signed in at Keyway) → ${arn}`);
  });
});
