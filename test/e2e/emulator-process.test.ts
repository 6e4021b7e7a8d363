/**
 * The emulator as its own process (`src/aws-emulator/main.ts`, what `keyway aws-emulator` spawns), state that
 * survives a restart with `--state`, and the SDK's endpoint variables (AWS_ENDPOINT_URL_<SERVICE>, AWS SDKs and Tools
 * Reference Guide, "Service-specific endpoints").
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateRoleCommand,
  CreateSAMLProviderCommand,
  GetRoleCommand,
  GetSAMLProviderCommand,
  IAMClient,
  ListRolesCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleWithSAMLCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DescribeOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { silentLogger, startEmulator } from '../../src/aws-emulator/index.js';
import { ALG } from '../../src/aws-emulator/saml-sp/namespaces.js';
import {
  fixtureMetadata,
  fixtureResponseXml,
  makeFixtureKey,
  toBase64,
} from '../../src/aws-emulator/saml-sp/fixture-idp.js';
import { idpMetadata, makeCertificate, samlTrustPolicy, sdkConfig } from './emulator-helpers.js';

const MAIN = new URL('../../src/aws-emulator/main.ts', import.meta.url).pathname;
const children: ChildProcessWithoutNullStreams[] = [];

after(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
});

const KEYWAY = new URL('../../bin/keyway.js', import.meta.url).pathname;

function runMain(
  args: string[],
  entry: 'main' | 'keyway' = 'main',
): { child: ChildProcessWithoutNullStreams; output: () => string; exited: Promise<number | null> } {
  const argv = entry === 'main' ? ['--import', 'tsx', MAIN, ...args] : [KEYWAY, 'aws-emulator', ...args];
  const child = spawn(process.execPath, argv, { stdio: 'pipe' });
  children.push(child);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  // 'close', not 'exit': 'exit' can come before the last output is read from the pipes, leaving output() empty.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

const SHA1_IDP = 'https://sha1-idp.example.test';
const sha1Key = makeFixtureKey('sha1-idp');

/**
 * Sets up a provider and role in account 111111111111 through IAM, then hands back an RSA-SHA1 signed Response
 * (SHA-1 digests too) for it, as an IdP stuck on SHA-1 would send.
 */
async function sha1Federation(
  url: string,
  root: { accessKeyId: string; secretAccessKey: string },
): Promise<{ input: () => { RoleArn: string; PrincipalArn: string; SAMLAssertion: string } }> {
  const iam = new IAMClient(sdkConfig(url, root));
  const { SAMLProviderArn } = await iam.send(
    new CreateSAMLProviderCommand({ Name: 'Sha1', SAMLMetadataDocument: fixtureMetadata(SHA1_IDP, [sha1Key]) }),
  );
  const role = (
    await iam.send(
      new CreateRoleCommand({ RoleName: 'Legacy', AssumeRolePolicyDocument: samlTrustPolicy(SAMLProviderArn ?? '') }),
    )
  ).Role;
  iam.destroy();
  const input = () => ({
    RoleArn: role?.Arn ?? '',
    PrincipalArn: SAMLProviderArn ?? '',
    SAMLAssertion: toBase64(
      fixtureResponseXml(
        {
          issuer: SHA1_IDP,
          nameId: 'old@example.com',
          audiences: ['urn:amazon:webservices'],
          attributes: [
            ['https://aws.amazon.com/SAML/Attributes/Role', [`${role?.Arn},${SAMLProviderArn}`]],
            ['https://aws.amazon.com/SAML/Attributes/RoleSessionName', ['old']],
          ],
          signatureAlgorithm: ALG.rsaSha1,
          digestAlgorithm: ALG.sha1,
        },
        sha1Key,
      ),
    ),
  });
  return { input };
}

const unsignedSts = (url: string) =>
  new STSClient({
    endpoint: url,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: () => Promise.reject(new Error('AssumeRoleWithSAML is unsigned')),
  });

