/**
 * IAM beyond roles and providers, through SDK v3: the AWS-managed policy catalogue (every policy AWS publishes,
 * with its versions), customer-managed policy versions, permissions boundaries, role descriptions, SAML provider
 * tags, who uses a policy, GetAccountAuthorizationDetails, policy simulation, and AWS's strict validation of
 * trust-policy principals, reserved `aws:` tag keys and ARN formats.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateSAMLProviderCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRolePermissionsBoundaryCommand,
  GetAccountAuthorizationDetailsCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  IAMClient,
  ListEntitiesForPolicyCommand,
  ListInstanceProfilesForRoleCommand,
  ListPoliciesCommand,
  ListPolicyVersionsCommand,
  ListSAMLProviderTagsCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  SetDefaultPolicyVersionCommand,
  SimulateCustomPolicyCommand,
  SimulatePrincipalPolicyCommand,
  TagRoleCommand,
  TagSAMLProviderCommand,
  UntagSAMLProviderCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
  UpdateRoleDescriptionCommand,
} from '@aws-sdk/client-iam';
import { silentLogger, startEmulator } from '../../src/aws-emulator/index.js';
import type { RunningEmulator } from '../../src/aws-emulator/index.js';
import { idpMetadata, makeCertificate, samlTrustPolicy, sdkConfig } from './emulator-helpers.js';

const MGMT = '111111111111';
const PROD = '333333333333';
const EC2_FULL = 'arn:aws:iam::aws:policy/AmazonEC2FullAccess';
let emulator: RunningEmulator;
let iam: IAMClient;
let provider: string;

const doc = (statement: Record<string, unknown>): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
const trustAws = (principal: unknown): string =>
  doc({ Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole' });

async function rejects(p: Promise<unknown>, name: string, status: number, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(e.name, name, e.message);
    assert.equal(e.$metadata?.httpStatusCode, status);
    if (message) assert.match(e.message, message);
    return true;
  });
}

before(async () => {
  emulator = await startEmulator({ logger: silentLogger, registrations: [] });
  iam = new IAMClient(sdkConfig(emulator.url, emulator.rootCredentials(MGMT)));
  const created = await iam.send(
    new CreateSAMLProviderCommand({
      Name: 'Keyway',
      SAMLMetadataDocument: idpMetadata({
        entityId: 'https://idp.example.test/saml',
        certificates: [makeCertificate()],
      }),
    }),
  );
  provider = created.SAMLProviderArn ?? '';
  await iam.send(new CreateRoleCommand({ RoleName: 'App', AssumeRolePolicyDocument: samlTrustPolicy(provider) }));
});

after(async () => {
  iam.destroy();
  await emulator.close();
});

describe('the AWS-managed policy catalogue', () => {
  test('AmazonEC2FullAccess and service-role policies exist with every version and its document', async () => {
    const p = (await iam.send(new GetPolicyCommand({ PolicyArn: EC2_FULL }))).Policy;
    assert.equal(p?.PolicyName, 'AmazonEC2FullAccess');
    assert.match(p?.DefaultVersionId ?? '', /^v\d+$/);
    assert.ok((p?.CreateDate?.getTime() ?? 0) < (p?.UpdateDate?.getTime() ?? 0));
    const versions = (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: EC2_FULL }))).Versions ?? [];
    assert.ok(versions.length > 1);
    assert.deepEqual(
      versions.filter((v) => v.IsDefaultVersion).map((v) => v.VersionId),
      [p?.DefaultVersionId],
    );
    const v = (await iam.send(new GetPolicyVersionCommand({ PolicyArn: EC2_FULL, VersionId: p?.DefaultVersionId })))
      .PolicyVersion;
    const body = JSON.parse(decodeURIComponent(v?.Document ?? '')) as { Statement: { Action: unknown }[] };
    assert.ok(body.Statement.some((s) => s.Action === 'ec2:*'));
    await rejects(
      iam.send(new GetPolicyVersionCommand({ PolicyArn: EC2_FULL, VersionId: 'v999' })),
      'NoSuchEntityException',
      404,
    );
    const lambda = 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'App', PolicyArn: lambda }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'App', PolicyArn: EC2_FULL }));
    const entities = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: EC2_FULL }));
    assert.deepEqual(
      entities.PolicyRoles?.map((r) => r.RoleName),
      ['App'],
    );
    assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: EC2_FULL }))).Policy?.AttachmentCount, 1);
  });

  test('ListPolicies --scope AWS pages through the whole catalogue without repeats', async () => {
    const seen: string[] = [];
    let marker: string | undefined;
    do {
      const page = await iam.send(new ListPoliciesCommand({ Scope: 'AWS', MaxItems: 400, Marker: marker }));
      assert.ok((page.Policies ?? []).length <= 400);
      seen.push(...(page.Policies ?? []).map((x) => x.Arn ?? ''));
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    assert.ok(seen.length > 1000, `${seen.length} AWS-managed policies`);
    assert.equal(new Set(seen).size, seen.length);
    assert.ok(seen.every((a) => a.startsWith('arn:aws:iam::aws:policy/')));
    const attached = await iam.send(new ListPoliciesCommand({ Scope: 'AWS', OnlyAttached: true }));
    assert.ok(attached.Policies?.some((x) => x.Arn === EC2_FULL));
  });
});

describe('customer-managed policy versions', () => {
  test('create, list, set default, delete; at most five versions; the default cannot be deleted', async () => {
    const arn =
      (
        await iam.send(
          new CreatePolicyCommand({
            PolicyName: 'Versioned',
            PolicyDocument: doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }),
          }),
        )
      ).Policy?.Arn ?? '';
    const v2 = await iam.send(
      new CreatePolicyVersionCommand({
        PolicyArn: arn,
        PolicyDocument: doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' }),
        SetAsDefault: true,
      }),
    );
    assert.equal(v2.PolicyVersion?.VersionId, 'v2');
    assert.equal(v2.PolicyVersion?.IsDefaultVersion, true);
    assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy?.DefaultVersionId, 'v2');
    for (let i = 3; i <= 5; i++)
      await iam.send(
        new CreatePolicyVersionCommand({
          PolicyArn: arn,
          PolicyDocument: doc({ Effect: 'Allow', Action: `s3:List${i}`, Resource: '*' }),
        }),
      );
    await rejects(
      iam.send(
        new CreatePolicyVersionCommand({
          PolicyArn: arn,
          PolicyDocument: doc({ Effect: 'Allow', Action: 's3:X', Resource: '*' }),
        }),
      ),
      'LimitExceededException',
      409,
      /up to 5 versions/,
    );
    await rejects(
      iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' })),
      'DeleteConflictException',
      409,
    );
    await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' }));
    await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v5' }));
    const listed = (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }))).Versions ?? [];
    assert.deepEqual(
      listed.map((v) => [v.VersionId, v.IsDefaultVersion]),
      [
        ['v5', true],
        ['v4', false],
        ['v3', false],
        ['v2', false],
      ],
    );
    // Version numbers are never reused.
    await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v4' }));
    const v6 = await iam.send(
      new CreatePolicyVersionCommand({
        PolicyArn: arn,
        PolicyDocument: doc({ Effect: 'Allow', Action: 's3:Y', Resource: '*' }),
      }),
    );
    assert.equal(v6.PolicyVersion?.VersionId, 'v6');
    await rejects(iam.send(new DeletePolicyCommand({ PolicyArn: arn })), 'DeleteConflictException', 409);
    await rejects(
      iam.send(
        new CreatePolicyVersionCommand({
          PolicyArn: EC2_FULL,
          PolicyDocument: doc({ Effect: 'Allow', Action: 's3:Y', Resource: '*' }),
        }),
      ),
      'AccessDenied',
      403,
    );
  });
});

describe('roles: boundaries, descriptions, instance profiles', () => {
  test('PutRolePermissionsBoundary, DeleteRolePermissionsBoundary, UpdateRoleDescription, UpdateRole, ListInstanceProfilesForRole', async () => {
    await iam.send(
      new PutRolePermissionsBoundaryCommand({
        RoleName: 'App',
        PermissionsBoundary: 'arn:aws:iam::aws:policy/PowerUserAccess',
      }),
    );
    assert.equal(
      (await iam.send(new GetRoleCommand({ RoleName: 'App' }))).Role?.PermissionsBoundary?.PermissionsBoundaryArn,
      'arn:aws:iam::aws:policy/PowerUserAccess',
    );
    const usage = await iam.send(
      new ListEntitiesForPolicyCommand({
        PolicyArn: 'arn:aws:iam::aws:policy/PowerUserAccess',
        PolicyUsageFilter: 'PermissionsBoundary',
      }),
    );
    assert.deepEqual(
      usage.PolicyRoles?.map((r) => r.RoleName),
      ['App'],
    );
    await rejects(
      iam.send(
        new PutRolePermissionsBoundaryCommand({
          RoleName: 'App',
          PermissionsBoundary: 'arn:aws:iam::aws:policy/NoSuchPolicy',
        }),
      ),
      'NoSuchEntityException',
      404,
    );
    await iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: 'App' }));
    assert.equal((await iam.send(new GetRoleCommand({ RoleName: 'App' }))).Role?.PermissionsBoundary, undefined);
    const described = await iam.send(new UpdateRoleDescriptionCommand({ RoleName: 'App', Description: 'the app' }));
    assert.equal(described.Role?.Description, 'the app');
    await iam.send(new UpdateRoleCommand({ RoleName: 'App', MaxSessionDuration: 7200 }));
    assert.equal((await iam.send(new GetRoleCommand({ RoleName: 'App' }))).Role?.MaxSessionDuration, 7200);
    assert.deepEqual(
      (await iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: 'App' }))).InstanceProfiles,
      [],
    );
    await rejects(iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: 'Nope' })), 'NoSuchEntityException', 404);
  });

  test('GetAccountAuthorizationDetails lists roles with their policies and the policies in use, with every version', async () => {
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'App',
        PolicyName: 'inline',
        PolicyDocument: doc({ Effect: 'Allow', Action: 'sqs:*', Resource: '*' }),
      }),
    );
    const all = await iam.send(new GetAccountAuthorizationDetailsCommand({}));
    const app = all.RoleDetailList?.find((r) => r.RoleName === 'App');
    assert.deepEqual(
      app?.RolePolicyList?.map((p) => p.PolicyName),
      ['inline'],
    );
    assert.ok(app?.AttachedManagedPolicies?.some((p) => p.PolicyArn === EC2_FULL));
    const ec2 = all.Policies?.find((p) => p.Arn === EC2_FULL);
    assert.ok((ec2?.PolicyVersionList?.length ?? 0) > 1);
    assert.ok(ec2?.PolicyVersionList?.every((v) => (v.Document ?? '').length > 0));
    const rolesOnly = await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Role'], MaxItems: 1 }));
    assert.equal(rolesOnly.RoleDetailList?.length, 1);
    assert.deepEqual(rolesOnly.Policies, []);
    assert.equal(rolesOnly.IsTruncated, false);
  });
});

describe('policy simulation', () => {
  test('SimulatePrincipalPolicy decides with the role’s policies; SimulateCustomPolicy with the given ones', async () => {
    const r = await iam.send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: `arn:aws:iam::${MGMT}:role/App`,
        ActionNames: ['ec2:RunInstances', 'iam:CreateUser', 'sqs:SendMessage'],
      }),
    );
    assert.deepEqual(
      r.EvaluationResults?.map((e) => [e.EvalActionName, e.EvalDecision]),
      [
        ['ec2:RunInstances', 'allowed'],
        ['iam:CreateUser', 'implicitDeny'],
        ['sqs:SendMessage', 'allowed'],
      ],
    );
    assert.deepEqual(
      r.EvaluationResults?.[0]?.MatchedStatements?.map((s) => [s.SourcePolicyId, s.SourcePolicyType]),
      [[EC2_FULL, 'aws-managed']],
    );
    const custom = await iam.send(
      new SimulateCustomPolicyCommand({
        PolicyInputList: [
          JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: 's3:*', Resource: '*' },
              { Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' },
            ],
          }),
        ],
        ActionNames: ['s3:GetObject', 's3:DeleteBucket'],
        ResourceArns: ['arn:aws:s3:::bucket/key'],
      }),
    );
    assert.deepEqual(
      custom.EvaluationResults?.map((e) => [e.EvalActionName, e.EvalDecision, e.EvalResourceName]),
      [
        ['s3:GetObject', 'allowed', 'arn:aws:s3:::bucket/key'],
        ['s3:DeleteBucket', 'explicitDeny', 'arn:aws:s3:::bucket/key'],
      ],
    );
    await rejects(
      iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: ['{'], ActionNames: ['s3:GetObject'] })),
      'MalformedPolicyDocumentException',
      400,
    );
    await rejects(
      iam.send(
        new SimulatePrincipalPolicyCommand({
          PolicySourceArn: `arn:aws:iam::${MGMT}:role/Nope`,
          ActionNames: ['s3:GetObject'],
        }),
      ),
      'NoSuchEntityException',
      404,
    );
  });
});

describe("AWS's strict validation", () => {
  test('trust-policy principals must exist: SAML providers, roles, accounts; services by their form', async () => {
    const invalid = async (policy: string, shown: RegExp): Promise<void> =>
      rejects(
        iam.send(new CreateRoleCommand({ RoleName: 'Bad', AssumeRolePolicyDocument: policy })),
        'MalformedPolicyDocumentException',
        400,
        shown,
      );
    await invalid(
      samlTrustPolicy(`arn:aws:iam::${MGMT}:saml-provider/Missing`),
      /^Invalid principal in policy: "Federated":"arn:aws:iam::111111111111:saml-provider\/Missing"$/,
    );
    await invalid(trustAws(`arn:aws:iam::${MGMT}:role/Missing`), /Invalid principal in policy: "AWS"/);
    await invalid(trustAws('arn:aws:iam::999999999999:root'), /Invalid principal in policy/);
    await invalid(trustAws('999999999999'), /Invalid principal in policy/);
    await invalid(trustAws(`arn:aws:iam::${MGMT}:user/alice`), /Invalid principal in policy/);
    await invalid(
      doc({ Effect: 'Allow', Principal: { Service: 'not a service' }, Action: 'sts:AssumeRole' }),
      /Invalid principal in policy: "Service"/,
    );
    for (const [name, policy] of [
      ['Root', trustAws(`arn:aws:iam::${PROD}:root`)],
      ['Account', trustAws(PROD)],
      ['Role', trustAws(`arn:aws:iam::${MGMT}:role/App`)],
      ['Service', doc({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' })],
      ['Saml', samlTrustPolicy(provider)],
    ] as const) {
      await iam.send(new CreateRoleCommand({ RoleName: `Ok${name}`, AssumeRolePolicyDocument: policy }));
    }
    await rejects(
      iam.send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: 'OkRoot',
          PolicyDocument: trustAws('arn:aws:iam::999999999999:root'),
        }),
      ),
      'MalformedPolicyDocumentException',
      400,
    );
  });

  test('tag keys beginning with aws: are reserved', async () => {
    await rejects(
      iam.send(new TagRoleCommand({ RoleName: 'App', Tags: [{ Key: 'aws:owner', Value: 'x' }] })),
      'InvalidInputException',
      400,
      /reserved/,
    );
    await rejects(
      iam.send(
        new CreateRoleCommand({
          RoleName: 'Tagged',
          AssumeRolePolicyDocument: samlTrustPolicy(provider),
          Tags: [{ Key: 'AWS:x', Value: 'y' }],
        }),
      ),
      'InvalidInputException',
      400,
    );
    await rejects(
      iam.send(new TagSAMLProviderCommand({ SAMLProviderArn: provider, Tags: [{ Key: 'aws:x', Value: 'y' }] })),
      'InvalidInputException',
      400,
    );
  });

  test('SAML provider tags: TagSAMLProvider, ListSAMLProviderTags, UntagSAMLProvider', async () => {
    await iam.send(
      new TagSAMLProviderCommand({
        SAMLProviderArn: provider,
        Tags: [
          { Key: 'Owner', Value: 'sec' },
          { Key: 'Tier', Value: '1' },
        ],
      }),
    );
    assert.deepEqual((await iam.send(new ListSAMLProviderTagsCommand({ SAMLProviderArn: provider }))).Tags, [
      { Key: 'Owner', Value: 'sec' },
      { Key: 'Tier', Value: '1' },
    ]);
    await iam.send(new UntagSAMLProviderCommand({ SAMLProviderArn: provider, TagKeys: ['Tier'] }));
    assert.deepEqual((await iam.send(new ListSAMLProviderTagsCommand({ SAMLProviderArn: provider }))).Tags, [
      { Key: 'Owner', Value: 'sec' },
    ]);
  });

  test('a string that is not an ARN is InvalidInput, not NoSuchEntity', async () => {
    await rejects(
      iam.send(new GetPolicyCommand({ PolicyArn: 'not-an-arn-but-long-enough' })),
      'InvalidInputException',
      400,
      /ARN not-an-arn-but-long-enough is not valid/,
    );
    await rejects(
      iam.send(new AttachRolePolicyCommand({ RoleName: 'App', PolicyArn: 'arn:aws:iam::aws:nonsense/X' })),
      'InvalidInputException',
      400,
    );
    await rejects(
      iam.send(new ListSAMLProviderTagsCommand({ SAMLProviderArn: 'arn:aws:iam::111111111111:role/App' })),
      'InvalidInputException',
      400,
    );
    await rejects(
      iam.send(new GetPolicyCommand({ PolicyArn: 'arn:aws:iam::aws:policy/NoSuchPolicyAnywhere' })),
      'NoSuchEntityException',
      404,
    );
  });
});
