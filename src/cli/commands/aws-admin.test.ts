import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, startEmulator, type RunningEmulator } from '../../aws-emulator/index.js';
import { runCliCaptured } from '../testing.js';
import { BLOCK_BEGIN, BLOCK_END, lineDiff, renderBlock, replaceBlock } from './aws-configure.js';

let dir: string;
let env: Record<string, string>;
let emu: RunningEmulator;

const run = (...args: string[]) => runCliCaptured(args, env, dir);

describe('keyway aws accounts, bindings, explain and iam setup', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keyway-aws-cli-'));
    emu = await startEmulator({ logger: silentLogger });
    const key = emu.rootCredentials('444444444444');
    env = {
      KEYWAY_DATABASE_URL: `sqlite:${join(dir, 'keyway.db')}`,
      KEYWAY_MASTER_KEY: '44'.repeat(32),
      KEYWAY_BASE_URL: 'https://idp.example',
      AWS_ACCESS_KEY_ID: key.accessKeyId,
      AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_MAX_ATTEMPTS: '1',
      AWS_CONFIG_FILE: join(dir, 'aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'aws-creds'),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: key.accessKeyId,
      AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: env.AWS_CONFIG_FILE,
      AWS_SHARED_CREDENTIALS_FILE: env.AWS_SHARED_CREDENTIALS_FILE,
    });
  });
  after(async () => {
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('accounts and bindings by name, with bad values named and exit code 1', async () => {
    for (const g of ['Developers', 'Backend']) assert.equal((await run('groups', 'create', g)).code, 0);
    assert.equal((await run('groups', 'add-member', 'Developers', 'Backend', '--group')).code, 0);
    assert.equal((await run('users', 'create', 'erin')).code, 0);
    assert.equal((await run('groups', 'add-member', 'Backend', 'erin')).code, 0);
    assert.equal((await run('aws', 'accounts', 'add', '444444444444', 'staging')).code, 0);
    const bad = await run('aws', 'accounts', 'add', '4444', 'x');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /AWS account id "4444" must be exactly 12 digits/);
    const added = await run(
      'aws',
      'bindings',
      'add',
      '--group',
      'developers',
      '--account',
      'Staging',
      '--role',
      'ReadOnly',
    );
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /bound group Developers to arn:aws:iam::444444444444:role\/ReadOnly \(staging\)/);
    const badRole = await run(
      'aws',
      'bindings',
      'add',
      '--group',
      'Developers',
      '--account',
      'staging',
      '--role',
      'Read*Only',
    );
    assert.equal(badRole.code, 1);
    assert.match(badRole.stderr, /IAM role name "Read\*Only" must match/);
    assert.match((await run('aws', 'bindings', 'list')).stdout, /Developers\s+staging \(444444444444\)\s+\/ReadOnly/);
  });

  test('explain shows the nested group behind a role, and notes that no AWS app exists yet', async () => {
    const e = await run('aws', 'explain', '--user', 'erin', '--account', 'staging', '--role', 'Admin');
    assert.equal(e.code, 0, e.stderr);
    assert.match(e.stdout, /\+ staging \(444444444444\) \/ReadOnly {2}via group Developers \(nested\) \(binding/);
    assert.match(e.stdout, /- staging \(444444444444\) \/Admin {2}no binding names this role/);
    assert.match(e.stderr, /no AWS IAM application exists yet/);
  });

  test('iam setup shows the plan, refuses to apply without --yes when not on a terminal, applies with --yes, then has no changes', async () => {
    assert.equal(
      (await run('aws', 'iam', 'setup', '--account', 'staging', '--endpoint-url', emu.url)).code,
      1,
      'no AWS app yet',
    );
    const app = await run(
      'apps',
      'create',
      '--type',
      'aws-iam',
      '--name',
      'AWS',
      '--group',
      'Developers',
      '--setting',
      'signInUrl=https://signin.aws.amazon.com/saml',
      '--acs',
      `${emu.url}/saml`,
    );
    assert.equal(app.code, 0, app.stderr);
    const plan = await run('aws', 'iam', 'setup', '--account', 'staging', '--endpoint-url', emu.url);
    assert.equal(plan.code, 2);
    assert.match(
      plan.stdout,
      /\+ saml-provider Keyway[\s\S]*\+ role \/ReadOnly[\s\S]*SAML:aud StringEquals https:\/\/signin\.aws\.amazon\.com\/saml[\s\S]*Plan: 2 to create, 0 to update, 0 to delete\./,
    );
    assert.match(plan.stderr, /nothing was changed: re-run with --yes/);
    const asJson = await run(
      'aws',
      'iam',
      'setup',
      '--account',
      'staging',
      '--endpoint-url',
      emu.url,
      '--plan-only',
      '--json',
    );
    assert.equal(asJson.code, 0, asJson.stderr);
    const doc = JSON.parse(asJson.stdout) as {
      formatVersion: number;
      accounts: string[];
      changes: { action: string; resource: string; name: string }[];
    };
    assert.equal(doc.formatVersion, 1);
    assert.deepEqual(doc.accounts, ['444444444444']);
    assert.deepEqual(
      doc.changes.map((c) => `${c.action} ${c.resource} ${c.name}`),
      ['create saml-provider Keyway', 'create role ReadOnly'],
    );
    const applied = await run('aws', 'iam', 'setup', '--account', 'staging', '--endpoint-url', emu.url, '--yes');
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /Apply complete: 2 created, 0 updated\./);
    const again = await run('aws', 'iam', 'setup', '--account', 'staging', '--endpoint-url', emu.url);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /^No changes\./m);
    assert.equal(
      (await run('aws', 'iam', 'setup', '--account', '111111111111', '--endpoint-url', emu.url)).code,
      1,
      'unregistered account',
    );
  });

  test('after keyway keys rotate, iam setup refreshes the provider metadata with the next certificate, then has no changes', async () => {
    const rotated = await run('keys', 'rotate');
    assert.equal(rotated.code, 0, rotated.stderr);
    const plan = await run('aws', 'iam', 'setup', '--account', 'staging', '--endpoint-url', emu.url, '--yes');
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /~ saml-provider Keyway\n.*\n {6}signing certificates changed \(1 added, 0 removed\)/);
    assert.match(plan.stdout, /Apply complete: 0 created, 1 updated\./);
    assert.match(
      (await run('aws', 'iam', 'setup', '--account', 'staging', '--endpoint-url', emu.url)).stdout,
      /^No changes\./m,
    );
  });

  test('iam setup refuses credentials of another account before reading anything', async () => {
    assert.equal((await run('aws', 'accounts', 'add', '333333333333', 'prod')).code, 0);
    const r = await run('aws', 'iam', 'setup', '--account', 'prod', '--endpoint-url', emu.url, '--plan-only');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /the AWS credentials belong to account 444444444444 .*not 333333333333/);
  });

  test('bindings remove by group, account and role; accounts with bindings are kept', async () => {
    assert.equal((await run('aws', 'accounts', 'remove', 'staging')).code, 1);
    const rm = await run(
      'aws',
      'bindings',
      'remove',
      '--group',
      'Developers',
      '--account',
      'staging',
      '--role',
      'readonly',
    );
    assert.equal(rm.code, 0, rm.stderr);
    assert.equal((await run('aws', 'accounts', 'remove', 'staging')).code, 0);
  });
});

