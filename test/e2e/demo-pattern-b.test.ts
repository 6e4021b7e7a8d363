/**
 * The README's Pattern B tour, built by the same steps as `npm start` (demo organisation, AWS emulator with IAM
 * Identity Center, Pattern A, then the Identity Center step) on ephemeral ports with a temporary SQLite database:
 * the access portal signs in through Keyway and opens the console as the AWSReservedSSO role; the SCIM-seeded users
 * are in the identity store; the printed `aws sso login` commands work with AWS CLI v2; a second run changes nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import {
  DeleteGroupMembershipCommand,
  GetGroupIdCommand,
  GetGroupMembershipIdCommand,
  IdentitystoreClient,
  ListGroupMembershipsCommand,
  ListGroupsCommand,
  ListUsersCommand,
} from '@aws-sdk/client-identitystore';
import { ListAccountAssignmentsCommand, ListPermissionSetsCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { silentLogger, startEmulator, type RunningEmulator } from '../../src/aws-emulator/index.js';
import { systemActor } from '../../src/core/index.js';
import {
  createSamlRuntimeFrom,
  listenOnFreePort,
  loadConfig,
  startServer,
  type RunningServer,
  type ServerConfig,
} from '../../src/server/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { awsPatternA, demoEmulator } from '../../src/demo/aws-pattern-a.js';
import {
  callIdentityCenterAdmin,
  IDC_APP_NAME,
  identityCenterDemo,
  identityCenterPatternB,
  IdentityCenterSetupError,
  setUpIdentityCenter,
  type IdentityCenterDemo,
} from '../../src/demo/identity-center.js';
import { seedOrganisation } from '../../src/demo/seed.js';
import type { DemoBaseContext, DemoSeedContext } from '../../src/demo/steps.js';
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
const PRODUCTION = '333333333333';
const DEVELOPMENT = '555555555555';
const MANAGEMENT = '111111111111';

const browserSkip = missingPeers('chromium');
const cliSkip = missingPeers('aws-cli');

describe('npm start sets up Pattern B: Keyway is the SAML IdP of the emulated IAM Identity Center (docs/pattern-b-demo.md)', () => {
  let dir: string;
  let config: ServerConfig;
  let store: Store;
  let server: RunningServer;
  let emu: RunningEmulator;
  let demo: IdentityCenterDemo;
  let seedCtx: DemoSeedContext;
  let browser: Browser | undefined;
  let socket: Server | undefined;
  const banner: string[] = [];
  const logs: string[] = [];
  const shutdowns: (() => Promise<void> | void)[] = [];
  let identitystore: IdentitystoreClient;
  let ssoAdmin: SSOAdminClient;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keyway-demo-b-'));
    // The demo steps write Keyway's URL into AWS's configuration before Keyway listens: reserve the port first.
    socket = await listenOnFreePort('127.0.0.1');
    const env: Record<string, string | undefined> = {
      KEYWAY_MASTER_KEY: '66'.repeat(32),
      KEYWAY_LOG_LEVEL: 'silent',
      KEYWAY_DATA_DIR: dir,
      KEYWAY_HOST: '127.0.0.1',
      KEYWAY_PORT: String((socket.address() as AddressInfo).port),
      KEYWAY_DEMO_EMULATOR_PORT: '0',
    };
    const base: DemoBaseContext = {
      env,
      cwd: dir,
      log: (l) => logs.push(l),
      banner: (...l) => banner.push(...l),
      onShutdown: (fn) => shutdowns.push(fn),
    };
    await awsPatternA.prepare?.(base);
    config = loadConfig(env, { cwd: dir });
    store = await openStore(config.databaseUrl);
    seedCtx = { ...base, config, store };
    for (const step of [seedOrganisation, awsPatternA, identityCenterPatternB]) await step.seed?.(seedCtx);
    server = await startServer(config, { store, handleSignals: false, socket });
    const running = demoEmulator();
    const set = identityCenterDemo();
    assert.ok(running && set, 'the demo steps started the emulator and set up Identity Center');
    emu = running;
    demo = set;
    const client = {
      endpoint: emu.url,
      region: 'us-east-1',
      credentials: emu.rootCredentials(MANAGEMENT),
      maxAttempts: 1,
    };
    identitystore = new IdentitystoreClient(client);
    ssoAdmin = new SSOAdminClient(client);
    if (!browserSkip) browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROME_ARGS });
  });

  after(async () => {
    await browser?.close();
    identitystore?.destroy();
    ssoAdmin?.destroy();
    if (server) await server.close();
    else socket?.close();
    for (const fn of shutdowns.reverse()) await fn();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function signInAtKeyway(page: Page, user: string): Promise<void> {
    await page.waitForSelector('#userName', { timeout: 15_000 });
    assert.ok(page.url().startsWith(server.url), `expected Keyway's sign-in page, got ${page.url()}`);
    await page.fill('#userName', user);
    await page.fill('#password', `${user}-keyway-demo`);
    await page.click('button[type=submit]');
  }

  const reservedRole = (account: string, permissionSet: string) =>
    emu.iam.listRoles(account).find((r) => r.name.startsWith(`AWSReservedSSO_${permissionSet}_`));

  test('the banner prints the access portal and the aws configure sso / sso login / get-caller-identity commands with the emulator endpoint', () => {
    const text = banner.join('\n');
    assert.match(text, new RegExp(`open ${emu.url}/start → sign in at Keyway`));
    assert.match(text, new RegExp(`Start URL ${demo.description.StartUrl.replace(/\./g, '\\.')}`));
    assert.match(text, /aws configure sso --no-browser/);
    assert.match(text, /aws sso login --profile carol-prod --no-browser/);
    assert.match(text, new RegExp(`aws sts get-caller-identity --profile carol-prod --endpoint-url ${emu.url}`));
    assert.match(
      text,
      new RegExp(
        `export AWS_DATA_PATH=${demo.cliDataPath} AWS_ENDPOINT_URL_SSO=${emu.url} AWS_ENDPOINT_URL_SSO_OIDC=${emu.url}`,
      ),
    );
    assert.match(text, /Engineering\s+→ permission set ReadOnly in Development/);
  });

  test('Keyway registered Identity Center from its SP metadata with the email as emailAddress NameID, and Identity Center trusts Keyway', async () => {
    const apps = (await createSamlRuntimeFrom({ config, store }).apps.list({ limit: 500 })).items.filter(
      (a) => a.name === IDC_APP_NAME,
    );
    assert.equal(apps.length, 1);
    const app = apps[0];
    assert.ok(app);
    assert.equal(app.entityId, demo.description.SpEntityId);
    assert.deepEqual(
      app.acs.map((a) => a.url),
      [`${emu.url}${demo.description.AcsPath}`],
    );
    assert.equal(app.nameIdFormat, 'emailAddress');
    assert.equal(app.nameIdSource, 'user.email');
    const described = await callIdentityCenterAdmin<{ IdpEntityId: string | null }>(emu, 'DescribeIdentityCenter');
    assert.equal(described.IdpEntityId, `${server.url}/saml/metadata`);
  });

  test('the SCIM-seeded users and groups are in the identity store: userName = email, nested Developers flattened into Engineering', async () => {
    const IdentityStoreId = demo.description.IdentityStoreId;
    const users = (await identitystore.send(new ListUsersCommand({ IdentityStoreId, MaxResults: 100 }))).Users ?? [];
    assert.deepEqual(users.map((u) => u.UserName).sort(), [
      'alice@example.com',
      'bob@example.com',
      'carol@example.com',
      'dave@example.com',
    ]);
    const carol = users.find((u) => u.UserName === 'carol@example.com');
    assert.equal(carol?.DisplayName, 'Carol Chen');
    assert.equal(carol?.Name?.GivenName, 'Carol');
    const groups = (await identitystore.send(new ListGroupsCommand({ IdentityStoreId, MaxResults: 100 }))).Groups ?? [];
    assert.deepEqual(groups.map((g) => g.DisplayName).sort(), [
      'Admins',
      'Developers',
      'Engineering',
      'Finance',
      'Operations',
    ]);
    const engineering = await identitystore.send(
      new GetGroupIdCommand({
        IdentityStoreId,
        AlternateIdentifier: { UniqueAttribute: { AttributePath: 'displayName', AttributeValue: 'Engineering' } },
      }),
    );
    const members =
      (
        await identitystore.send(
          new ListGroupMembershipsCommand({ IdentityStoreId, GroupId: engineering.GroupId, MaxResults: 100 }),
        )
      ).GroupMemberships ?? [];
    const byId = new Map(users.map((u) => [u.UserId, u.UserName]));
    assert.deepEqual(members.map((m) => byId.get(m.MemberId?.UserId ?? '')).sort(), [
      'bob@example.com',
      'carol@example.com',
    ]);
    const tokens = await callIdentityCenterAdmin<{ Tokens: unknown[] }>(emu, 'ListScimAccessTokens');
    assert.deepEqual(tokens.Tokens, [], 'the seeding token is deleted after use');
  });

  test('permission sets ReadOnly and Admin are assigned to groups in two accounts and provisioned as AWSReservedSSO roles', () => {
    for (const [account, ps] of [
      [PRODUCTION, 'Admin'],
      [PRODUCTION, 'ReadOnly'],
      [DEVELOPMENT, 'Admin'],
      [DEVELOPMENT, 'ReadOnly'],
    ] as const) {
      const role = reservedRole(account, ps);
      assert.ok(role, `AWSReservedSSO_${ps}_* in ${account}`);
      assert.equal(role.path, '/aws-reserved/sso.amazonaws.com/');
    }
    assert.equal(reservedRole(MANAGEMENT, 'Admin'), undefined, 'no assignment in the management account');
  });

  // Sign-ins and the CLI only read what the step set up, so they run side by side (the CLI mostly waits on its poll
  // interval).
  describe('signing in through Keyway', { concurrency: true }, () => {
    test('the access portal sends the browser to Keyway; carol signs in, sees her accounts and permission sets, and opens the console as AWSReservedSSO_Admin', {
      skip: browserSkip,
    }, async () => {
      const context = await (browser as Browser).newContext();
      try {
        const page = await context.newPage();
        await page.goto(demo.portalUrl);
        await signInAtKeyway(page, 'carol');
        await page.waitForSelector('#user', { timeout: 15_000 });
        assert.ok(page.url().startsWith(emu.url), `back on the portal, got ${page.url()}`);
        assert.equal(await page.textContent('#user'), 'carol@example.com');
        const rows = await page
          .locator('tbody tr')
          .evaluateAll((trs) =>
            trs
              .map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent ?? ''))
              .map((c) => `${c[1]} ${c[3]}`),
          );
        assert.deepEqual(
          rows.sort(),
          [`${PRODUCTION} Admin`, `${PRODUCTION} ReadOnly`, `${DEVELOPMENT} ReadOnly`].sort(),
        );
        await page.locator('tr', { hasText: PRODUCTION }).getByRole('button', { name: 'Admin', exact: true }).click();
        await page.waitForSelector('#assumed-role-arn');
        const role = reservedRole(PRODUCTION, 'Admin');
        assert.equal(
          await page.textContent('#assumed-role-arn'),
          `arn:aws:sts::${PRODUCTION}:assumed-role/${role?.name}/carol@example.com`,
        );
      } finally {
        await context.close();
      }
    });

    test("the AWS IAM Identity Center tile on Keyway's portal signs in IdP-initiated and lands on the access portal as bob", {
      skip: browserSkip,
    }, async () => {
      const context = await (browser as Browser).newContext();
      try {
        const page = await context.newPage();
        await page.goto(`${server.url}/signin`);
        await signInAtKeyway(page, 'bob');
        await page.waitForURL(`${server.url}/`, { timeout: 15_000 });
        await page.locator('.tile', { hasText: IDC_APP_NAME }).locator('a, button').first().click();
        await page.waitForSelector('#user', { timeout: 15_000 });
        assert.equal(await page.textContent('#user'), 'bob@example.com');
        const rows = await page
          .locator('tbody tr')
          .evaluateAll((trs) =>
            trs
              .map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent ?? ''))
              .map((c) => `${c[1]} ${c[3]}`),
          );
        assert.deepEqual(
          rows.sort(),
          [`${PRODUCTION} ReadOnly`, `${DEVELOPMENT} ReadOnly`].sort(),
          'bob reaches Engineering through Developers',
        );
      } finally {
        await context.close();
      }
    });

    test('dave (Finance, no assignment) signs in through Keyway and the portal says no accounts are assigned', {
      skip: browserSkip,
    }, async () => {
      const context = await (browser as Browser).newContext();
      try {
        const page = await context.newPage();
        await page.goto(demo.portalUrl);
        await signInAtKeyway(page, 'dave');
        await page.waitForSelector('#user', { timeout: 15_000 });
        assert.equal(await page.textContent('#user'), 'dave@example.com');
        assert.match((await page.textContent('body')) ?? '', /You do not have any applications or accounts assigned/);
      } finally {
        await context.close();
      }
    });

    test('the printed CLI tour works with AWS CLI 2.9: aws sso login approved through Keyway, then get-caller-identity is the AWSReservedSSO role', {
      skip: browserSkip || cliSkip,
    }, async () => {
      const exported = /export (AWS_DATA_PATH=\S+) (AWS_ENDPOINT_URL_SSO=\S+) (AWS_ENDPOINT_URL_SSO_OIDC=\S+)/.exec(
        banner.join('\n'),
      );
      assert.ok(exported, 'the banner exports the CLI endpoint settings');
      const fromBanner = Object.fromEntries(exported.slice(1).map((kv) => kv.split('=', 2) as [string, string]));
      const home = join(dir, 'cli-home');
      const cfg = join(dir, 'aws-config');
      // What `aws configure sso` writes for Production / ReadOnly (its prompts are tested in emulator-idc-signin).
      writeFileSync(
        cfg,
        [
          '[profile carol-prod]',
          `sso_start_url = ${demo.description.StartUrl}`,
          'sso_region = us-east-1',
          `sso_account_id = ${PRODUCTION}`,
          'sso_role_name = ReadOnly',
          'region = us-east-1',
          '',
        ].join('\n'),
      );
      const env = {
        PATH: process.env.PATH ?? '',
        HOME: home,
        AWS_CONFIG_FILE: cfg,
        AWS_SHARED_CREDENTIALS_FILE: join(dir, 'aws-credentials'),
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_MAX_ATTEMPTS: '1',
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_PAGER: '',
        ...fromBanner,
      };
      const login = spawn(AWS_CLI, ['sso', 'login', '--profile', 'carol-prod', '--no-browser'], {
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
          const timer = setTimeout(() => reject(new Error(`no verification URL: ${out}`)), 20_000);
          login.stdout.on('data', (d: Buffer) => {
            out += d.toString();
            const m = /(http:\/\/\S+\/device\?user_code=[A-Z-]+)/.exec(out);
            if (m) {
              clearTimeout(timer);
              resolve(m[1] as string);
            }
          });
        });
        assert.ok(url.startsWith(emu.url));
        const context = await (browser as Browser).newContext();
        try {
          const page = await context.newPage();
          await page.goto(url);
          await signInAtKeyway(page, 'carol');
          await page.waitForSelector('#allow', { timeout: 15_000 });
          await page.click('#allow');
          await page.waitForSelector('#approved');
        } finally {
          await context.close();
        }
        let killer: NodeJS.Timeout | undefined;
        const code = await Promise.race([
          exited,
          new Promise<null>((r) => {
            killer = setTimeout(() => r(null), 20_000);
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
          ['sts', 'get-caller-identity', '--profile', 'carol-prod', '--endpoint-url', emu.url, '--output', 'json'],
          { env, encoding: 'utf8', timeout: 30_000 },
          (e, stdout, stderr) => resolve({ code: e ? 1 : 0, stdout, stderr }),
        );
      });
      assert.equal(who.code, 0, who.stderr);
      const role = reservedRole(PRODUCTION, 'ReadOnly');
      assert.equal(
        (JSON.parse(who.stdout) as { Arn: string }).Arn,
        `arn:aws:sts::${PRODUCTION}:assumed-role/${role?.name}/carol@example.com`,
      );
    });
  });

  async function snapshot() {
    const IdentityStoreId = demo.description.IdentityStoreId;
    const InstanceArn = demo.description.InstanceArn;
    const users = (await identitystore.send(new ListUsersCommand({ IdentityStoreId, MaxResults: 100 }))).Users ?? [];
    const groups = (await identitystore.send(new ListGroupsCommand({ IdentityStoreId, MaxResults: 100 }))).Groups ?? [];
    const memberships: string[] = [];
    for (const g of groups) {
      const ms =
        (
          await identitystore.send(
            new ListGroupMembershipsCommand({ IdentityStoreId, GroupId: g.GroupId, MaxResults: 100 }),
          )
        ).GroupMemberships ?? [];
      memberships.push(...ms.map((m) => `${g.DisplayName}:${m.MemberId?.UserId}:${m.MembershipId}`));
    }
    const sets =
      (await ssoAdmin.send(new ListPermissionSetsCommand({ InstanceArn, MaxResults: 100 }))).PermissionSets ?? [];
    const assignments: string[] = [];
    for (const AccountId of [MANAGEMENT, PRODUCTION, DEVELOPMENT]) {
      for (const PermissionSetArn of sets) {
        const a =
          (
            await ssoAdmin.send(
              new ListAccountAssignmentsCommand({ InstanceArn, AccountId, PermissionSetArn, MaxResults: 100 }),
            )
          ).AccountAssignments ?? [];
        assignments.push(...a.map((x) => `${AccountId}:${PermissionSetArn}:${x.PrincipalType}:${x.PrincipalId}`));
      }
    }
    const apps = (await createSamlRuntimeFrom({ config, store }).apps.list({ limit: 500 })).items
      .filter((a) => a.name === IDC_APP_NAME)
      .map((a) => `${a.id}@${a.version}`);
    const roles = [PRODUCTION, DEVELOPMENT].flatMap((acc) =>
      emu.iam
        .listRoles(acc)
        .filter((r) => r.name.startsWith('AWSReservedSSO_'))
        .map((r) => r.arn),
    );
    const tokens = (await callIdentityCenterAdmin<{ Tokens: unknown[] }>(emu, 'ListScimAccessTokens')).Tokens.length;
    return {
      users: users.map((u) => `${u.UserId}:${u.UserName}`).sort(),
      groups: groups.map((g) => `${g.GroupId}:${g.DisplayName}`).sort(),
      memberships: memberships.sort(),
      sets: [...sets].sort(),
      assignments: assignments.sort(),
      apps,
      roles: roles.sort(),
      tokens,
    };
  }

  test('restart idempotency: running the step again changes nothing and does not fail; drift (a removed member, a stale app) is put back', async () => {
    const before = await snapshot();
    logs.length = 0;
    await identityCenterPatternB.seed?.({ ...seedCtx, banner: () => undefined });
    assert.deepEqual(await snapshot(), before);
    assert.match(
      logs.join('\n'),
      /app unchanged.*SCIM: 0 user\(s\) and 0 group\(s\) created, 0 member\(s\) added, 0 removed; 0 permission set\(s\), 0 assignment\(s\) created/,
    );

    // Drift: carol leaves Engineering in Identity Center, and Keyway's app still points at an old instance's ACS.
    const IdentityStoreId = demo.description.IdentityStoreId;
    const carol = before.users.find((u) => u.endsWith(':carol@example.com'))?.split(':')[0];
    const engineering = before.groups.find((g) => g.endsWith(':Engineering'))?.split(':')[0];
    assert.ok(carol && engineering);
    const { MembershipId } = await identitystore.send(
      new GetGroupMembershipIdCommand({ IdentityStoreId, GroupId: engineering, MemberId: { UserId: carol } }),
    );
    await identitystore.send(new DeleteGroupMembershipCommand({ IdentityStoreId, MembershipId }));
    const rt = createSamlRuntimeFrom({ config, store });
    const app = (await rt.apps.list({ limit: 500 })).items.find((a) => a.name === IDC_APP_NAME);
    assert.ok(app);
    await rt.apps.update(
      systemActor('test'),
      app.id,
      {
        acs: [{ url: `${emu.url}/platform/saml/acs/00000000-0000-4000-8000-000000000000`, index: 0, isDefault: true }],
      },
      app.version,
    );

    await identityCenterPatternB.seed?.({ ...seedCtx, banner: () => undefined });
    const afterDrift = await snapshot();
    assert.deepEqual(afterDrift.users, before.users);
    assert.ok(
      afterDrift.memberships.some((m) => m.startsWith(`Engineering:${carol}:`)),
      'carol is back in Engineering',
    );
    assert.deepEqual(afterDrift.assignments, before.assignments);
    assert.equal(afterDrift.apps.length, 1, 'the app is updated, not duplicated');
    const fixed = (await rt.apps.list({ limit: 500 })).items.find((a) => a.name === IDC_APP_NAME);
    assert.deepEqual(
      fixed?.acs.map((a) => a.url),
      [`${emu.url}${demo.description.AcsPath}`],
    );
  });

  test('after an emulator restart (a new Identity Center instance) the step follows it: one app with the new SP, users pushed again, portal sign-in works', async () => {
    const fresh = await startEmulator({ logger: silentLogger });
    try {
      const set = await setUpIdentityCenter({ ...seedCtx, banner: () => undefined }, fresh);
      assert.notEqual(set.description.IdentityStoreId, demo.description.IdentityStoreId);
      const apps = (await createSamlRuntimeFrom({ config, store }).apps.list({ limit: 500 })).items.filter(
        (a) => a.name === IDC_APP_NAME,
      );
      assert.equal(apps.length, 1);
      assert.equal(apps[0]?.entityId, set.description.SpEntityId);
      const client = new IdentitystoreClient({
        endpoint: fresh.url,
        region: 'us-east-1',
        credentials: fresh.rootCredentials(MANAGEMENT),
        maxAttempts: 1,
      });
      try {
        const users =
          (
            await client.send(
              new ListUsersCommand({ IdentityStoreId: set.description.IdentityStoreId, MaxResults: 100 }),
            )
          ).Users ?? [];
        assert.equal(users.length, 4);
      } finally {
        client.destroy();
      }
      if (browser) {
        const context = await browser.newContext();
        try {
          const page = await context.newPage();
          await page.goto(set.portalUrl);
          await signInAtKeyway(page, 'alice');
          await page.waitForSelector('#user', { timeout: 15_000 });
          assert.equal(await page.textContent('#user'), 'alice@example.com');
          assert.ok(page.url().startsWith(fresh.url));
        } finally {
          await context.close();
        }
      }
    } finally {
      await fresh.close();
    }
  });

  test('an emulator without Identity Center fails the step with a clear error and creates no Keyway application', async () => {
    const bare = await startEmulator({ logger: silentLogger, registrations: [] });
    try {
      const rt = createSamlRuntimeFrom({ config, store });
      const appsBefore = (await rt.apps.list({ limit: 500 })).items.map((a) => `${a.id}@${a.version}`);
      await assert.rejects(
        setUpIdentityCenter(seedCtx, bare),
        (e: unknown) =>
          e instanceof IdentityCenterSetupError &&
          /DescribeIdentityCenter → 400.*is Identity Center registered in the emulator\?/.test(e.message),
      );
      assert.deepEqual(
        (await rt.apps.list({ limit: 500 })).items.map((a) => `${a.id}@${a.version}`),
        appsBefore,
      );
    } finally {
      await bare.close();
    }
  });
});
