import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateRoleCommand, GetRoleCommand, IAMClient, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { silentLogger, startEmulator, type RunningEmulator } from '../aws-emulator/index.js';
import { AUTHN_CONTEXT, buildIdpMetadata, buildResponse } from '../saml/index.js';
import { testKeyPair } from '../saml/test-support/keys.js';
import { DomainError, parseAwsIamAppConfig, type RoleBinding } from '../core/index.js';
import {
  applyIamPlan,
  assumeRoleWithSaml,
  decodePolicyDocument,
  iamClient,
  planIamSetup,
  renderPlan,
  stsClient,
  type AccountConnection,
} from './index.js';

process.env.AWS_EC2_METADATA_DISABLED = 'true';

const ENTITY = 'https://keyway.test/saml/metadata';
const metadata = (certs: string[]): string =>
  buildIdpMetadata({
    entityId: ENTITY,
    ssoUrls: [{ binding: 'post', location: 'https://keyway.test/saml/sso' }],
    signingCerts: certs,
    validUntil: new Date(Date.now() + 30 * 86_400_000),
  });

const DEV = '444444444444';
const PROD = '333333333333';
const b = (id: string, accountId: string, roleName: string, rolePath = '/'): RoleBinding => ({
  id,
  groupId: 'g',
  accountId,
  roleName,
  rolePath,
  createdAt: '',
});
const bindings = [b('1', DEV, 'ReadOnly'), b('2', DEV, 'Developer', '/teams/'), b('3', PROD, 'ReadOnly')];

