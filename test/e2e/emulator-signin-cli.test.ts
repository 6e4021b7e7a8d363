/**
 * What the AWS CLI v2 (`/usr/bin/aws`, which sends AssumeRoleWithSAML unsigned) prints for assertions AWS refuses:
 * AWS's error code and message on stderr, a non-zero exit, and the emulator keeps serving. The success path
 * (issue 4 "Done when") is in emulator-cli.test.ts. The cases run concurrently: each is one CLI start-up.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cliEnv, cliErrorCode, runCli } from './emulator-helpers.js';
import {
  ROLE_ATTR,
  SESSION_ATTR,
  pair,
  providerArn,
  roleArn,
  startFederationWorld,
  trustPolicy,
  type FederationWorld,
} from './emulator-signin-setup.js';
import { missingPeers } from '../../src/testing/index.js';

const ACCT = '444444444444';
const skip = missingPeers('aws-cli');
let world: FederationWorld;

before(async () => {
  if (skip) return;
  world = await startFederationWorld(
    [ACCT],
    [
      { account: ACCT, name: 'Deployer', maxSessionDuration: 7200 },
      {
        account: ACCT,
        name: 'Locked',
        trust: trustPolicy(ACCT, { StringEquals: { 'saml:iss': 'https://someone-else.example.test' } }),
      },
    ],
  );
});

after(async () => {
  if (world) await world.close();
});

const attrs = (role: string) =>
  [
    [ROLE_ATTR, [pair(ACCT, role)]],
    [SESSION_ATTR, ['carol@example.com']],
  ] as const;

async function refused(
  role: string,
  assertion: string,
  code: string,
  message: RegExp,
  extra: string[] = [],
): Promise<void> {
  const r = await runCli(
    [
      'sts',
      'assume-role-with-saml',
      '--endpoint-url',
      world.emulator.url,
      '--output',
      'json',
      '--role-arn',
      roleArn(ACCT, role),
      '--principal-arn',
      providerArn(ACCT),
      '--saml-assertion',
      assertion,
      ...extra,
    ],
    // No credentials at all: the CLI must not need any for this operation.
    cliEnv(undefined),
  );
  assert.notEqual(r.code, 0, `expected ${code}, got success: ${r.stdout}`);
  assert.equal(cliErrorCode(r.stderr), code, r.stderr);
  assert.match(r.stderr, message);
}

describe('the AWS CLI shows AWS error codes for refused assertions', { skip, concurrency: true }, () => {
  test('InvalidIdentityToken for an unsigned assertion', () =>
    refused(
      'Deployer',
      world.response({ sign: 'none', attributes: attrs('Deployer') }),
      'InvalidIdentityToken',
      /Response signature invalid/,
    ));

  test('InvalidIdentityToken for an assertion signed by a key that is not in the provider metadata', () =>
    refused(
      'Deployer',
      world.response({ key: world.otherKey, keyInfo: true, attributes: attrs('Deployer') }),
      'InvalidIdentityToken',
      /Response signature invalid/,
    ));

  test('ExpiredTokenException for an expired assertion', () => {
    const t = Date.now() - 4 * 60_000;
    return refused(
      'Deployer',
      world.response({
        issueInstant: t,
        notOnOrAfter: t + 60_000,
        subjectNotOnOrAfter: t + 60_000,
        attributes: attrs('Deployer'),
      }),
      'ExpiredTokenException',
      /Response has expired/,
    );
  });

  test('AccessDenied when the trust policy forbids the role', () =>
    refused(
      'Locked',
      world.response({ attributes: attrs('Locked') }),
      'AccessDenied',
      /Not authorized to perform sts:AssumeRoleWithSAML/,
    ));

  test('AccessDenied for a role that is not in the Role attribute', () =>
    refused(
      'Locked',
      world.response({ attributes: attrs('Deployer') }),
      'AccessDenied',
      /Not authorized to perform sts:AssumeRoleWithSAML/,
    ));

  test('ValidationError for DurationSeconds over the role maximum', () =>
    refused(
      'Deployer',
      world.response({ attributes: attrs('Deployer') }),
      'ValidationError',
      /The requested DurationSeconds exceeds the MaxSessionDuration set for this role\./,
      ['--duration-seconds', '10800'],
    ));

  test('InvalidIdentityToken for a wrong audience', () =>
    refused(
      'Deployer',
      world.response({ audiences: ['https://app.example.test'], attributes: attrs('Deployer') }),
      'InvalidIdentityToken',
      /Response does not contain the required audience\./,
    ));
});

test('after every refusal the emulator still issues credentials for a valid assertion', { skip }, async () => {
  const r = await runCli(
    [
      'sts',
      'assume-role-with-saml',
      '--endpoint-url',
      world.emulator.url,
      '--output',
      'text',
      '--query',
      'AssumedRoleUser.Arn',
      '--role-arn',
      roleArn(ACCT, 'Deployer'),
      '--principal-arn',
      providerArn(ACCT),
      '--saml-assertion',
      world.response({ attributes: attrs('Deployer') }),
    ],
    cliEnv(undefined),
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), `arn:aws:sts::${ACCT}:assumed-role/Deployer/carol@example.com`);
});
