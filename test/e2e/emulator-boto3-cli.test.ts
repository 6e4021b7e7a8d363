/**
 * Two clients the emulator was not written against — boto3 (Debian python3-boto3, through /usr/bin/python3)
 * and the AWS CLI v2 (/usr/bin/aws) — complete update-role, attach AmazonEC2FullAccess to a role and to a
 * permission set, create a policy version, assume a role from a SAML session with sts assume-role, create an
 * account, put it in an OU and move it, and simulate a policy, through the Pattern A and Pattern B setup calls.
 * A shape the JavaScript SDK tolerates but botocore does not (a missing <XResult>) fails here.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { identityCenterFactory, silentLogger, startEmulator } from '../../src/aws-emulator/index.js';
import type { RunningEmulator } from '../../src/aws-emulator/index.js';
import {
  fixtureMetadata,
  fixtureResponseXml,
  makeFixtureKey,
  toBase64,
} from '../../src/aws-emulator/saml-sp/fixture-idp.js';
import { missingPeers, PYTHON } from '../../src/testing/index.js';
import { cliEnv, runCli } from './emulator-helpers.js';
import type { KeyPair } from './emulator-helpers.js';

const MGMT = '111111111111';
const IDP = 'https://keyway.example.test/saml/boto3';
const key = makeFixtureKey('boto3-idp');
let emulator: RunningEmulator;

const samlTrust = (account: string) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Federated: `arn:aws:iam::${account}:saml-provider/Keyway` },
      Action: 'sts:AssumeRoleWithSAML',
      Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } },
    },
  ],
});

const samlResponse = (account: string, session: string): string =>
  toBase64(
    fixtureResponseXml(
      {
        issuer: IDP,
        nameId: `${session}@example.com`,
        audiences: ['urn:amazon:webservices'],
        attributes: [
          [
            'https://aws.amazon.com/SAML/Attributes/Role',
            [`arn:aws:iam::${account}:role/Federated,arn:aws:iam::${account}:saml-provider/Keyway`],
          ],
          ['https://aws.amazon.com/SAML/Attributes/RoleSessionName', [session]],
        ],
      },
      key,
    ),
  );

before(async () => {
  emulator = await startEmulator({
    logger: silentLogger,
    createAccountDelayMs: 50,
    registrations: [identityCenterFactory({ asyncDelayMs: 50 })],
  });
});

after(async () => {
  await emulator?.close();
});

describe('boto3 (python3-boto3)', { skip: missingPeers('boto3') }, () => {
  test('Pattern A and B setup calls and the part-3 operations complete', async () => {
    const member = '333333333333';
    const input = {
      url: emulator.url,
      managementAccountId: MGMT,
      memberAccountId: member,
      root: emulator.rootCredentials(MGMT),
      memberRoot: emulator.rootCredentials(member),
      metadata: fixtureMetadata(IDP, [key]),
      samlTrust: samlTrust(member),
      samlResponse: samlResponse(member, 'boto3user'),
    };
    // Asynchronously: the emulator answers from this process's event loop while Python runs.
    const run = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(PYTHON, [fileURLToPath(new URL('./emulator-boto3.py', import.meta.url))], {
        env: { ...cliEnv(undefined), PYTHONDONTWRITEBYTECODE: '1' },
        timeout: 240_000,
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
      child.stdin.end(JSON.stringify(input));
    });
    assert.equal(run.status, 0, run.stderr);
    const out = JSON.parse(run.stdout) as Record<string, unknown>;
    assert.equal(out.updatedRole, 7200);
    assert.deepEqual(out.attached, ['AmazonEC2FullAccess']);
    assert.equal(out.chainedArn, `arn:aws:sts::${member}:assumed-role/Target/boto3-chain`);
    assert.equal(out.chainedCaller, out.chainedArn);
    assert.equal(out.chainLimit, 'ValidationError');
    assert.deepEqual(out.policyVersion, ['v2', true]);
    assert.equal(out.policyVersionDocument, 's3:*');
    assert.deepEqual(out.simulation, [
      ['ec2:RunInstances', 'allowed'],
      ['iam:CreateUser', 'implicitDeny'],
    ]);
    assert.equal(out.createAccount, 'SUCCEEDED');
    assert.equal(out.movedTo, true);
    assert.equal(out.accessRole, 'OrganizationAccountAccessRole');
    assert.deepEqual(out.permissionSetPolicies, ['AmazonEC2FullAccess']);
    assert.equal(out.assignment, 'SUCCEEDED');
  });
});

describe('AWS CLI v2 (/usr/bin/aws)', { skip: missingPeers('aws-cli') }, () => {
  const member = '444444444444';
  const aws = async (keys: KeyPair | undefined, ...args: string[]): Promise<Record<string, unknown>> => {
    const r = await runCli(['--endpoint-url', emulator.url, '--output', 'json', ...args], cliEnv(keys));
    assert.equal(r.code, 0, `aws ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim() === '' ? {} : (JSON.parse(r.stdout) as Record<string, unknown>);
  };
  const temp = (c: Record<string, string>): KeyPair & { sessionToken: string } => ({
    accessKeyId: c.AccessKeyId ?? '',
    secretAccessKey: c.SecretAccessKey ?? '',
    sessionToken: c.SessionToken ?? '',
  });

  test('update-role, managed policies, a policy version, assume-role from a SAML session, simulation', async () => {
    const keys = emulator.rootCredentials(member);
    await aws(
      keys,
      'iam',
      'create-saml-provider',
      '--name',
      'Keyway',
      '--saml-metadata-document',
      fixtureMetadata(IDP, [key]),
    );
    await aws(
      keys,
      'iam',
      'create-role',
      '--role-name',
      'Federated',
      '--assume-role-policy-document',
      JSON.stringify(samlTrust(member)),
    );
    await aws(
      keys,
      'iam',
      'create-role',
      '--role-name',
      'Target',
      '--assume-role-policy-document',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${member}:role/Federated` }, Action: 'sts:AssumeRole' },
        ],
      }),
    );
    await aws(keys, 'iam', 'update-role', '--role-name', 'Target', '--max-session-duration', '7200');
    const role = (await aws(keys, 'iam', 'get-role', '--role-name', 'Target')).Role as Record<string, unknown>;
    assert.equal(role.MaxSessionDuration, 7200);
    await aws(
      keys,
      'iam',
      'attach-role-policy',
      '--role-name',
      'Target',
      '--policy-arn',
      'arn:aws:iam::aws:policy/AmazonEC2FullAccess',
    );
    const created = (
      await aws(
        keys,
        'iam',
        'create-policy',
        '--policy-name',
        'CliPolicy',
        '--policy-document',
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
        }),
      )
    ).Policy as Record<string, string>;
    const version = (
      await aws(
        keys,
        'iam',
        'create-policy-version',
        '--policy-arn',
        created.Arn ?? '',
        '--set-as-default',
        '--policy-document',
        JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }),
      )
    ).PolicyVersion as Record<string, unknown>;
    assert.deepEqual([version.VersionId, version.IsDefaultVersion], ['v2', true]);

    const saml = (
      await aws(
        undefined,
        'sts',
        'assume-role-with-saml',
        '--no-sign-request',
        '--role-arn',
        `arn:aws:iam::${member}:role/Federated`,
        '--principal-arn',
        `arn:aws:iam::${member}:saml-provider/Keyway`,
        '--saml-assertion',
        samlResponse(member, 'cliuser'),
      )
    ).Credentials as Record<string, string>;
    const chained = await aws(
      temp(saml),
      'sts',
      'assume-role',
      '--role-arn',
      `arn:aws:iam::${member}:role/Target`,
      '--role-session-name',
      'cli-chain',
    );
    assert.equal(
      (chained.AssumedRoleUser as Record<string, string>).Arn,
      `arn:aws:sts::${member}:assumed-role/Target/cli-chain`,
    );

    const sim = await aws(
      keys,
      'iam',
      'simulate-principal-policy',
      '--policy-source-arn',
      `arn:aws:iam::${member}:role/Target`,
      '--action-names',
      'ec2:DescribeInstances',
      'iam:DeleteRole',
    );
    assert.deepEqual(
      (sim.EvaluationResults as Record<string, string>[]).map((e) => [e.EvalActionName, e.EvalDecision]),
      [
        ['ec2:DescribeInstances', 'allowed'],
        ['iam:DeleteRole', 'implicitDeny'],
      ],
    );
  });

  test('create an account, put it in an OU and move it; attach AmazonEC2FullAccess to a permission set', async () => {
    const root = emulator.rootCredentials(MGMT);
    const rootId = ((await aws(root, 'organizations', 'list-roots')).Roots as Record<string, string>[])[0]?.Id ?? '';
    const ou = (await aws(root, 'organizations', 'create-organizational-unit', '--parent-id', rootId, '--name', 'Cli'))
      .OrganizationalUnit as Record<string, string>;
    const request = (
      await aws(root, 'organizations', 'create-account', '--email', 'cli@example.com', '--account-name', 'Cli')
    ).CreateAccountStatus as Record<string, string>;
    let status: Record<string, string> = request;
    for (let i = 0; i < 100 && status.State === 'IN_PROGRESS'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (
        await aws(
          root,
          'organizations',
          'describe-create-account-status',
          '--create-account-request-id',
          request.Id ?? '',
        )
      ).CreateAccountStatus as Record<string, string>;
    }
    assert.equal(status.State, 'SUCCEEDED');
    const accountId = status.AccountId ?? '';
    await aws(
      root,
      'organizations',
      'move-account',
      '--account-id',
      accountId,
      '--source-parent-id',
      rootId,
      '--destination-parent-id',
      ou.Id ?? '',
    );
    const parents = (await aws(root, 'organizations', 'list-parents', '--child-id', accountId)).Parents as Record<
      string,
      string
    >[];
    assert.deepEqual(parents, [{ Id: ou.Id, Type: 'ORGANIZATIONAL_UNIT' }]);

    const instance = ((await aws(root, 'sso-admin', 'list-instances')).Instances as Record<string, string>[])[0];
    const ps = (
      await aws(
        root,
        'sso-admin',
        'create-permission-set',
        '--instance-arn',
        instance?.InstanceArn ?? '',
        '--name',
        'CliEc2',
      )
    ).PermissionSet as Record<string, string>;
    await aws(
      root,
      'sso-admin',
      'attach-managed-policy-to-permission-set',
      '--instance-arn',
      instance?.InstanceArn ?? '',
      '--permission-set-arn',
      ps.PermissionSetArn ?? '',
      '--managed-policy-arn',
      'arn:aws:iam::aws:policy/AmazonEC2FullAccess',
    );
    const listed = await aws(
      root,
      'sso-admin',
      'list-managed-policies-in-permission-set',
      '--instance-arn',
      instance?.InstanceArn ?? '',
      '--permission-set-arn',
      ps.PermissionSetArn ?? '',
    );
    assert.deepEqual(
      (listed.AttachedManagedPolicies as Record<string, string>[]).map((p) => p.Name),
      ['AmazonEC2FullAccess'],
    );
  });
});
