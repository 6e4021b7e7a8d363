/**
 * STS AssumeRole and GetSessionToken through SDK v3: role chaining from a SAML session (the one-hour limit,
 * source identity and transitive session tags carried over), trust policies naming roles or accounts (an account
 * principal delegates to the calling role's own policies), OrganizationAccountAccessRole from the management
 * account, and AWS's error codes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  AssumeRoleCommand,
  AssumeRoleWithSAMLCommand,
  GetCallerIdentityCommand,
  GetSessionTokenCommand,
  STSClient,
} from '@aws-sdk/client-sts';
import { sdkConfig } from './emulator-helpers.js';
import type { KeyPair } from './emulator-helpers.js';
import {
  type FederationWorld,
  ROLE_ATTR,
  SESSION_ATTR,
  pair,
  providerArn,
  roleArn,
  startFederationWorld,
  trustPolicy,
} from './emulator-signin-setup.js';

const ACCT = '333333333333';
const OTHER = '444444444444';
const MGMT = '111111111111';
const AWS_ATTR = 'https://aws.amazon.com/SAML/Attributes/';
let world: FederationWorld;

const trusting = (principal: string, actions: string[], condition?: Record<string, unknown>): string =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: principal },
        Action: actions,
        ...(condition ? { Condition: condition } : {}),
      },
    ],
  });

async function rejects(p: Promise<unknown>, name: string, status: number, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(e.name, name, e.message);
    assert.equal(e.$metadata?.httpStatusCode, status);
    if (message) assert.match(e.message, message);
    return true;
  });
}

/** A SAML session in ACCT as role Federated, with a transitive Team tag and a source identity. */
async function samlSession(): Promise<Required<KeyPair>> {
  const saml = world.response({
    attributes: [
      [ROLE_ATTR, [pair(ACCT, 'Federated')]],
      [SESSION_ATTR, ['alice']],
      [`${AWS_ATTR}PrincipalTag:Team`, ['eng']],
      [`${AWS_ATTR}TransitiveTagKeys`, ['Team']],
      [`${AWS_ATTR}SourceIdentity`, ['alice@example.com']],
    ],
  });
  // AssumeRoleWithSAML is unsigned: the SDK never asks for credentials.
  const unsigned = new STSClient({
    endpoint: world.emulator.url,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: () => Promise.reject(new Error('AssumeRoleWithSAML must be sent unsigned')),
  });
  const out = await unsigned.send(
    new AssumeRoleWithSAMLCommand({
      RoleArn: roleArn(ACCT, 'Federated'),
      PrincipalArn: providerArn(ACCT),
      SAMLAssertion: saml,
    }),
  );
  const c = out.Credentials;
  return {
    accessKeyId: c?.AccessKeyId ?? '',
    secretAccessKey: c?.SecretAccessKey ?? '',
    sessionToken: c?.SessionToken ?? '',
  };
}

before(async () => {
  world = await startFederationWorld(
    [ACCT],
    [
      {
        account: ACCT,
        name: 'Federated',
        trust: trustPolicy(ACCT, {}, ['sts:AssumeRoleWithSAML', 'sts:TagSession', 'sts:SetSourceIdentity']),
      },
    ],
  );
  const iam = new IAMClient(sdkConfig(world.emulator.url, world.emulator.rootCredentials(ACCT)));
  const federated = roleArn(ACCT, 'Federated');
  const all = ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'];
  await iam.send(new CreateRoleCommand({ RoleName: 'Target', AssumeRolePolicyDocument: trusting(federated, all) }));
  await iam.send(
    new CreateRoleCommand({
      RoleName: 'NoTags',
      AssumeRolePolicyDocument: trusting(roleArn(ACCT, 'Target'), ['sts:AssumeRole', 'sts:SetSourceIdentity']),
    }),
  );
  await iam.send(
    new CreateRoleCommand({
      RoleName: 'EngOnly',
      AssumeRolePolicyDocument: trusting(roleArn(ACCT, 'Target'), all, {
        StringEquals: { 'aws:PrincipalTag/Team': 'eng' },
      }),
    }),
  );
  await iam.send(
    new CreateRoleCommand({
      RoleName: 'ViaAccount',
      AssumeRolePolicyDocument: trusting(`arn:aws:iam::${ACCT}:root`, all),
    }),
  );
  await iam.send(
    new CreateRoleCommand({
      RoleName: 'Elsewhere',
      AssumeRolePolicyDocument: trusting(`arn:aws:iam::${OTHER}:root`, all),
      MaxSessionDuration: 7200,
    }),
  );
  iam.destroy();
});