async function waitFor(output: () => string, pattern: RegExp, exited: Promise<unknown>): Promise<RegExpExecArray> {
  let done = false;
  void exited.then(() => (done = true));
  // Generous: a tsx start-up on a loaded 2-core CI machine can take many seconds; a healthy one prints at once.
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const m = pattern.exec(output());
    if (m) return m;
    if (done) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no ${pattern} in output:\n${output()}`);
}

describe('the emulator process', { concurrency: true }, () => {
  test('prints its endpoint and the emulator-only keys, serves signed requests, refuses RSA-SHA1 SAML by default, and exits 0 on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emulator-main-'));
    const run = runMain(['--port', '0', '--state', join(dir, 'state.sqlite')]);
    const [, url] = await waitFor(run.output, /listening on (http:\/\/127\.0\.0\.1:\d+)/, run.exited);
    const [, keyId, secret] = await waitFor(
      run.output,
      /111111111111\s+Management\s+AWS_ACCESS_KEY_ID=(\S+) AWS_SECRET_ACCESS_KEY=(\S+)/,
      run.exited,
    );
    assert.match(run.output(), /RSA-SHA1 refused/);
    const root = { accessKeyId: keyId as string, secretAccessKey: secret as string };
    const id = await new STSClient(sdkConfig(url as string, root)).send(new GetCallerIdentityCommand({}));
    assert.equal(id.Account, '111111111111');
    const federation = await sha1Federation(url as string, root);
    await assert.rejects(
      unsignedSts(url as string).send(new AssumeRoleWithSAMLCommand(federation.input())),
      (e: Error & { Code?: string }) => {
        assert.equal(e.Code, 'InvalidIdentityToken');
        assert.equal(e.message, 'Response signature invalid');
        return true;
      },
    );
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0);
  });

  test('`keyway aws-emulator --allow-sha1` runs it as a child process that accepts RSA-SHA1 SAML at STS and /saml, and stops it on SIGTERM', async () => {
    const wide = runMain(['--host', '0.0.0.0'], 'keyway');
    const run = runMain(['--port', '0', '--allow-sha1'], 'keyway');
    const [, url] = await waitFor(run.output, /listening on (http:\/\/127\.0\.0\.1:\d+)/, run.exited);
    await waitFor(run.output, /and RSA-SHA1 \(--allow-sha1\)/, run.exited);
    const root = { accessKeyId: 'AKIAEMULATORDEMO0001', secretAccessKey: 'emulator-only-demo-secret-management' };
    const id = await new STSClient(sdkConfig(url as string, root)).send(new GetCallerIdentityCommand({}));
    assert.equal(id.Arn, 'arn:aws:iam::111111111111:root');
    const federation = await sha1Federation(url as string, root);
    const out = await unsignedSts(url as string).send(new AssumeRoleWithSAMLCommand(federation.input()));
    assert.equal(out.AssumedRoleUser?.Arn, 'arn:aws:sts::111111111111:assumed-role/Legacy/old');
    const signIn = await fetch(`${url}/saml`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ SAMLResponse: federation.input().SAMLAssertion }).toString(),
    });
    assert.equal(signIn.status, 303, await signIn.text());
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0);
    assert.equal(await wide.exited, 2);
    assert.match(wide.output(), /loopback/);
  });

  test('refuses a non-loopback host and an invalid world file with a clear message and exit code 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emulator-main-'));
    writeFileSync(
      join(dir, 'bad.yaml'),
      'organization:\n  id: nope\n  rootId: r-ab12\n  managementAccountId: "111111111111"\naccounts: []\n',
    );
    const wide = runMain(['--port', '0', '--host', '0.0.0.0']);
    const bad = runMain(['--port', '0', '--world', join(dir, 'bad.yaml')]);
    const flag = runMain(['--bogus']);
    assert.deepEqual(await Promise.all([wide.exited, bad.exited, flag.exited]), [1, 1, 2]);
    assert.match(wide.output(), /loopback only/);
    assert.match(bad.output(), /invalid world file/);
    assert.match(bad.output(), /\/organization\/id/);
  });
});

describe('state across restarts (--state)', () => {
  test('roles, SAML providers and issued temporary credentials survive a restart', async () => {
    const statePath = join(mkdtempSync(join(tmpdir(), 'emulator-restart-')), 'state.sqlite');
    const first = await startEmulator({ statePath, logger: silentLogger, registrations: [] });
    const root = first.rootCredentials('333333333333');
    const iam = new IAMClient(sdkConfig(first.url, root));
    const provider = await iam.send(
      new CreateSAMLProviderCommand({
        Name: 'Keyway',
        SAMLMetadataDocument: idpMetadata({ entityId: 'https://idp.test', certificates: [makeCertificate()] }),
      }),
    );
    const role = (
      await iam.send(
        new CreateRoleCommand({
          RoleName: 'Ops',
          AssumeRolePolicyDocument: samlTrustPolicy(provider.SAMLProviderArn ?? ''),
        }),
      )
    ).Role;
    const temp = first.credentials.issueRoleSession(
      '333333333333',
      first.iam.getRole('333333333333', 'Ops') ?? assert.fail('role'),
      'erin',
      3600,
    );
    await first.close();

    const second = await startEmulator({ statePath, logger: silentLogger, registrations: [] });
    try {
      const iam2 = new IAMClient(sdkConfig(second.url, root));
      assert.equal((await iam2.send(new GetRoleCommand({ RoleName: 'Ops' }))).Role?.RoleId, role?.RoleId);
      assert.ok(
        (await iam2.send(new GetSAMLProviderCommand({ SAMLProviderArn: provider.SAMLProviderArn })))
          .SAMLMetadataDocument,
      );
      const keys = {
        accessKeyId: temp.accessKeyId,
        secretAccessKey: temp.secretAccessKey,
        sessionToken: temp.sessionToken,
      };
      const id = await new STSClient(sdkConfig(second.url, keys)).send(new GetCallerIdentityCommand({}));
      assert.equal(id.Arn, 'arn:aws:sts::333333333333:assumed-role/Ops/erin');
    } finally {
      await second.close();
    }
  });

  test('without --state the emulator starts with only what AWS itself creates (the Organizations access role)', async () => {
    const emulator = await startEmulator({ logger: silentLogger, registrations: [] });
    try {
      const roles = await new IAMClient(sdkConfig(emulator.url, emulator.rootCredentials('333333333333'))).send(
        new ListRolesCommand({}),
      );
      assert.deepEqual(
        roles.Roles?.map((r) => r.RoleName),
        ['OrganizationAccountAccessRole'],
      );
    } finally {
      await emulator.close();
    }
  });
});

describe('SDK endpoint variables', () => {
  test('AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL_STS and AWS_ENDPOINT_URL reach the emulator without an endpoint option', async () => {
    const emulator = await startEmulator({ logger: silentLogger, registrations: [] });
    const saved = { ...process.env };
    try {
      process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9';
      process.env.AWS_ENDPOINT_URL_IAM = emulator.url;
      process.env.AWS_ENDPOINT_URL_STS = emulator.url;
      const credentials = emulator.rootCredentials('111111111111');
      const plain = { region: 'us-east-1', credentials, maxAttempts: 1 };
      assert.deepEqual((await new IAMClient(plain).send(new ListRolesCommand({}))).Roles, []);
      assert.equal((await new STSClient(plain).send(new GetCallerIdentityCommand({}))).Account, '111111111111');
      process.env.AWS_ENDPOINT_URL = emulator.url;
      assert.equal(
        (await new OrganizationsClient(plain).send(new DescribeOrganizationCommand({}))).Organization?.MasterAccountId,
        '111111111111',
      );
    } finally {
      for (const k of ['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_IAM', 'AWS_ENDPOINT_URL_STS']) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
      await emulator.close();
    }
  });
});
