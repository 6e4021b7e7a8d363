/**
 * IAM through the AWS SDK for JavaScript v3 against an in-process emulator: SAML providers, roles, inline and
 * managed policies, with the error codes of AWS's IAM model (botocore iam 2010-05-08) and IAM User Guide, "Create a
 * SAML identity provider in IAM"; the IAM API Reference.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateSAMLProviderCommand,
  DeletePolicyCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DeleteSAMLProviderCommand,
  DetachRolePolicyCommand,
  GetPolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetSAMLProviderCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListPoliciesCommand,
  ListRolePoliciesCommand,
  ListRoleTagsCommand,
  ListRolesCommand,
  ListSAMLProvidersCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
  UpdateSAMLProviderCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { silentLogger, startEmulator } from '../../src/aws-emulator/index.js';
import type { RunningEmulator } from '../../src/aws-emulator/index.js';
import { idpMetadata, issueRoleSession, makeCertificate, samlTrustPolicy, sdkConfig } from './emulator-helpers.js';

const MGMT = '111111111111';
const PROD = '333333333333';

let emulator: RunningEmulator;
let iam: IAMClient;
let prodIam: IAMClient;
let cert: string;

async function rejects(promise: Promise<unknown>, name: string, status?: number, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(e.name, name, `${e.name}: ${e.message}`);
    if (status !== undefined) assert.equal(e.$metadata?.httpStatusCode, status);
    if (message) assert.match(e.message, message);
    return true;
  });
}

const identityPolicy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
});

before(async () => {
  emulator = await startEmulator({ logger: silentLogger, registrations: [] });
  iam = new IAMClient(sdkConfig(emulator.url, emulator.rootCredentials(MGMT)));
  prodIam = new IAMClient(sdkConfig(emulator.url, emulator.rootCredentials(PROD)));
  cert = makeCertificate();
});

after(async () => {
  await emulator.close();
});

describe('IAM SAML providers (CreateSAMLProvider and friends)', () => {
  test('creates a provider from IdP metadata and returns it with its document, dates and UUID', async () => {
    const metadata = idpMetadata({
      entityId: 'https://keyway.example.test/saml/aws',
      certificates: [cert],
      validUntil: new Date('2031-01-01T00:00:00Z'),
    });
    const created = await iam.send(
      new CreateSAMLProviderCommand({
        Name: 'Keyway',
        SAMLMetadataDocument: metadata,
        Tags: [{ Key: 'Owner', Value: 'sec' }],
      }),
    );
    assert.equal(created.SAMLProviderArn, `arn:aws:iam::${MGMT}:saml-provider/Keyway`);
    assert.deepEqual(created.Tags, [{ Key: 'Owner', Value: 'sec' }]);
    const got = await iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: created.SAMLProviderArn }));
    assert.equal(got.SAMLMetadataDocument, metadata);
    assert.equal(got.ValidUntil?.toISOString(), '2031-01-01T00:00:00.000Z');
    assert.ok(got.CreateDate instanceof Date);
    assert.match(got.SAMLProviderUUID ?? '', /^[A-Z0-9]{22,64}$/);
    const list = await iam.send(new ListSAMLProvidersCommand({}));
    assert.deepEqual(
      list.SAMLProviderList?.map((p) => p.Arn),
      [created.SAMLProviderArn],
    );
  });

  test('updates the metadata (certificate rotation) and deletes the provider', async () => {
    const arn = (
      await iam.send(
        new CreateSAMLProviderCommand({
          Name: 'Rotating',
          SAMLMetadataDocument: idpMetadata({ entityId: 'https://idp.test/a', certificates: [cert] }),
        }),
      )
    ).SAMLProviderArn;
    const rotated = idpMetadata({ entityId: 'https://idp.test/a', certificates: [makeCertificate()] });
    const updated = await iam.send(
      new UpdateSAMLProviderCommand({ SAMLProviderArn: arn, SAMLMetadataDocument: rotated }),
    );
    assert.equal(updated.SAMLProviderArn, arn);
    assert.equal((await iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: arn }))).SAMLMetadataDocument, rotated);
    assert.equal(emulator.iamReader.getSamlProviderByArn(arn ?? '')?.entityId, 'https://idp.test/a');
    // UpdateSAMLProvider validates the new metadata as CreateSAMLProvider does, and a refused update changes nothing.
    const spMetadata = idpMetadata({ entityId: 'https://idp.test/a', certificates: [cert], role: 'SPSSODescriptor' });
    await rejects(
      iam.send(new UpdateSAMLProviderCommand({ SAMLProviderArn: arn, SAMLMetadataDocument: spMetadata })),
      'InvalidInputException',
      400,
      /Could not parse metadata/,
    );
    await rejects(
      iam.send(new UpdateSAMLProviderCommand({ SAMLProviderArn: arn, SAMLMetadataDocument: '<x/>' })),
      'ValidationError',
      400,
      /length greater than or equal to 1000/,
    );
    await rejects(iam.send(new UpdateSAMLProviderCommand({ SAMLProviderArn: arn })), 'InvalidInputException', 400);
    await rejects(
      prodIam.send(new UpdateSAMLProviderCommand({ SAMLProviderArn: arn, SAMLMetadataDocument: rotated })),
      'NoSuchEntityException',
      404,
    );
    assert.equal((await iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: arn }))).SAMLMetadataDocument, rotated);
    await iam.send(new DeleteSAMLProviderCommand({ SAMLProviderArn: arn }));
    await rejects(iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: arn })), 'NoSuchEntityException', 404);
  });

  test('rejects metadata AWS cannot use with InvalidInput "Could not parse metadata" (IAM UG id_roles_providers_create_saml)', async () => {
    const pad = ' '.repeat(1000);
    const cases: [string, string][] = [
      ['not XML', `this is not xml ${pad}`],
      [
        'a DTD',
        `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>${idpMetadata({ entityId: 'https://idp.test/d', certificates: [cert] }).replace(/^<\?xml[^>]*\?>\n/, '')}`,
      ],
      [
        'an SP descriptor instead of an IdP one',
        idpMetadata({ entityId: 'https://idp.test/sp', certificates: [cert], role: 'SPSSODescriptor' }),
      ],
      ['no signing certificate', idpMetadata({ entityId: 'https://idp.test/nocert', certificates: [] }) + pad],
      [
        'a certificate that is not X.509',
        idpMetadata({ entityId: 'https://idp.test/bad', certificates: ['QUJDRA=='] }) + pad,
      ],
      ['a 512-bit RSA key', idpMetadata({ entityId: 'https://idp.test/weak', certificates: [makeCertificate(512)] })],
      [
        'a certificate repeating an extension',
        idpMetadata({
          entityId: 'https://idp.test/dup',
          certificates: [
            makeCertificate(2048, 'dup', [
              { name: 'basicConstraints', cA: false },
              { name: 'basicConstraints', cA: false },
            ]),
          ],
        }),
      ],
      ['a byte-order mark', `\ufeff${idpMetadata({ entityId: 'https://idp.test/bom', certificates: [cert] })}`],
    ];
    for (const [label, document] of cases) {
      await rejects(
        iam.send(new CreateSAMLProviderCommand({ Name: 'Bad', SAMLMetadataDocument: document })),
        'InvalidInputException',
        400,
        /Could not parse metadata/,
      ).catch((e: Error) => {
        throw new Error(`${label}: ${e.message}`);
      });
    }
    assert.equal(
      (await iam.send(new ListSAMLProvidersCommand({}))).SAMLProviderList?.some((p) => p.Arn?.endsWith('/Bad')),
      false,
    );
  });

  test('enforces the model name pattern [\\w._-]+, the 1000-character minimum and unique names', async () => {
    const metadata = idpMetadata({ entityId: 'https://idp.test/n', certificates: [cert] });
    await rejects(
      iam.send(new CreateSAMLProviderCommand({ Name: 'bad name!', SAMLMetadataDocument: metadata })),
      'ValidationError',
      400,
      /regular expression pattern/,
    );
    await rejects(
      iam.send(new CreateSAMLProviderCommand({ Name: 'Short', SAMLMetadataDocument: '<x/>' })),
      'ValidationError',
      400,
      /length greater than or equal to 1000/,
    );
    await iam.send(new CreateSAMLProviderCommand({ Name: 'Twice', SAMLMetadataDocument: metadata }));
    await rejects(
      iam.send(new CreateSAMLProviderCommand({ Name: 'Twice', SAMLMetadataDocument: metadata })),
      'EntityAlreadyExistsException',
      409,
    );
  });

  test('refuses to pretend to encrypt assertions: AssertionEncryptionMode Required, AddPrivateKey and RemovePrivateKey are InvalidInput; Allowed is accepted', async () => {
    const metadata = idpMetadata({ entityId: 'https://idp.test/enc', certificates: [cert] });
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----';
    await rejects(
      iam.send(
        new CreateSAMLProviderCommand({
          Name: 'Enc',
          SAMLMetadataDocument: metadata,
          AssertionEncryptionMode: 'Required',
        }),
      ),
      'InvalidInputException',
      400,
      /encryption is not supported/,
    );
    await rejects(
      iam.send(new CreateSAMLProviderCommand({ Name: 'Enc', SAMLMetadataDocument: metadata, AddPrivateKey: pem })),
      'InvalidInputException',
      400,
      /encryption is not supported/,
    );
    await rejects(
      iam.send(
        new CreateSAMLProviderCommand({
          Name: 'Enc',
          SAMLMetadataDocument: metadata,
          AssertionEncryptionMode: 'Sometimes' as 'Allowed',
        }),
      ),
      'ValidationError',
      400,
      /regular expression pattern: Required\|Allowed/,
    );
    assert.equal(
      (await iam.send(new ListSAMLProvidersCommand({}))).SAMLProviderList?.some((p) => p.Arn?.endsWith('/Enc')),
      false,
      'nothing was created',
    );
    const { SAMLProviderArn } = await iam.send(
      new CreateSAMLProviderCommand({
        Name: 'Enc',
        SAMLMetadataDocument: metadata,
        AssertionEncryptionMode: 'Allowed',
      }),
    );
    await rejects(
      iam.send(new UpdateSAMLProviderCommand({ SAMLProviderArn, RemovePrivateKey: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' })),
      'InvalidInputException',
      400,
      /encryption is not supported/,
    );
    await rejects(
      iam.send(
        new UpdateSAMLProviderCommand({
          SAMLProviderArn,
          SAMLMetadataDocument: metadata,
          AssertionEncryptionMode: 'Required',
        }),
      ),
      'InvalidInputException',
      400,
    );
    await iam.send(new DeleteSAMLProviderCommand({ SAMLProviderArn }));
  });

  test('scopes providers to the signing account: another account sees NoSuchEntity', async () => {
    await rejects(
      prodIam.send(new GetSAMLProviderCommand({ SAMLProviderArn: `arn:aws:iam::${MGMT}:saml-provider/Keyway` })),
      'NoSuchEntityException',
      404,
    );
    assert.deepEqual((await prodIam.send(new ListSAMLProvidersCommand({}))).SAMLProviderList, []);
  });
});

describe('IAM roles', () => {
  const trust = samlTrustPolicy(`arn:aws:iam::${MGMT}:saml-provider/Keyway`);

  test('creates a role trusting a SAML provider; GetRole returns the trust policy URL-encoded (IAM API Reference, "GetRole")', async () => {
    const created = await iam.send(
      new CreateRoleCommand({
        RoleName: 'Admin',
        Path: '/keyway/',
        AssumeRolePolicyDocument: trust,
        MaxSessionDuration: 43200,
        Description: 'admins',
        Tags: [{ Key: 'Team', Value: 'Ops' }],
      }),
    );
    assert.equal(created.Role?.Arn, `arn:aws:iam::${MGMT}:role/keyway/Admin`);
    assert.match(created.Role?.RoleId ?? '', /^AROA[A-Z0-9]{17}$/);
    const got = (await iam.send(new GetRoleCommand({ RoleName: 'admin' }))).Role;
    assert.equal(got?.RoleName, 'Admin', 'role names are case-insensitive');
    assert.equal(got?.Path, '/keyway/');
    assert.equal(got?.MaxSessionDuration, 43200);
    assert.equal(got?.Description, 'admins');
    assert.deepEqual(got?.Tags, [{ Key: 'Team', Value: 'Ops' }]);
    assert.notEqual(got?.AssumeRolePolicyDocument, trust, 'the SDK returns the document still URL-encoded');
    assert.equal(decodeURIComponent(got?.AssumeRolePolicyDocument ?? ''), trust);
    assert.equal(
      emulator.iamReader.getRoleByArn(`arn:aws:iam::${MGMT}:role/keyway/Admin`)?.assumeRolePolicyDocument,
      trust,
    );
  });

  test('refuses a second role whose name differs only in case with EntityAlreadyExists 409', async () => {
    await rejects(
      iam.send(new CreateRoleCommand({ RoleName: 'ADMIN', AssumeRolePolicyDocument: trust })),
      'EntityAlreadyExistsException',
      409,
      /already exists/,
    );
  });

  test('validates CreateRole input against the model: name pattern, MaxSessionDuration 3600–43200, missing members', async () => {
    await rejects(
      iam.send(new CreateRoleCommand({ RoleName: 'has space', AssumeRolePolicyDocument: trust })),
      'ValidationError',
      400,
      /roleName/,
    );
    await rejects(
      iam.send(new CreateRoleCommand({ RoleName: 'x'.repeat(65), AssumeRolePolicyDocument: trust })),
      'ValidationError',
      400,
      /less than or equal to 64/,
    );
    await rejects(
      iam.send(new CreateRoleCommand({ RoleName: 'Short', AssumeRolePolicyDocument: trust, MaxSessionDuration: 900 })),
      'ValidationError',
      400,
      /maxSessionDuration/,
    );
    await rejects(
      iam.send(new CreateRoleCommand({ RoleName: 'Long', AssumeRolePolicyDocument: trust, MaxSessionDuration: 50000 })),
      'ValidationError',
      400,
      /less than or equal to 43200/,
    );
    await rejects(
      iam.send(new CreateRoleCommand({ RoleName: 'BadPath', Path: 'nopath', AssumeRolePolicyDocument: trust })),
      'ValidationError',
      400,
      /path/,
    );
  });

  test('rejects malformed trust policies with MalformedPolicyDocument', async () => {
    const bad: [string, RegExp][] = [
      ['{not json', /invalid Json/],
      [
        JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRoleWithSAML' }] }),
        /Principal/,
      ],
      [
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Federated: 'arn:aws:iam::111111111111:saml-provider/K' },
              Action: 's3:GetObject',
            },
          ],
        }),
        /STS/,
      ],
      [
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Maybe', Principal: '*', Action: 'sts:AssumeRole' }],
        }),
        /Effect/,
      ],
      [
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole', Resource: '*' }],
        }),
        /Resource/,
      ],
      [JSON.stringify({ Version: '1999-01-01', Statement: [] }), /legacy parsing/],
    ];
    for (const [document, message] of bad) {
      await rejects(
        iam.send(new CreateRoleCommand({ RoleName: 'Malformed', AssumeRolePolicyDocument: document })),
        'MalformedPolicyDocumentException',
        400,
        message,
      );
    }
    await rejects(
      iam.send(new GetRoleCommand({ RoleName: 'Malformed' })),
      'NoSuchEntityException',
      404,
      /The role with name Malformed cannot be found/,
    );
  });

  test('enforces the 2048-character trust policy quota with LimitExceeded (IAM quotas)', async () => {
    const big = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: '*',
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:PrincipalTag/x': 'y'.repeat(2100) } },
        },
      ],
    });
    await rejects(
      iam.send(new CreateRoleCommand({ RoleName: 'Big', AssumeRolePolicyDocument: big })),
      'LimitExceededException',
      409,
    );
  });

  test('lists roles with Marker/MaxItems pagination and PathPrefix', async () => {
    for (const name of ['ListA', 'ListB', 'ListC']) {
      await iam.send(new CreateRoleCommand({ RoleName: name, Path: '/paging/', AssumeRolePolicyDocument: trust }));
    }
    const names: string[] = [];
    let marker: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await iam.send(
        new ListRolesCommand({ PathPrefix: '/paging/', MaxItems: 2, ...(marker ? { Marker: marker } : {}) }),
      );
      names.push(...(page.Roles ?? []).map((r) => r.RoleName ?? ''));
      if (!page.IsTruncated) break;
      marker = page.Marker;
    }
    assert.deepEqual(names, ['ListA', 'ListB', 'ListC']);
    const all = await iam.send(new ListRolesCommand({}));
    assert.ok((all.Roles ?? []).some((r) => r.RoleName === 'Admin'));
    await rejects(iam.send(new ListRolesCommand({ MaxItems: 0 })), 'ValidationError', 400, /maxItems/);
  });

  test('updates description, maximum session duration and trust policy', async () => {
    await iam.send(new UpdateRoleCommand({ RoleName: 'ListA', Description: 'changed', MaxSessionDuration: 7200 }));
    await iam.send(
      new CreateSAMLProviderCommand({
        Name: 'Other',
        SAMLMetadataDocument: idpMetadata({ entityId: 'https://other.example.test/saml', certificates: [cert] }),
      }),
    );
    const updatedTrust = samlTrustPolicy(`arn:aws:iam::${MGMT}:saml-provider/Other`);
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'ListA', PolicyDocument: updatedTrust }));
    const role = (await iam.send(new GetRoleCommand({ RoleName: 'ListA' }))).Role;
    assert.equal(role?.Description, 'changed');
    assert.equal(role?.MaxSessionDuration, 7200);
    assert.equal(decodeURIComponent(role?.AssumeRolePolicyDocument ?? ''), updatedTrust);
    await rejects(
      iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'ListA', PolicyDocument: '[]' })),
      'MalformedPolicyDocumentException',
      400,
    );
  });

  test('tags and untags roles; tag keys are case-insensitive on roles', async () => {
    await iam.send(
      new TagRoleCommand({
        RoleName: 'ListB',
        Tags: [
          { Key: 'Env', Value: 'prod' },
          { Key: 'Team', Value: 'a' },
        ],
      }),
    );
    await iam.send(new TagRoleCommand({ RoleName: 'ListB', Tags: [{ Key: 'env', Value: 'dev' }] }));
    assert.deepEqual((await iam.send(new ListRoleTagsCommand({ RoleName: 'ListB' }))).Tags, [
      { Key: 'Team', Value: 'a' },
      { Key: 'env', Value: 'dev' },
    ]);
    await iam.send(new UntagRoleCommand({ RoleName: 'ListB', TagKeys: ['TEAM'] }));
    assert.deepEqual((await iam.send(new ListRoleTagsCommand({ RoleName: 'ListB' }))).Tags, [
      { Key: 'env', Value: 'dev' },
    ]);
    await rejects(
      iam.send(
        new TagRoleCommand({
          RoleName: 'ListB',
          Tags: [
            { Key: 'A', Value: '1' },
            { Key: 'a', Value: '2' },
          ],
        }),
      ),
      'InvalidInputException',
      400,
      /Duplicate tag keys/,
    );
  });

  test('puts, gets (URL-encoded), lists and deletes inline role policies', async () => {
    await iam.send(new PutRolePolicyCommand({ RoleName: 'ListC', PolicyName: 'read', PolicyDocument: identityPolicy }));
    const got = await iam.send(new GetRolePolicyCommand({ RoleName: 'ListC', PolicyName: 'read' }));
    assert.equal(decodeURIComponent(got.PolicyDocument ?? ''), identityPolicy);
    assert.deepEqual((await iam.send(new ListRolePoliciesCommand({ RoleName: 'ListC' }))).PolicyNames, ['read']);
    await rejects(
      iam.send(new DeleteRoleCommand({ RoleName: 'ListC' })),
      'DeleteConflictException',
      409,
      /delete policies first/,
    );
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'ListC', PolicyName: 'read' }));
    await rejects(
      iam.send(new GetRolePolicyCommand({ RoleName: 'ListC', PolicyName: 'read' })),
      'NoSuchEntityException',
      404,
    );
    const withPrincipal = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }],
    });
    await rejects(
      iam.send(new PutRolePolicyCommand({ RoleName: 'ListC', PolicyName: 'p', PolicyDocument: withPrincipal })),
      'MalformedPolicyDocumentException',
      400,
      /principal/,
    );
  });

  test('attaches AWS-managed policies that exist in every account; unknown ARNs are NoSuchEntity', async () => {
    await prodIam.send(
      new CreateRoleCommand({
        RoleName: 'ProdAdmin',
        AssumeRolePolicyDocument: samlTrustPolicy(`arn:aws:iam::${MGMT}:saml-provider/Keyway`),
      }),
    );
    for (const arn of [
      'arn:aws:iam::aws:policy/AdministratorAccess',
      'arn:aws:iam::aws:policy/job-function/ViewOnlyAccess',
    ]) {
      await prodIam.send(new AttachRolePolicyCommand({ RoleName: 'ProdAdmin', PolicyArn: arn }));
    }
    const attached = await prodIam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'ProdAdmin' }));
    assert.deepEqual(attached.AttachedPolicies, [
      { PolicyName: 'AdministratorAccess', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
      { PolicyName: 'ViewOnlyAccess', PolicyArn: 'arn:aws:iam::aws:policy/job-function/ViewOnlyAccess' },
    ]);
    await rejects(
      prodIam.send(
        new AttachRolePolicyCommand({ RoleName: 'ProdAdmin', PolicyArn: 'arn:aws:iam::aws:policy/NoSuchPolicy' }),
      ),
      'NoSuchEntityException',
      404,
    );
    await rejects(
      prodIam.send(new DeleteRoleCommand({ RoleName: 'ProdAdmin' })),
      'DeleteConflictException',
      409,
      /detach all policies/,
    );
    for (const arn of [
      'arn:aws:iam::aws:policy/AdministratorAccess',
      'arn:aws:iam::aws:policy/job-function/ViewOnlyAccess',
    ]) {
      await prodIam.send(new DetachRolePolicyCommand({ RoleName: 'ProdAdmin', PolicyArn: arn }));
    }
    await prodIam.send(new DeleteRoleCommand({ RoleName: 'ProdAdmin' }));
    await rejects(prodIam.send(new GetRoleCommand({ RoleName: 'ProdAdmin' })), 'NoSuchEntityException', 404);
  });

  test('creates, reads, lists and deletes customer-managed policies (Identity Center checks them)', async () => {
    const created = await iam.send(
      new CreatePolicyCommand({
        PolicyName: 'S3Read',
        Path: '/custom/',
        PolicyDocument: identityPolicy,
        Description: 'read s3',
      }),
    );
    assert.equal(created.Policy?.Arn, `arn:aws:iam::${MGMT}:policy/custom/S3Read`);
    assert.match(created.Policy?.PolicyId ?? '', /^ANPA/);
    assert.equal(emulator.iam.hasCustomerManagedPolicy(MGMT, 'S3Read', '/custom/'), true);
    assert.equal(emulator.iam.hasCustomerManagedPolicy(MGMT, 'S3Read', '/'), false);
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'ListA', PolicyArn: created.Policy?.Arn }));
    const got = await iam.send(new GetPolicyCommand({ PolicyArn: created.Policy?.Arn }));
    assert.equal(got.Policy?.AttachmentCount, 1);
    assert.equal(got.Policy?.Description, 'read s3');
    const local = await iam.send(new ListPoliciesCommand({ Scope: 'Local' }));
    assert.deepEqual(
      local.Policies?.map((p) => p.PolicyName),
      ['S3Read'],
    );
    // The whole AWS-managed catalogue is more than one page of 1,000.
    const awsArns: string[] = [];
    for (let marker: string | undefined, more = true; more; ) {
      const page = await iam.send(new ListPoliciesCommand({ Scope: 'AWS', MaxItems: 1000, Marker: marker }));
      awsArns.push(...(page.Policies ?? []).map((p) => p.Arn ?? ''));
      marker = page.Marker;
      more = page.IsTruncated === true;
    }
    assert.ok(awsArns.length > 1000);
    assert.ok(awsArns.includes('arn:aws:iam::aws:policy/job-function/Billing'));
    await rejects(
      iam.send(new DeletePolicyCommand({ PolicyArn: created.Policy?.Arn })),
      'DeleteConflictException',
      409,
    );
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'ListA', PolicyArn: created.Policy?.Arn }));
    await iam.send(new DeletePolicyCommand({ PolicyArn: created.Policy?.Arn }));
    await rejects(iam.send(new GetPolicyCommand({ PolicyArn: created.Policy?.Arn })), 'NoSuchEntityException', 404);
    await rejects(
      iam.send(new CreatePolicyCommand({ PolicyName: 'Bad', PolicyDocument: '{"Statement":[]}' })),
      'MalformedPolicyDocumentException',
      400,
    );
  });

  test('refuses IAM changes to roles Identity Center created with UnmodifiableEntity', async () => {
    emulator.iam.putRole(PROD, {
      name: 'AWSReservedSSO_Admin_0123456789abcdef',
      path: '/aws-reserved/sso.amazonaws.com/',
      assumeRolePolicyDocument: samlTrustPolicy(
        `arn:aws:iam::${PROD}:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE`,
      ),
      maxSessionDuration: 43200,
      inlinePolicies: {},
      managedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'],
      protected: true,
    });
    const role = (await prodIam.send(new GetRoleCommand({ RoleName: 'AWSReservedSSO_Admin_0123456789abcdef' }))).Role;
    assert.equal(
      role?.Arn,
      `arn:aws:iam::${PROD}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef`,
    );
    await rejects(
      prodIam.send(new DeleteRoleCommand({ RoleName: 'AWSReservedSSO_Admin_0123456789abcdef' })),
      'UnmodifiableEntityException',
      400,
    );
    await rejects(
      prodIam.send(
        new UpdateRoleCommand({ RoleName: 'AWSReservedSSO_Admin_0123456789abcdef', MaxSessionDuration: 3600 }),
      ),
      'UnmodifiableEntityException',
      400,
    );
    assert.equal(emulator.iam.deleteRole(PROD, 'AWSReservedSSO_Admin_0123456789abcdef'), true);
  });
});

describe('STS GetCallerIdentity', () => {
  test('reports the account root for an account root key', async () => {
    const sts = new STSClient(sdkConfig(emulator.url, emulator.rootCredentials(PROD)));
    const id = await sts.send(new GetCallerIdentityCommand({}));
    assert.deepEqual([id.Account, id.Arn, id.UserId], [PROD, `arn:aws:iam::${PROD}:root`, PROD]);
  });

  test('reports the assumed-role ARN for issued temporary credentials, and IAM acts on that account', async () => {
    const { role, keys } = issueRoleSession(emulator, PROD, 'Reader', 'alice@example.com', 900);
    assert.match(keys.accessKeyId, /^ASIA[A-Z2-7]{16}$/);
    const sts = new STSClient(sdkConfig(emulator.url, keys));
    const id = await sts.send(new GetCallerIdentityCommand({}));
    assert.equal(id.Arn, `arn:aws:sts::${PROD}:assumed-role/Reader/alice@example.com`);
    assert.equal(id.UserId, `${role.roleId}:alice@example.com`);
    assert.equal(id.Account, PROD);
    const roles = await new IAMClient(sdkConfig(emulator.url, keys)).send(new ListRolesCommand({}));
    assert.ok(roles.Roles?.some((r) => r.RoleName === 'Reader'));
    assert.ok(
      !roles.Roles?.some((r) => r.RoleName === 'Admin'),
      'management-account roles are not visible from Production',
    );
  });
});