after(async () => {
  await world.close();
});

describe('STS AssumeRole', () => {
  test('a SAML session assumes a role it is trusted by; the one-hour chaining limit, source identity and transitive tags apply', async () => {
    const saml = await samlSession();
    const client = new STSClient(sdkConfig(world.emulator.url, saml));
    await rejects(
      client.send(
        new AssumeRoleCommand({ RoleArn: roleArn(ACCT, 'Target'), RoleSessionName: 'chain', DurationSeconds: 7200 }),
      ),
      'ValidationError',
      400,
      /exceeds the 1 hour session limit for roles assumed by role chaining/,
    );
    const out = await client.send(
      new AssumeRoleCommand({ RoleArn: roleArn(ACCT, 'Target'), RoleSessionName: 'chain' }),
    );
    assert.equal(out.AssumedRoleUser?.Arn, `arn:aws:sts::${ACCT}:assumed-role/Target/chain`);
    assert.equal(out.SourceIdentity, 'alice@example.com');
    assert.ok(out.Credentials?.Expiration && out.Credentials.Expiration.getTime() - Date.now() <= 3600_000 + 5000);
    const target: Required<KeyPair> = {
      accessKeyId: out.Credentials?.AccessKeyId ?? '',
      secretAccessKey: out.Credentials?.SecretAccessKey ?? '',
      sessionToken: out.Credentials?.SessionToken ?? '',
    };
    const targetSts = new STSClient(sdkConfig(world.emulator.url, target));
    const me = await targetSts.send(new GetCallerIdentityCommand({}));
    assert.equal(me.Arn, `arn:aws:sts::${ACCT}:assumed-role/Target/chain`);
    // The transitive Team tag came along: a trust policy without sts:TagSession refuses the next hop, one that
    // tests aws:PrincipalTag/Team lets it through.
    await rejects(
      targetSts.send(new AssumeRoleCommand({ RoleArn: roleArn(ACCT, 'NoTags'), RoleSessionName: 'hop' })),
      'AccessDenied',
      403,
      /is not authorized to perform: sts:AssumeRole on resource/,
    );
    const hop = await targetSts.send(
      new AssumeRoleCommand({ RoleArn: roleArn(ACCT, 'EngOnly'), RoleSessionName: 'hop' }),
    );
    assert.equal(hop.SourceIdentity, 'alice@example.com');
    // A carried source identity cannot be replaced.
    await rejects(
      targetSts.send(
        new AssumeRoleCommand({ RoleArn: roleArn(ACCT, 'EngOnly'), RoleSessionName: 'hop', SourceIdentity: 'mallory' }),
      ),
      'AccessDenied',
      403,
    );
  });

  test("a trust policy naming the account delegates to the calling role's own policies", async () => {
    const saml = await samlSession();
    const client = new STSClient(sdkConfig(world.emulator.url, saml));
    await rejects(
      client.send(new AssumeRoleCommand({ RoleArn: roleArn(ACCT, 'ViaAccount'), RoleSessionName: 'sess' })),
      'AccessDenied',
      403,
    );
    const iam = new IAMClient(sdkConfig(world.emulator.url, world.emulator.rootCredentials(ACCT)));
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'Federated',
        PolicyName: 'assume',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: roleArn(ACCT, '*') }],
        }),
      }),
    );
    const out = await client.send(
      new AssumeRoleCommand({ RoleArn: roleArn(ACCT, 'ViaAccount'), RoleSessionName: 'sess' }),
    );
    assert.equal(out.AssumedRoleUser?.Arn, `arn:aws:sts::${ACCT}:assumed-role/ViaAccount/sess`);
  });

  test('untrusted callers, missing roles and over-long sessions are refused with AWS codes', async () => {
    const root = new STSClient(sdkConfig(world.emulator.url, world.emulator.rootCredentials(ACCT)));
    await rejects(
      root.send(new AssumeRoleCommand({ RoleArn: roleArn(ACCT, 'Elsewhere'), RoleSessionName: 'sess' })),
      'AccessDenied',
      403,
    );
    await rejects(
      root.send(new AssumeRoleCommand({ RoleArn: roleArn(ACCT, 'Missing'), RoleSessionName: 'sess' })),
      'AccessDenied',
      403,
    );
    const other = new STSClient(sdkConfig(world.emulator.url, world.emulator.rootCredentials(OTHER)));
    await rejects(
      other.send(
        new AssumeRoleCommand({ RoleArn: roleArn(ACCT, 'Elsewhere'), RoleSessionName: 'sess', DurationSeconds: 10800 }),
      ),
      'ValidationError',
      400,
      /MaxSessionDuration/,
    );
    const ok = await other.send(
      new AssumeRoleCommand({ RoleArn: roleArn(ACCT, 'Elsewhere'), RoleSessionName: 'sess', DurationSeconds: 7200 }),
    );
    assert.ok(ok.Credentials?.AccessKeyId?.startsWith('ASIA'));
    await rejects(
      root.send(new AssumeRoleCommand({ RoleArn: roleArn(ACCT, 'Target'), RoleSessionName: 'xx' })),
      'AccessDenied',
      403,
    );
    await rejects(
      root.send(new AssumeRoleCommand({ RoleArn: roleArn(ACCT, 'Target'), RoleSessionName: 'bad name' })),
      'ValidationError',
      400,
      /roleSessionName/,
    );
  });

  test('the management account reaches a member account through OrganizationAccountAccessRole', async () => {
    const mgmt = new STSClient(sdkConfig(world.emulator.url, world.emulator.rootCredentials(MGMT)));
    const out = await mgmt.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${OTHER}:role/OrganizationAccountAccessRole`,
        RoleSessionName: 'admin',
      }),
    );
    const member = new IAMClient(
      sdkConfig(world.emulator.url, {
        accessKeyId: out.Credentials?.AccessKeyId ?? '',
        secretAccessKey: out.Credentials?.SecretAccessKey ?? '',
        sessionToken: out.Credentials?.SessionToken ?? '',
      }),
    );
    await member.send(
      new CreateRoleCommand({
        RoleName: 'MadeByMgmt',
        AssumeRolePolicyDocument: trusting(`arn:aws:iam::${MGMT}:root`, ['sts:AssumeRole']),
      }),
    );
    // Another member account is not trusted.
    const member2 = new STSClient(sdkConfig(world.emulator.url, world.emulator.rootCredentials(ACCT)));
    await rejects(
      member2.send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${OTHER}:role/OrganizationAccountAccessRole`,
          RoleSessionName: 'xx',
        }),
      ),
      'AccessDenied',
      403,
    );
  });
});

