/**
 * Pattern A on the command line (issue 5 "Done when"): the AWS CLI v2 with a profile whose credential_process is
 * `keyway aws credentials …` runs `sts get-caller-identity` and prints the assumed-role ARN with the user's
 * session name; removing the user from the group removes the role from the next assertion; suspending the user
 * stops the flow with one clear line. Keyway, the demo data and the AWS emulator are built by `npm start`'s steps.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemActor } from '../../src/core/index.js';
import { startPatternA, type PatternAWorld } from './pattern-a-fixture.js';
import { AWS_CLI, missingPeers } from '../../src/testing/index.js';

const BIN = fileURLToPath(new URL('../../bin/keyway.js', import.meta.url));
const ROLE_ATTR = 'https://aws.amazon.com/SAML/Attributes/Role';

const skip = missingPeers('aws-cli');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
const run = (file: string, args: readonly string[], env: NodeJS.ProcessEnv, input?: string): Promise<Run> =>
  new Promise((resolve) => {
    const child = execFile(file, [...args], { env, timeout: 90_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end(input ?? '');
  });

describe('keyway aws credentials as the AWS CLI credential_process', { skip }, () => {
  let world: PatternAWorld;
  let env: NodeJS.ProcessEnv;
  let home: string;
  const keyway = (args: readonly string[], input?: string) => run(process.execPath, [BIN, ...args], env, input);
  const aws = (args: readonly string[]) =>
    run(AWS_CLI, [...args, '--endpoint-url', world.emulator.url, '--output', 'json'], env);

  before(async () => {
    world = await startPatternA();
    home = join(world.dir, 'home');
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, 'password'), 'carol-keyway-demo\n', { mode: 0o600 });
    env = {
      PATH: process.env.PATH,
      HOME: home,
      KEYWAY_URL: world.keywayUrl,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: join(home, 'aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'aws-credentials'),
      AWS_MAX_ATTEMPTS: '1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_PAGER: '',
    };
    writeFileSync(env.AWS_SHARED_CREDENTIALS_FILE!, '');
    const cp = (account: string, role: string) =>
      `credential_process = ${process.execPath} ${BIN} aws credentials --account ${account} --role ${role} --sts-endpoint-url ${world.emulator.url}`;
    writeFileSync(
      env.AWS_CONFIG_FILE!,
      [
        '[profile prod-operator]',
        cp('Production', 'Operator'),
        '',
        '[profile staging-readonly]',
        cp('444444444444', 'ReadOnly'),
        '',
      ].join('\n'),
    );
  });
  after(async () => world?.close());

  test('the demo prints how to reach AWS: the emulator, the bindings, the browser tile and the CLI commands', () => {
    const text = world.banner.join('\n');
    assert.match(
      text,
      new RegExp(`AWS \\(Pattern A, against the AWS emulator at ${world.emulator.url.replace(/[.]/g, '\\.')}\\):`),
    );
    assert.match(text, /Production \(333333333333\)/);
    assert.match(text, /Operations +→ Operator in Production/);
    assert.match(text, /sign in as carol .* open the "AWS" tile/);
    assert.match(text, new RegExp(`export KEYWAY_URL=${world.config.baseUrl.replace(/[.]/g, '\\.')} `));
    for (const command of [
      'aws login --user carol',
      'aws configure',
      'aws credentials --account Production --role Operator',
      'aws explain --user bob',
    ])
      assert.ok(text.includes(`keyway ${command}`), command);
    for (const account of world.emulator.world.listAccounts()) {
      const key = world.emulator.rootCredentials(account.id);
      assert.ok(text.includes(`${key.accessKeyId} ${key.secretAccessKey}`), `the root key of ${account.name}`);
    }
  });

  test('without a Keyway sign-in the credential process fails fast with one line and prints nothing on stdout', async () => {
    const r = await keyway(['aws', 'credentials', '--account', 'Production', '--role', 'Operator']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `keyway: not signed in to Keyway at ${world.keywayUrl}; run: keyway aws login\n`);
  });

  test("aws sts get-caller-identity prints the assumed-role ARN with the user's session name (AWS STS API Reference, 'AssumeRoleWithSAML')", async () => {
    const login = await keyway(['aws', 'login', '--user', 'carol', '--password-file', join(home, 'password')]);
    assert.equal(login.code, 0, login.stderr);
    const r = await aws(['sts', 'get-caller-identity', '--profile', 'prod-operator']);
    assert.equal(r.code, 0, r.stderr);
    const who = JSON.parse(r.stdout) as { Arn: string; Account: string; UserId: string };
    assert.equal(who.Arn, 'arn:aws:sts::333333333333:assumed-role/Operator/carol');
    assert.equal(who.Account, '333333333333');
    assert.match(who.UserId, /^AROA[A-Z0-9]+:carol$/);
  });

  test('credentials are cached until shortly before expiry, and no secret is on disk in clear text', async () => {
    const first = await keyway(['aws', 'credentials', '--account', 'Production', '--role', 'Operator']);
    const second = await keyway(['aws', 'credentials', '--account', 'production', '--role', 'operator']);
    assert.equal(first.code, 0, first.stderr);
    const a = JSON.parse(first.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(a), ['Version', 'AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration']);
    assert.equal(a.Version, 1);
    assert.match(String(a.AccessKeyId), /^ASIA/);
    assert.ok(Date.parse(String(a.Expiration)) - Date.now() > 5 * 60_000);
    assert.equal(JSON.parse(second.stdout).AccessKeyId, a.AccessKeyId, 'served from the cache');
    const cacheText = readFileSync(join(home, '.keyway', 'aws-credentials.cache'), 'utf8');
    for (const secret of [a.AccessKeyId, a.SecretAccessKey, a.SessionToken, 'kwc_'])
      assert.ok(!cacheText.includes(String(secret)), `cache must not contain ${String(secret).slice(0, 8)}…`);
  });

  test('keyway aws configure writes one profile per reachable role in a marked block, idempotently', async () => {
    const file = join(home, 'configured');
    writeFileSync(file, '[default]\nregion = eu-west-1\n');
    const diff = await keyway([
      'aws',
      'configure',
      '--config-file',
      file,
      '--diff',
      '--sts-endpoint-url',
      world.emulator.url,
    ]);
    assert.equal(diff.code, 0, diff.stderr);
    assert.match(diff.stdout, /^\+ \[profile keyway-production-operator\]$/m);
    assert.equal(readFileSync(file, 'utf8'), '[default]\nregion = eu-west-1\n', '--diff writes nothing');
    assert.equal(
      (await keyway(['aws', 'configure', '--config-file', file, '--sts-endpoint-url', world.emulator.url])).code,
      0,
    );
    const written = readFileSync(file, 'utf8');
    assert.ok(written.startsWith('[default]\nregion = eu-west-1\n'));
    assert.deepEqual(
      [...written.matchAll(/^\[profile ([^\]]+)\]$/gm)].map((m) => m[1]),
      [
        'keyway-development-readonly',
        'keyway-production-operator',
        'keyway-staging-operator',
        'keyway-staging-readonly',
      ],
    );
    const again = await keyway(['aws', 'configure', '--config-file', file, '--sts-endpoint-url', world.emulator.url]);
    assert.match(again.stderr, /already up to date \(4 profiles\)/);
    assert.equal(readFileSync(file, 'utf8'), written);
  });

  test('removing the user from the group removes the role from the next assertion', async () => {
    const dir = world.store.directory;
    const carol = (await dir.findUserByUserName('carol'))!;
    const operations = (await dir.findGroupByDisplayName('Operations'))!;
    const signIn = await fetch(`${world.keywayUrl}/aws/cli/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userName: 'carol', password: 'carol-keyway-demo' }),
    });
    const { token } = (await signIn.json()) as { token: string };
    const roleValues = async (): Promise<string[]> => {
      const res = await fetch(`${world.keywayUrl}/aws/cli/assertion`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: '{}',
      });
      const xml = Buffer.from(((await res.json()) as { samlResponse: string }).samlResponse, 'base64').toString('utf8');
      const attr = xml.slice(
        xml.indexOf(`Name="${ROLE_ATTR}"`),
        xml.indexOf('</saml:Attribute>', xml.indexOf(`Name="${ROLE_ATTR}"`)),
      );
      return [...attr.matchAll(/<saml:AttributeValue[^>]*>([^<]*)</g)].map((m) => m[1]!.split(',')[0]!);
    };
    assert.ok((await roleValues()).includes('arn:aws:iam::333333333333:role/Operator'));
    await dir.removeMember(systemActor('test'), operations.id, { kind: 'user', id: carol.id });
    assert.deepEqual(await roleValues(), [
      'arn:aws:iam::444444444444:role/ReadOnly',
      'arn:aws:iam::555555555555:role/ReadOnly',
    ]);
    const r = await keyway(['aws', 'credentials', '--account', 'Production', '--role', 'Operator', '--no-cache']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /^keyway: you may not assume role Operator in account Production; your roles: Staging\/ReadOnly, Development\/ReadOnly\. Ask an administrator, or run keyway aws explain\n$/,
    );
  });

  test('suspending the user stops the CLI flow with one clear line, also through the AWS CLI', async () => {
    const carol = (await world.store.directory.findUserByUserName('carol'))!;
    await world.store.directory.setUserStatus(systemActor('test'), carol.id, 'suspended');
    const r = await keyway(['aws', 'credentials', '--account', 'Staging', '--role', 'ReadOnly']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'keyway: your Keyway account carol is suspended; ask an administrator\n');
    const viaAws = await aws(['sts', 'get-caller-identity', '--profile', 'staging-readonly']);
    assert.notEqual(viaAws.code, 0);
    assert.match(viaAws.stderr, /not signed in to Keyway|suspended/);
  });
});
