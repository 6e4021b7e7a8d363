/**
 * The same engine with `delivery: iam-federation`: an IAM role per permission in each selected account (trusting
 * Keyway's SAML provider) and Keyway's group → role bindings; then a bound user gets credentials for that role
 * through Pattern A (`keyway aws credentials`: Keyway's SAML assertion, then STS AssumeRoleWithSAML).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetRoleCommand, IAMClient, ListAttachedRolePoliciesCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { runCliCaptured } from '../../src/cli/testing.js';
import { startPatternA, type PatternAWorld } from './pattern-a-fixture.js';
import { planCalls } from './access-helpers.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const FILE = `version: 1
settings:
  installation: federation-test
  delivery: iam-federation
accounts:
  management:
    id: "111111111111"
  production:
    ou: /Workloads/Prod
permissions:
  Inspector:
    description: Reads everything
    managed: [ReadOnlyAccess]
    sessionDuration: PT2H
    inline:
      Version: "2012-10-17"
      Statement:
        - Effect: Deny
          Action: s3:GetObject
          Resource: "*"
grants:
  - group: Operations
    permission: Inspector
    accounts: [management, production]
`;

describe('keyway access with delivery iam-federation, then Pattern A sign-in to the role', () => {
  let world: PatternAWorld;
  let env: Record<string, string>;
  let home: string;
  const keyway = (...args: string[]) => runCliCaptured(args, env, world.dir);
  const access = (sub: string, ...args: string[]) =>
    keyway('access', sub, '--file', 'access.yaml', '--endpoint-url', world.emulator.url, ...args);

  before(async () => {
    world = await startPatternA();
    home = join(world.dir, 'home');
    mkdirSync(home, { recursive: true });
    const key = world.emulator.rootCredentials('111111111111');
    const url = new URL(world.keywayUrl);
    env = {
      KEYWAY_MASTER_KEY: '22'.repeat(32),
      KEYWAY_LOG_LEVEL: 'silent',
      KEYWAY_DATA_DIR: world.dir,
      KEYWAY_HOST: url.hostname,
      KEYWAY_PORT: url.port,
      HOME: home,
      KEYWAY_URL: world.keywayUrl,
      AWS_ACCESS_KEY_ID: key.accessKeyId,
      AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: join(home, 'aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'aws-credentials'),
    };
    writeFileSync(join(world.dir, 'access.yaml'), FILE);
    writeFileSync(join(home, 'password'), 'carol-keyway-demo\n', { mode: 0o600 });
  });
  after(async () => world?.close());

  test('the plan creates a role per account and the bindings, and reports the bindings made by hand', async () => {
    const r = await access('plan');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ {2}\+ role \/keyway\/Inspector in Management \(111111111111\)$/m);
    // A member account is reached through OrganizationAccountAccessRole, assumed from the management account.
    assert.match(r.stdout, /^ {2}\+ role \/keyway\/Inspector in Production \(333333333333\)$/m);
    assert.match(r.stdout, /^ {2}\+ Operations → \/keyway\/Inspector in Production \(333333333333\) {2}grant #1$/m);
    assert.match(r.stdout, /^ {2}\+ Operations → \/keyway\/Inspector in Management \(111111111111\) {2}grant #1$/m);
    assert.match(r.stdout, /carol gains Inspector in Management \(iam-federation\)/);
    assert.match(
      r.stdout,
      /warning \[hand-made-binding\] binding Operations → \/Operator in Production was made by hand/,
    );
  });

  test('apply creates tagged roles trusting Keyway and the bindings; the next plan has no changes and no writes', async () => {
    const applied = await access('apply', '--yes');
    assert.equal(applied.code, 0, applied.stderr);
    const again = await access('plan', '--detailed-exitcode');
    assert.equal(again.code, 0, again.stdout);
    assert.match(again.stdout, /^No changes\./m);
    assert.equal(planCalls(again.stderr).writes, 0);
    const k = world.emulator.rootCredentials('333333333333');
    const iam = new IAMClient({ endpoint: world.emulator.url, region: 'us-east-1', credentials: k });
    const role = (await iam.send(new GetRoleCommand({ RoleName: 'Inspector' }))).Role;
    assert.equal(role?.Path, '/keyway/');
    assert.equal(role?.MaxSessionDuration, 7200);
    assert.deepEqual(role?.Tags, [{ Key: 'keyway:managed', Value: 'federation-test' }]);
    assert.match(decodeURIComponent(role?.AssumeRolePolicyDocument ?? ''), /sts:AssumeRoleWithSAML/);
    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'Inspector' }));
    assert.deepEqual(
      attached.AttachedPolicies?.map((p) => p.PolicyArn),
      ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
    );
    iam.destroy();
  });

  test('a binding owned by the file cannot be removed by hand; the refusal points to the file', async () => {
    const list = await keyway('aws', 'bindings', 'list', '--json');
    const owned = (JSON.parse(list.stdout) as { id: string; rolePath: string }[]).find(
      (b) => b.rolePath === '/keyway/',
    );
    assert.ok(owned);
    const r = await keyway('aws', 'bindings', 'remove', owned.id);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /owned by the access file: change the grant there and run keyway access apply/);
  });

  test('carol gets credentials for the new role through Keyway (SAML → AssumeRoleWithSAML)', async () => {
    const login = await keyway('aws', 'login', '--user', 'carol', '--password-file', join(home, 'password'));
    assert.equal(login.code, 0, login.stderr);
    const creds = await keyway(
      'aws',
      'credentials',
      '--account',
      'Production',
      '--role',
      'Inspector',
      '--sts-endpoint-url',
      world.emulator.url,
    );
    assert.equal(creds.code, 0, creds.stderr);
    const c = JSON.parse(creds.stdout) as { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
    const sts = new STSClient({
      endpoint: world.emulator.url,
      region: 'us-east-1',
      credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken },
    });
    const who = await sts.send(new GetCallerIdentityCommand({}));
    assert.equal(who.Arn, 'arn:aws:sts::333333333333:assumed-role/Inspector/carol');
    sts.destroy();
  });
});