describe('STS GetSessionToken', () => {
  test('long-term credentials get a session token (at most an hour for root); session credentials cannot', async () => {
    const root = new STSClient(sdkConfig(world.emulator.url, world.emulator.rootCredentials(ACCT)));
    const out = await root.send(new GetSessionTokenCommand({ DurationSeconds: 7200 }));
    const c = out.Credentials;
    assert.ok(c?.Expiration && c.Expiration.getTime() - Date.now() <= 3600_000 + 5000);
    const session = new STSClient(
      sdkConfig(world.emulator.url, {
        accessKeyId: c?.AccessKeyId ?? '',
        secretAccessKey: c?.SecretAccessKey ?? '',
        sessionToken: c?.SessionToken ?? '',
      }),
    );
    assert.equal((await session.send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:iam::${ACCT}:root`);
    await rejects(session.send(new GetSessionTokenCommand({})), 'AccessDenied', 403, /session credentials/);
    // A session token is not a role session: assuming a role from it is not role chaining.
    const mgmtToken = (
      await new STSClient(sdkConfig(world.emulator.url, world.emulator.rootCredentials(MGMT))).send(
        new GetSessionTokenCommand({}),
      )
    ).Credentials;
    const assumed = await new STSClient(
      sdkConfig(world.emulator.url, {
        accessKeyId: mgmtToken?.AccessKeyId ?? '',
        secretAccessKey: mgmtToken?.SecretAccessKey ?? '',
        sessionToken: mgmtToken?.SessionToken ?? '',
      }),
    ).send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${OTHER}:role/OrganizationAccountAccessRole`,
        RoleSessionName: 'tok',
      }),
    );
    assert.ok(assumed.Credentials);
  });
});
