/**
 * The AWS CLI v2 (Debian awscli at /usr/bin/aws) against an in-process emulator with `--endpoint-url`:
 * issue 4's "Done when" flow with Keyway's own IdP output (SAML provider from Keyway's metadata, a role trusting
 * it, AssumeRoleWithSAML with a Keyway-signed Response, get-caller-identity with the returned credentials),
 * Organizations auto-paging past one page, and the error codes the CLI prints for bad input and credentials.
 * Independent CLI calls run in parallel: each one is a Python start-up, the bulk of this file's time.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AUTHN_CONTEXT,
  buildIdpMetadata,
  buildResponse,
  createSelfSignedCertificate,
  createSigningCredential,
} from '../../src/saml/index.js';
import { silentLogger, startEmulator } from '../../src/aws-emulator/index.js';
import type { RunningEmulator } from '../../src/aws-emulator/index.js';
import {
  cliEnv,
  cliErrorCode,
  idpMetadata,
  issueRoleSession,
  makeCertificate,
  runCli,
  samlTrustPolicy,
} from './emulator-helpers.js';
import type { KeyPair } from './emulator-helpers.js';
import { missingPeers } from '../../src/testing/index.js';

const skip = missingPeers('aws-cli');
const MGMT = '200000000000';
const MEMBER = '200000000001';
let emulator: RunningEmulator;
let clock = Date.now();
let dir: string;

function world(): unknown {
  const accounts = [{ id: MGMT, name: 'Management', email: 'mgmt@example.com' }];
  for (let i = 1; i <= 24; i++)
    accounts.push({ id: String(200000000000 + i), name: `Account ${i}`, email: `a${i}@example.com` });
  return { organization: { id: 'o-clitestorg1', rootId: 'r-c1i0', managementAccountId: MGMT }, accounts };
}

async function aws(credentials: KeyPair | undefined, ...args: string[]) {
  return runCli(['--endpoint-url', emulator.url, '--output', 'json', ...args], cliEnv(credentials));
}

async function awsFails(code: string, credentials: KeyPair | undefined, ...args: string[]): Promise<string> {
  const r = await aws(credentials, ...args);
  assert.notEqual(r.code, 0, `expected ${code}, got success: ${r.stdout}`);
  assert.equal(cliErrorCode(r.stderr), code, r.stderr);
  return r.stderr;
}

async function awsJson<T>(credentials: KeyPair | undefined, ...args: string[]): Promise<T> {
  const r = await aws(credentials, ...args);
  assert.equal(r.code, 0, r.stderr);
  return (r.stdout.trim() === '' ? {} : JSON.parse(r.stdout)) as T;
}

before(async () => {
  if (skip) return;
  emulator = await startEmulator({ world: world(), logger: silentLogger, registrations: [], now: () => clock });
  dir = mkdtempSync(join(tmpdir(), 'keyway-emulator-cli-files-'));
});

after(async () => {
  await emulator?.close();
});

describe('AWS CLI v2 against the emulator', { skip }, () => {
  test('Keyway metadata → create-saml-provider, create-role with tags, assume-role-with-saml with a Keyway-signed Response, get-caller-identity prints the assumed-role ARN', async () => {
    const root = emulator.rootCredentials(MGMT);
    const entityId = 'https://keyway.example.test/saml/metadata';
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const credential = createSigningCredential(
      privateKey,
      createSelfSignedCertificate({ privateKey, commonName: 'keyway' }),
    );
    writeFileSync(
      join(dir, 'metadata.xml'),
      buildIdpMetadata({
        entityId,
        ssoUrls: [{ binding: 'post', location: 'https://keyway.example.test/saml/sso' }],
        signingCerts: [credential.certificatePem],
        validUntil: new Date(Date.now() + 30 * 86_400_000),
      }),
    );
    const provider = await awsJson<{ SAMLProviderArn: string }>(
      root,
      'iam',
      'create-saml-provider',
      '--name',
      'Keyway',
      '--saml-metadata-document',
      `file://${join(dir, 'metadata.xml')}`,
    );
    assert.equal(provider.SAMLProviderArn, `arn:aws:iam::${MGMT}:saml-provider/Keyway`);
    const trust = samlTrustPolicy(provider.SAMLProviderArn);
    writeFileSync(join(dir, 'trust.json'), trust);
    const created = await awsJson<{ Role: { Arn: string; Tags: { Key: string; Value: string }[] } }>(
      root,
      'iam',
      'create-role',
      '--role-name',
      'Admin',
      '--assume-role-policy-document',
      `file://${join(dir, 'trust.json')}`,
      '--max-session-duration',
      '28800',
      '--tags',
      'Key=Team,Value=Platform',
      'Key=CostCentre,Value=42',
    );
    assert.equal(created.Role.Arn, `arn:aws:iam::${MGMT}:role/Admin`);
    assert.deepEqual(created.Role.Tags, [
      { Key: 'Team', Value: 'Platform' },
      { Key: 'CostCentre', Value: '42' },
    ]);
    const response = await buildResponse({
      issuer: entityId,
      destination: 'https://signin.aws.amazon.com/saml',
      audience: 'urn:amazon:webservices',
      nameId: { value: 'carol@example.com', spNameQualifier: null },
      sessionIndex: '_cli-session',
      authnInstant: new Date(),
      authnContextClassRef: AUTHN_CONTEXT.passwordProtectedTransport,
      attributes: [
        {
          name: 'https://aws.amazon.com/SAML/Attributes/Role',
          values: [`${created.Role.Arn},${provider.SAMLProviderArn}`],
        },
        { name: 'https://aws.amazon.com/SAML/Attributes/RoleSessionName', values: ['carol@example.com'] },
      ],
      signing: { credential, signResponse: true, signAssertion: true },
    });
    writeFileSync(join(dir, 'response.b64'), response.base64);

    const assumeAndIdentify = async () => {
      // No credentials at all: the CLI sends AssumeRoleWithSAML unsigned.
      const out = await awsJson<{
        Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Expiration: string };
        AssumedRoleUser: { Arn: string };
        SubjectType: string;
        Issuer: string;
      }>(
        undefined,
        'sts',
        'assume-role-with-saml',
        '--role-arn',
        created.Role.Arn,
        '--principal-arn',
        provider.SAMLProviderArn,
        '--saml-assertion',
        `file://${join(dir, 'response.b64')}`,
        '--duration-seconds',
        '7200',
      );
      assert.match(out.Credentials.AccessKeyId, /^ASIA/);
      assert.equal(out.AssumedRoleUser.Arn, `arn:aws:sts::${MGMT}:assumed-role/Admin/carol@example.com`);
      assert.deepEqual([out.SubjectType, out.Issuer], ['persistent', entityId]);
      assert.ok(Date.parse(out.Credentials.Expiration) > Date.now() + 7100_000, 'DurationSeconds 7200 is honoured');
      const temp = {
        accessKeyId: out.Credentials.AccessKeyId,
        secretAccessKey: out.Credentials.SecretAccessKey,
        sessionToken: out.Credentials.SessionToken,
      };
      const me = await runCli(
        ['--endpoint-url', emulator.url, 'sts', 'get-caller-identity', '--output', 'text', '--query', 'Arn'],
        cliEnv(temp),
      );
      assert.equal(me.code, 0, me.stderr);
      assert.equal(me.stdout.trim(), `arn:aws:sts::${MGMT}:assumed-role/Admin/carol@example.com`);
    };
    const attachAndList = async () => {
      await awsJson(
        root,
        'iam',
        'attach-role-policy',
        '--role-name',
        'Admin',
        '--policy-arn',
        'arn:aws:iam::aws:policy/ReadOnlyAccess',
      );
      const attached = await awsJson<{ AttachedPolicies: { PolicyName: string }[] }>(
        root,
        'iam',
        'list-attached-role-policies',
        '--role-name',
        'Admin',
      );
      assert.deepEqual(
        attached.AttachedPolicies.map((p) => p.PolicyName),
        ['ReadOnlyAccess'],
      );
    };
    const [got, providers] = await Promise.all([
      awsJson<{ Role: { AssumeRolePolicyDocument: unknown; MaxSessionDuration: number; Tags: unknown } }>(
        root,
        'iam',
        'get-role',
        '--role-name',
        'Admin',
      ),
      awsJson<{ SAMLProviderList: { Arn: string }[] }>(root, 'iam', 'list-saml-providers'),
      assumeAndIdentify(),
      attachAndList(),
    ]);
    assert.deepEqual(
      got.Role.AssumeRolePolicyDocument,
      JSON.parse(trust),
      'botocore URL-decodes and parses policy documents',
    );
    assert.equal(got.Role.MaxSessionDuration, 28800);
    assert.deepEqual(got.Role.Tags, created.Role.Tags);
    assert.deepEqual(
      providers.SAMLProviderList.map((p) => p.Arn),
      [provider.SAMLProviderArn],
    );
  });

  test('prints IAM model errors: NoSuchEntity, EntityAlreadyExists, MalformedPolicyDocument, InvalidInput', async () => {
    const root = emulator.rootCredentials(MGMT);
    writeFileSync(
      join(dir, 'sp.xml'),
      idpMetadata({ entityId: 'https://sp.example.test', certificates: [makeCertificate()], role: 'SPSSODescriptor' }),
    );
    await Promise.all([
      awsFails('NoSuchEntity', root, 'iam', 'get-role', '--role-name', 'Missing'),
      awsFails(
        'EntityAlreadyExists',
        root,
        'iam',
        'create-role',
        '--role-name',
        'admin',
        '--assume-role-policy-document',
        `file://${join(dir, 'trust.json')}`,
      ),
      awsFails(
        'MalformedPolicyDocument',
        root,
        'iam',
        'create-role',
        '--role-name',
        'Broken',
        '--assume-role-policy-document',
        '{"Statement": "nope"}',
      ),
      awsFails(
        'InvalidInput',
        root,
        'iam',
        'create-saml-provider',
        '--name',
        'Sp',
        '--saml-metadata-document',
        `file://${join(dir, 'sp.xml')}`,
      ),
    ]);
  });

  test('lists all 25 accounts through Organizations paging, and pages of --page-size 5', async () => {
    const root = emulator.rootCredentials(MGMT);
    const [all, paged] = await Promise.all([
      awsJson<{ Accounts: { Id: string }[] }>(root, 'organizations', 'list-accounts'),
      awsJson<{ Accounts: { Id: string }[] }>(root, 'organizations', 'list-accounts', '--page-size', '5'),
      awsFails('InvalidInputException', root, 'organizations', 'list-accounts', '--max-results', '25', '--no-paginate'),
      awsFails('AccessDeniedException', emulator.rootCredentials(MEMBER), 'organizations', 'list-accounts'),
    ]);
    assert.equal(all.Accounts.length, 25);
    assert.deepEqual(
      paged.Accounts.map((a) => a.Id),
      all.Accounts.map((a) => a.Id),
    );
  });

  test('get-caller-identity reports the root ARN for a root key, and the assumed-role ARN for issued credentials', async () => {
    const { role, keys: temp } = issueRoleSession(emulator, MEMBER, 'Developer', 'carol', 3600);
    const [id, assumed] = await Promise.all([
      awsJson<{ Arn: string; Account: string }>(emulator.rootCredentials(MEMBER), 'sts', 'get-caller-identity'),
      awsJson<{ Arn: string; UserId: string }>(temp, 'sts', 'get-caller-identity'),
    ]);
    assert.deepEqual([id.Arn, id.Account], [`arn:aws:iam::${MEMBER}:root`, MEMBER]);
    assert.equal(assumed.Arn, `arn:aws:sts::${MEMBER}:assumed-role/Developer/carol`);
    assert.equal(assumed.UserId, `${role.roleId}:carol`);
  });

  test('prints the SigV4 errors: SignatureDoesNotMatch, InvalidClientTokenId, MissingAuthenticationToken, ExpiredToken', async () => {
    const root = emulator.rootCredentials(MGMT);
    await Promise.all([
      awsFails(
        'SignatureDoesNotMatch',
        { accessKeyId: root.accessKeyId, secretAccessKey: 'wrong-secret-wrong-secret' },
        'iam',
        'list-roles',
      ),
      awsFails(
        'InvalidSignatureException',
        { accessKeyId: root.accessKeyId, secretAccessKey: 'wrong-secret-wrong-secret' },
        'organizations',
        'list-roots',
      ),
      awsFails(
        'InvalidClientTokenId',
        { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'wrong-secret-wrong-secret' },
        'sts',
        'get-caller-identity',
      ),
      awsFails('MissingAuthenticationToken', undefined, '--no-sign-request', 'iam', 'list-roles'),
    ]);
    const role = emulator.iam.getRole(MEMBER, 'Developer');
    assert.ok(role);
    const temp = emulator.credentials.issueRoleSession(MEMBER, role, 'dave', 900);
    clock += 901_000;
    try {
      await awsFails('ExpiredToken', temp, 'sts', 'get-caller-identity');
    } finally {
      clock -= 901_000;
    }
    const id = await awsJson<{ Account: string }>(root, 'sts', 'get-caller-identity');
    assert.equal(id.Account, MGMT, 'the emulator keeps serving');
  });
});
