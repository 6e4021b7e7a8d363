/**
 * AssumeRoleWithSAML through the AWS CLI v2 (`/usr/bin/aws`, which sends it unsigned), then
 * `aws sts get-caller-identity` with the returned credentials (issue 4: "Done when").
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cliEnv, cliErrorCode, cliSkipReason, runCli } from './emulator-helpers.js';
import { ROLE_ATTR, SESSION_ATTR, pair, providerArn, roleArn, startFederationWorld, trustPolicy, type FederationWorld } from './emulator-signin-setup.js';

const ACCT = '444444444444';
const skip = cliSkipReason();
let world: FederationWorld;

before(async () => {
  if (skip) return;
  world = await startFederationWorld(
    [ACCT],
    [
      { account: ACCT, name: 'Deployer', maxSessionDuration: 7200 },
      { account: ACCT, name: 'Locked', trust: trustPolicy(ACCT, { StringEquals: { 'saml:iss': 'https://someone-else.example.test' } }) },
    ],
  );
});

after(async () => {
  if (world) await world.close();
});

const attrs = (role: string) => [[ROLE_ATTR, [pair(ACCT, role)]], [SESSION_ATTR, ['carol@example.com']]] as const;

function assume(role: string, assertion: string, extra: string[] = []) {
  return runCli(
    ['sts', 'assume-role-with-saml', '--endpoint-url', world.emulator.url, '--output', 'json', '--role-arn', roleArn(ACCT, role), '--principal-arn', providerArn(ACCT), '--saml-assertion', assertion, ...extra],
    // No credentials at all: the CLI must not need any for this operation.
    cliEnv(undefined),
  );
}

test('aws sts assume-role-with-saml returns credentials, and get-caller-identity with them prints the assumed-role ARN', { skip }, async () => {
  const r = await assume('Deployer', world.response({ attributes: attrs('Deployer') }), ['--duration-seconds', '7200']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Expiration: string };
    AssumedRoleUser: { Arn: string };
    SubjectType: string;
  };
  assert.match(out.Credentials.AccessKeyId, /^ASIA/);
  assert.equal(out.AssumedRoleUser.Arn, `arn:aws:sts::${ACCT}:assumed-role/Deployer/carol@example.com`);
  assert.equal(out.SubjectType, 'persistent');
  assert.ok(Date.parse(out.Credentials.Expiration) > Date.now() + 7100_000, 'DurationSeconds 7200 is honoured');

  const me = await runCli(
    ['sts', 'get-caller-identity', '--endpoint-url', world.emulator.url, '--output', 'text', '--query', 'Arn'],
    cliEnv({ accessKeyId: out.Credentials.AccessKeyId, secretAccessKey: out.Credentials.SecretAccessKey, sessionToken: out.Credentials.SessionToken }),
  );
  assert.equal(me.code, 0, me.stderr);
  assert.equal(me.stdout.trim(), `arn:aws:sts::${ACCT}:assumed-role/Deployer/carol@example.com`);
});

test('the CLI shows InvalidIdentityToken for an unsigned assertion', { skip }, async () => {
  const r = await assume('Deployer', world.response({ sign: 'none', attributes: attrs('Deployer') }));
  assert.notEqual(r.code, 0);
  assert.equal(cliErrorCode(r.stderr), 'InvalidIdentityToken');
  assert.match(r.stderr, /Response signature invalid/);
});

test('the CLI shows ExpiredTokenException for an expired assertion', { skip }, async () => {
  const t = Date.now() - 4 * 60_000;
  const r = await assume('Deployer', world.response({ issueInstant: t, notOnOrAfter: t + 60_000, subjectNotOnOrAfter: t + 60_000, attributes: attrs('Deployer') }));
  assert.equal(cliErrorCode(r.stderr), 'ExpiredTokenException');
  assert.match(r.stderr, /Response has expired/);
});

test('the CLI shows AccessDenied when the trust policy forbids the role', { skip }, async () => {
  const r = await assume('Locked', world.response({ attributes: attrs('Locked') }));
  assert.equal(cliErrorCode(r.stderr), 'AccessDenied');
  assert.match(r.stderr, /Not authorized to perform sts:AssumeRoleWithSAML/);
});

test('the CLI shows ValidationError for DurationSeconds over the role maximum', { skip }, async () => {
  const r = await assume('Deployer', world.response({ attributes: attrs('Deployer') }), ['--duration-seconds', '10800']);
  assert.equal(cliErrorCode(r.stderr), 'ValidationError');
  assert.match(r.stderr, /The requested DurationSeconds exceeds the MaxSessionDuration set for this role\./);
});

test('the CLI shows InvalidIdentityToken for a wrong audience', { skip }, async () => {
  const r = await assume('Deployer', world.response({ audiences: ['https://app.example.test'], attributes: attrs('Deployer') }));
  assert.equal(cliErrorCode(r.stderr), 'InvalidIdentityToken');
  assert.match(r.stderr, /Response does not contain the required audience\./);
});