describe('keyway aws iam setup against the emulator through the SDK', () => {
  let emu: RunningEmulator;
  const writes: string[] = [];
  let conns: AccountConnection[];
  let config: ReturnType<typeof parseAwsIamAppConfig>;

  const connect = (accountId: string): AccountConnection => {
    const credentials = emu.rootCredentials(accountId);
    const iam = iamClient({ endpoint: emu.url, credentials, maxAttempts: 1 });
    // Counts every IAM call that is not a read, to prove an up-to-date plan writes nothing.
    iam.middlewareStack.add(
      (next, context) => async (args) => {
        const name = String(context.commandName ?? '');
        if (!/^(Get|List)/.test(name)) writes.push(`${accountId}:${name}`);
        return next(args);
      },
      { step: 'initialize', name: 'countWrites' },
    );
    return { accountId, iam, sts: stsClient({ endpoint: emu.url, credentials, maxAttempts: 1 }) };
  };

  before(async () => {
    emu = await startEmulator({ logger: silentLogger });
    config = parseAwsIamAppConfig({ signInUrl: `${emu.url}/saml` });
    conns = [connect(DEV), connect(PROD)];
  });
  after(async () => emu.close());

  test('the first plan creates the SAML provider and the bound roles, shown before anything is written', async () => {
    const plan = await planIamSetup({
      accounts: conns,
      config,
      bindings,
      metadataXml: metadata([testKeyPair('idp').certificatePem]),
    });
    assert.deepEqual(writes, [], 'planning writes nothing');
    assert.deepEqual(
      plan.changes.map((c) => `${c.action} ${c.resource} ${c.accountId} ${c.name}`),
      [
        `create saml-provider ${DEV} Keyway`,
        `create role ${DEV} ReadOnly`,
        `create role ${DEV} Developer`,
        `create saml-provider ${PROD} Keyway`,
        `create role ${PROD} ReadOnly`,
      ],
    );
    const text = renderPlan(plan, { accountNames: new Map([[DEV, 'Staging']]) });
    assert.match(text, /# AWS account 444444444444 \(Staging\)/);
    assert.match(text, / {2}\+ role \/teams\/Developer/);
    assert.match(
      text,
      /trust: Allow sts:AssumeRoleWithSAML from arn:aws:iam::444444444444:saml-provider\/Keyway when SAML:aud StringEquals http:\/\/127\.0\.0\.1:\d+\/saml/,
    );
    assert.match(text, /Plan: 5 to create, 0 to update, 0 to delete\.\n$/);
  });

  test('apply creates exactly that; the role trusts only AssumeRoleWithSAML from the provider with SAML:aud pinned (IAM User Guide, "Create a role for SAML 2.0 federation (console)")', async () => {
    const plan = await planIamSetup({
      accounts: conns,
      config,
      bindings,
      metadataXml: metadata([testKeyPair('idp').certificatePem]),
    });
    await applyIamPlan(plan, conns);
    assert.deepEqual(writes, [
      `${DEV}:CreateSAMLProviderCommand`,
      `${PROD}:CreateSAMLProviderCommand`,
      `${DEV}:CreateRoleCommand`,
      `${DEV}:CreateRoleCommand`,
      `${PROD}:CreateRoleCommand`,
    ]);
    const role = await conns[0]!.iam.send(new GetRoleCommand({ RoleName: 'Developer' }));
    assert.equal(role.Role?.Path, '/teams/');
    assert.deepEqual(decodePolicyDocument(role.Role?.AssumeRolePolicyDocument), {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: `arn:aws:iam::${DEV}:saml-provider/Keyway` },
          Action: 'sts:AssumeRoleWithSAML',
          Condition: { StringEquals: { 'SAML:aud': `${emu.url}/saml` } },
        },
      ],
    });
  });

  test('a second plan prints "No changes." and makes no write calls', async () => {
    writes.length = 0;
    const plan = await planIamSetup({
      accounts: conns,
      config,
      bindings,
      metadataXml: metadata([testKeyPair('idp').certificatePem]),
    });
    assert.deepEqual(plan.changes, []);
    assert.match(renderPlan(plan), /^No changes\./);
    await applyIamPlan(plan, conns);
    assert.deepEqual(writes, []);
  });

  test('after a key rotation the provider metadata is refreshed, then nothing more', async () => {
    const rotated = metadata([testKeyPair('idp').certificatePem, testKeyPair('idp-next').certificatePem]);
    const plan = await planIamSetup({ accounts: conns, config, bindings, metadataXml: rotated });
    assert.deepEqual(
      plan.changes.map((c) => `${c.action} ${c.resource} ${c.accountId}`),
      [`update saml-provider ${DEV}`, `update saml-provider ${PROD}`],
    );
    assert.match(
      renderPlan(plan),
      /~ saml-provider Keyway\n.*\n {6}signing certificates changed \(1 added, 0 removed\)/,
    );
    writes.length = 0;
    await applyIamPlan(plan, conns);
    assert.deepEqual(writes, [`${DEV}:UpdateSAMLProviderCommand`, `${PROD}:UpdateSAMLProviderCommand`]);
    const again = await planIamSetup({ accounts: conns, config, bindings, metadataXml: rotated });
    assert.deepEqual(again.changes, []);
  });

  test('a trust policy changed by hand is put back; TagSession appears only once tags are sent', async () => {
    await conns[1]!.iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: 'ReadOnly',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${PROD}:root` }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    const md = metadata([testKeyPair('idp').certificatePem, testKeyPair('idp-next').certificatePem]);
    const plan = await planIamSetup({ accounts: conns, config, bindings, metadataXml: md });
    assert.deepEqual(
      plan.changes.map((c) => `${c.action} ${c.resource} ${c.accountId} ${c.name}`),
      [`update trust-policy ${PROD} ReadOnly`],
    );
    assert.match(renderPlan(plan), /~ role ReadOnly trust policy\n.*\n {6}- .*sts:AssumeRole"/);
    const tagged = parseAwsIamAppConfig({
      signInUrl: `${emu.url}/saml`,
      principalTags: [{ key: 'Team', from: 'attributes.team' }],
    });
    const withTags = await planIamSetup({ accounts: conns, config: tagged, bindings, metadataXml: md });
    assert.equal(withTags.changes.length, 3);
    await applyIamPlan(withTags, conns);
    const role = await conns[0]!.iam.send(new GetRoleCommand({ RoleName: 'ReadOnly' }));
    assert.deepEqual(
      (decodePolicyDocument(role.Role?.AssumeRolePolicyDocument) as { Statement: { Action: string[] }[] }).Statement[0]!
        .Action,
      ['sts:AssumeRoleWithSAML', 'sts:TagSession'],
    );
  });

  test('an existing role under another path is reported, never deleted or moved', async () => {
    await conns[0]!.iam.send(
      new CreateRoleCommand({
        RoleName: 'Auditor',
        Path: '/legacy/',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    const plan = await planIamSetup({
      accounts: [conns[0]!],
      config,
      bindings: [b('9', DEV, 'Auditor')],
      metadataXml: metadata([testKeyPair('idp').certificatePem]),
    });
    assert.match(plan.findings[0]!.message, /role Auditor exists at path \/legacy\/, but the binding names path \//);
    await assert.rejects(
      applyIamPlan(plan, [conns[0]!]),
      (e: unknown) => e instanceof DomainError && e.code === 'precondition_failed',
    );
  });

  test('credentials of another account are refused before anything is read', async () => {
    const wrong: AccountConnection = { ...connect(DEV), accountId: PROD };
    await assert.rejects(
      planIamSetup({ accounts: [wrong], config, bindings, metadataXml: metadata([testKeyPair('idp').certificatePem]) }),
      (e: unknown) => e instanceof DomainError && /belong to account 444444444444 .*not 333333333333/.test(e.message),
    );
  });

  test('STS accepts a signed assertion for a role set up by Keyway; PrincipalTag needs the TagSession the setup adds only for tagging apps (IAM User Guide, "Pass session tags in AWS STS"; IAM User Guide, "Create a role for SAML 2.0 federation (console)")', async () => {
    const md = metadata([testKeyPair('idp').certificatePem, testKeyPair('idp-next').certificatePem]);
    const assertion = async (tags: boolean) =>
      (
        await buildResponse({
          issuer: ENTITY,
          destination: 'https://signin.aws.amazon.com/saml',
          audience: 'urn:amazon:webservices',
          nameId: { value: 'u-1' },
          sessionIndex: '_s1',
          authnInstant: new Date(),
          authnContextClassRef: AUTHN_CONTEXT.passwordProtectedTransport,
          attributes: [
            {
              name: 'https://aws.amazon.com/SAML/Attributes/Role',
              values: [`arn:aws:iam::${PROD}:role/ReadOnly,arn:aws:iam::${PROD}:saml-provider/Keyway`],
            },
            { name: 'https://aws.amazon.com/SAML/Attributes/RoleSessionName', values: ['alice'] },
            ...(tags
              ? [{ name: 'https://aws.amazon.com/SAML/Attributes/PrincipalTag:Team', values: ['platform'] }]
              : []),
          ],
          signing: { credential: testKeyPair('idp').credential },
        })
      ).base64;
    const assume = async (tags: boolean) =>
      assumeRoleWithSaml(
        { endpoint: emu.url, maxAttempts: 1 },
        {
          roleArn: `arn:aws:iam::${PROD}:role/ReadOnly`,
          principalArn: `arn:aws:iam::${PROD}:saml-provider/Keyway`,
          samlResponse: await assertion(tags),
        },
      );
    const plain = parseAwsIamAppConfig({});
    await applyIamPlan(await planIamSetup({ accounts: [conns[1]!], config: plain, bindings, metadataXml: md }), [
      conns[1]!,
    ]);
    const creds = await assume(false);
    assert.equal(creds.assumedRoleArn, `arn:aws:sts::${PROD}:assumed-role/ReadOnly/alice`);
    assert.match(creds.accessKeyId, /^ASIA/);
    await assert.rejects(assume(true), (e: unknown) => e instanceof Error && e.name === 'AccessDenied');
    const tagging = parseAwsIamAppConfig({ principalTags: [{ key: 'Team', from: 'attributes.team' }] });
    await applyIamPlan(await planIamSetup({ accounts: [conns[1]!], config: tagging, bindings, metadataXml: md }), [
      conns[1]!,
    ]);
    assert.equal((await assume(true)).assumedRoleArn, `arn:aws:sts::${PROD}:assumed-role/ReadOnly/alice`);
  });

  test('metadata without a signing certificate is refused', async () => {
    await assert.rejects(
      planIamSetup({ accounts: conns, config, bindings, metadataXml: '<x/>' }),
      /no entity ID or no signing certificate/,
    );
    assert.ok(new IAMClient({}));
  });
});