describe('the managed block in ~/.aws/config', () => {
  const roles = [
    {
      accountId: '444444444444',
      accountName: 'Staging',
      roleName: 'ReadOnly',
      roleArn: 'arn:aws:iam::444444444444:role/ReadOnly',
      providerArn: 'p',
    },
    {
      accountId: '333333333333',
      accountName: 'Production',
      roleName: 'Operator',
      roleArn: 'arn:aws:iam::333333333333:role/Operator',
      providerArn: 'p',
    },
  ];
  const block = renderBlock(roles, {
    command: "/usr/bin/node '/opt/key way/bin/keyway.js'",
    prefix: 'keyway-',
    region: 'us-east-1',
    keywayUrl: 'http://127.0.0.1:8080',
  });

  test('profiles are sorted, quoted for the shell, and wrapped in markers', () => {
    assert.ok(block.startsWith(`${BLOCK_BEGIN}\n[profile keyway-production-operator]\n`));
    assert.match(
      block,
      /credential_process = \/usr\/bin\/node '\/opt\/key way\/bin\/keyway\.js' aws credentials --account 333333333333 --role Operator --keyway-url http:\/\/127\.0\.0\.1:8080\n/,
    );
    assert.ok(block.endsWith(BLOCK_END));
  });

  test('replacing the block keeps everything else byte for byte and is idempotent', () => {
    const before = '[default]\nregion = eu-west-1\n';
    const once = replaceBlock(before, block);
    assert.ok(once.startsWith(before));
    assert.equal(replaceBlock(once, block), once);
    const changed = replaceBlock(
      `${once}[profile mine]\nregion = x\n`,
      renderBlock(roles.slice(0, 1), { command: 'k', prefix: 'keyway-', region: 'us-east-1', keywayUrl: 'u' }),
    );
    assert.match(changed, /\[profile mine\]\nregion = x\n$/);
    assert.doesNotMatch(changed, /production-operator/);
    assert.throws(() => replaceBlock(`${BLOCK_BEGIN}\n`, block), /damaged/);
  });

  test('the diff lists added and removed lines only', () => {
    assert.deepEqual(lineDiff('a\nb\nc', 'a\nx\nc'), ['+ x', '- b']);
    assert.deepEqual(lineDiff('a', 'a\nb'), ['+ b']);
    assert.deepEqual(lineDiff('a\nb', 'a'), ['- b']);
    assert.deepEqual(lineDiff('', 'p\n\nq'), ['+ p', '+ ', '+ q'], 'a new file shows every line, blank ones included');
  });
});
