import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  IdentitystoreClient,
  ListUsersCommand,
  GetUserIdCommand,
  DescribeUserCommand,
  CreateGroupCommand,
  GetGroupIdCommand,
  CreateGroupMembershipCommand,
  ListGroupMembershipsCommand,
  ListGroupMembershipsForMemberCommand,
  IsMemberInGroupsCommand,
  GetGroupMembershipIdCommand,
  DeleteGroupMembershipCommand,
  DescribeGroupCommand,
  ListGroupsCommand,
  CreateUserCommand,
  UpdateUserCommand,
  UpdateGroupCommand,
  paginateListUsers,
  paginateListGroupMemberships,
  paginateListGroupMembershipsForMember,
} from '@aws-sdk/client-identitystore';
import {
  SSOAdminClient,
  ListInstancesCommand,
  CreatePermissionSetCommand,
  PutInlinePolicyToPermissionSetCommand,
  AttachManagedPolicyToPermissionSetCommand,
  CreateAccountAssignmentCommand,
  DescribeAccountAssignmentCreationStatusCommand,
  ListAccountAssignmentsCommand,
  ListAccountsForProvisionedPermissionSetCommand,
  UpdatePermissionSetCommand,
  ProvisionPermissionSetCommand,
  DescribePermissionSetProvisioningStatusCommand,
  ListPermissionSetsProvisionedToAccountCommand,
  AttachCustomerManagedPolicyReferenceToPermissionSetCommand,
  DeleteAccountAssignmentCommand,
  DescribeAccountAssignmentDeletionStatusCommand,
  ListPermissionSetsCommand,
  DescribePermissionSetCommand,
  ListAccountAssignmentCreationStatusCommand,
  DeletePermissionSetCommand,
  ListManagedPoliciesInPermissionSetCommand,
  GetInlinePolicyForPermissionSetCommand,
  PutPermissionsBoundaryToPermissionSetCommand,
  GetPermissionsBoundaryForPermissionSetCommand,
  DeletePermissionsBoundaryFromPermissionSetCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  ListCustomerManagedPolicyReferencesInPermissionSetCommand,
  paginateListPermissionSets,
  paginateListAccountAssignments,
  paginateListAccountAssignmentsForPrincipal,
  paginateListAccountAssignmentCreationStatus,
  paginateListAccountsForProvisionedPermissionSet,
  paginateListPermissionSetsProvisionedToAccount,
  paginateListManagedPoliciesInPermissionSet,
  paginateListPermissionSetProvisioningStatus,
} from '@aws-sdk/client-sso-admin';
import {
  IAMClient,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListRolePoliciesCommand,
  ListAttachedRolePoliciesCommand,
  CreatePolicyCommand,
  DeleteRoleCommand,
  ListSAMLProvidersCommand,
  GetSAMLProviderCommand,
} from '@aws-sdk/client-iam';
import {
  startEmulator,
  identityCenterFactory,
  silentLogger,
  type IdentityCenter,
  type RunningEmulator,
} from '../../src/aws-emulator/index.js';
import { AWS_CLI, needPeers } from '../../src/testing/index.js';

const MGMT = '111111111111';
const MEMBER = '333333333333';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

let emu: RunningEmulator;
let idc: IdentityCenter;
let scimToken: string;
let ids: IdentitystoreClient;
let admin: SSOAdminClient;
let memberIam: IAMClient;

const clientConfig = (accountId: string) => ({
  endpoint: emu.url,
  region: 'us-east-1',
  credentials: emu.rootCredentials(accountId),
  maxAttempts: 1,
});

async function scim(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${idc.scimEndpoint(emu.url)}${path}`, {
    method,
    headers: { authorization: `Bearer ${scimToken}`, 'content-type': 'application/scim+json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const scimUser = (userName: string) => ({
  schemas: [USER],
  userName,
  displayName: userName,
  name: { givenName: 'G', familyName: 'F' },
  emails: [{ value: `${userName}`, primary: true }],
});

/** Polls until `done`, bounded by time rather than a count of polls, so a loaded machine only makes it slower. */
async function until<T>(fn: () => Promise<T>, done: (t: T) => boolean): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const v = await fn();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`still not done after 60 s: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

before(async () => {
  emu = await startEmulator({
    logger: silentLogger,
    registrations: [
      identityCenterFactory({ asyncDelayMs: 30, scimRateLimit: { ratePerSecond: 0, burst: 0 } }, (x) => {
        idc = x;
      }),
    ],
  });
  scimToken = idc.createScimToken().token;
  ids = new IdentitystoreClient(clientConfig(MGMT));
  admin = new SSOAdminClient(clientConfig(MGMT));
  memberIam = new IAMClient(clientConfig(MEMBER));
});

after(async () => {
  idc.close();
  await emu.close();
});

test('identitystore lists, describes and finds SCIM-provisioned users and groups through the SDK (botocore identitystore)', async () => {
  const alice = await scim('POST', '/Users', { ...scimUser('alice@example.com'), externalId: 'ext-alice' });
  assert.equal(alice.status, 201);
  const team = await scim('POST', '/Groups', {
    schemas: [GROUP],
    displayName: 'Team',
    members: [{ value: alice.json.id }],
  });
  assert.equal(team.status, 201);
  const storeId = idc.instance.identityStoreId;
  const users = await ids.send(new ListUsersCommand({ IdentityStoreId: storeId }));
  assert.equal(users.Users?.[0]?.UserName, 'alice@example.com');
  const UserId = (
    await ids.send(
      new GetUserIdCommand({
        IdentityStoreId: storeId,
        AlternateIdentifier: { UniqueAttribute: { AttributePath: 'userName', AttributeValue: 'alice@example.com' } },
      }),
    )
  ).UserId as string;
  assert.equal(UserId, alice.json.id);
  const described = await ids.send(new DescribeUserCommand({ IdentityStoreId: storeId, UserId }));
  assert.equal(described.Name?.GivenName, 'G');
  assert.equal(described.Emails?.[0]?.Primary, true);
  const GroupId = (
    await ids.send(
      new GetGroupIdCommand({
        IdentityStoreId: storeId,
        AlternateIdentifier: { UniqueAttribute: { AttributePath: 'displayName', AttributeValue: 'Team' } },
      }),
    )
  ).GroupId as string;
  assert.equal(GroupId, team.json.id);
  assert.equal((await ids.send(new DescribeGroupCommand({ IdentityStoreId: storeId, GroupId }))).DisplayName, 'Team');
  const memberships = await ids.send(new ListGroupMembershipsCommand({ IdentityStoreId: storeId, GroupId }));
  assert.equal(
    memberships.GroupMemberships?.[0]?.MemberId && 'UserId' in memberships.GroupMemberships[0].MemberId
      ? memberships.GroupMemberships[0].MemberId.UserId
      : '',
    UserId,
  );
  const forMember = await ids.send(
    new ListGroupMembershipsForMemberCommand({ IdentityStoreId: storeId, MemberId: { UserId } }),
  );
  assert.equal(forMember.GroupMemberships?.length, 1);

  const other = await ids.send(new CreateGroupCommand({ IdentityStoreId: storeId, DisplayName: 'Other' }));
  const created = await ids.send(
    new CreateGroupMembershipCommand({ IdentityStoreId: storeId, GroupId: other.GroupId, MemberId: { UserId } }),
  );
  const check = await ids.send(
    new IsMemberInGroupsCommand({
      IdentityStoreId: storeId,
      MemberId: { UserId },
      GroupIds: [GroupId as string, other.GroupId as string],
    }),
  );
  assert.deepEqual(
    check.Results?.map((r) => r.MembershipExists),
    [true, true],
  );
  const mid = await ids.send(
    new GetGroupMembershipIdCommand({ IdentityStoreId: storeId, GroupId: other.GroupId, MemberId: { UserId } }),
  );
  assert.equal(mid.MembershipId, created.MembershipId);
  await assert.rejects(
    ids.send(
      new CreateGroupMembershipCommand({ IdentityStoreId: storeId, GroupId: other.GroupId, MemberId: { UserId } }),
    ),
    { name: 'ConflictException' },
  );
  await ids.send(new DeleteGroupMembershipCommand({ IdentityStoreId: storeId, MembershipId: created.MembershipId }));
  // SCIM sees the group created through identitystore, still without members on GET.
  const viaScim = await scim('GET', `/Groups/${other.GroupId}`);
  assert.deepEqual(viaScim.json.members, []);

  await assert.rejects(
    ids.send(
      new DescribeUserCommand({ IdentityStoreId: storeId, UserId: '0123456789-00000000-0000-0000-0000-000000000000' }),
    ),
    (e: Error & { ResourceType?: string }) => e.name === 'ResourceNotFoundException' && e.ResourceType === 'USER',
  );
  await assert.rejects(ids.send(new ListUsersCommand({ IdentityStoreId: 'd-0000000000' })), {
    name: 'ResourceNotFoundException',
  });
  await assert.rejects(ids.send(new ListUsersCommand({ IdentityStoreId: storeId, MaxResults: 101 })), {
    name: 'ValidationException',
  });
  await assert.rejects(
    ids.send(
      new CreateUserCommand({
        IdentityStoreId: storeId,
        UserName: 'ALICE@example.com',
        DisplayName: 'A',
        Name: { GivenName: 'A', FamilyName: 'B' },
      }),
    ),
    { name: 'ConflictException' },
  );
  await assert.rejects(
    ids.send(
      new CreateUserCommand({
        IdentityStoreId: storeId,
        UserName: 'nofamily',
        DisplayName: 'A',
        Name: { GivenName: 'A' },
      }),
    ),
    { name: 'ValidationException' },
  );
  const memberIds = new IdentitystoreClient(clientConfig(MEMBER));
  await assert.rejects(memberIds.send(new ListUsersCommand({ IdentityStoreId: storeId })), {
    name: 'AccessDeniedException',
  });
});

test('identitystore UpdateUser and UpdateGroup apply all operations or none, with the same rules as SCIM', async () => {
  const storeId = idc.instance.identityStoreId;
  const { UserId } = await ids.send(
    new CreateUserCommand({
      IdentityStoreId: storeId,
      UserName: 'upd@example.com',
      DisplayName: 'Upd',
      Name: { GivenName: 'U', FamilyName: 'P' },
      Emails: [{ Value: 'upd@example.com', Primary: true }],
    }),
  );
  await ids.send(
    new UpdateUserCommand({
      IdentityStoreId: storeId,
      UserId,
      Operations: [
        { AttributePath: 'displayName', AttributeValue: 'Updated' },
        { AttributePath: 'name.givenName', AttributeValue: 'Ursula' },
        { AttributePath: 'emails', AttributeValue: [{ Value: 'new@example.com', Type: 'work', Primary: true }] },
      ],
    }),
  );
  const d = await ids.send(new DescribeUserCommand({ IdentityStoreId: storeId, UserId }));
  assert.equal(d.DisplayName, 'Updated');
  assert.equal(d.Name?.GivenName, 'Ursula');
  assert.equal(d.Emails?.[0]?.Value, 'new@example.com');
  await assert.rejects(
    ids.send(
      new UpdateUserCommand({
        IdentityStoreId: storeId,
        UserId,
        Operations: [
          { AttributePath: 'displayName', AttributeValue: 'Again' },
          { AttributePath: 'name.familyName', AttributeValue: null },
        ],
      }),
    ),
    { name: 'ValidationException' },
  );
  await assert.rejects(
    ids.send(
      new UpdateUserCommand({
        IdentityStoreId: storeId,
        UserId,
        Operations: [{ AttributePath: 'userName', AttributeValue: 'ALICE@example.com' }],
      }),
    ),
    { name: 'ConflictException' },
  );
  assert.equal((await ids.send(new DescribeUserCommand({ IdentityStoreId: storeId, UserId }))).DisplayName, 'Updated');
  const { GroupId } = await ids.send(new CreateGroupCommand({ IdentityStoreId: storeId, DisplayName: 'ToRename' }));
  await ids.send(
    new UpdateGroupCommand({
      IdentityStoreId: storeId,
      GroupId,
      Operations: [
        { AttributePath: 'displayName', AttributeValue: 'Renamed' },
        { AttributePath: 'description', AttributeValue: 'Now described' },
      ],
    }),
  );
  const g = await ids.send(new DescribeGroupCommand({ IdentityStoreId: storeId, GroupId }));
  assert.equal(g.DisplayName, 'Renamed');
  assert.equal(g.Description, 'Now described');
  await assert.rejects(
    ids.send(
      new UpdateGroupCommand({
        IdentityStoreId: storeId,
        GroupId,
        Operations: [{ AttributePath: 'displayName', AttributeValue: 'Team' }],
      }),
    ),
    { name: 'ConflictException' },
  );
  await assert.rejects(
    ids.send(
      new UpdateGroupCommand({
        IdentityStoreId: storeId,
        GroupId,
        Operations: [{ AttributePath: 'members', AttributeValue: [] }],
      }),
    ),
    { name: 'ValidationException' },
  );
});

test('identitystore pages with MaxResults and NextToken', async () => {
  const storeId = idc.instance.identityStoreId;
  for (let i = 0; i < 7; i++)
    await ids.send(new CreateGroupCommand({ IdentityStoreId: storeId, DisplayName: `Paged ${i}` }));
  const names: string[] = [];
  let token: string | undefined;
  for (let i = 0; i < 20; i++) {
    const page = await ids.send(
      new ListGroupsCommand({ IdentityStoreId: storeId, MaxResults: 3, ...(token ? { NextToken: token } : {}) }),
    );
    assert.ok((page.Groups?.length ?? 0) <= 3);
    names.push(...(page.Groups ?? []).map((g) => g.DisplayName as string));
    token = page.NextToken;
    if (!token) break;
  }
  assert.equal(new Set(names).size, names.length);
  assert.ok(names.includes('Paged 6'));
});

test('sso-admin creates a permission set and, asynchronously, the AWSReservedSSO role in the member account (IAM Identity Center API Reference, "CreatePermissionSet"; IAM Identity Center User Guide, "Using service-linked roles for IAM Identity Center")', async () => {
  const instances = await admin.send(new ListInstancesCommand({}));
  const InstanceArn = instances.Instances?.[0]?.InstanceArn as string;
  assert.match(InstanceArn, /^arn:aws:sso:::instance\/ssoins-[0-9a-f]{16}$/);
  assert.match(instances.Instances?.[0]?.IdentityStoreId ?? '', /^d-[0-9a-f]{10}$/);
  assert.equal(
    (await new SSOAdminClient(clientConfig(MEMBER)).send(new ListInstancesCommand({}))).Instances?.length,
    0,
  );

  await assert.rejects(
    admin.send(new CreatePermissionSetCommand({ InstanceArn, Name: 'x'.repeat(33) })),
    (e: Error) => e.name === 'ValidationException' && /length less than or equal to 32/.test(e.message),
  );
  await assert.rejects(admin.send(new CreatePermissionSetCommand({ InstanceArn, Name: 'bad name' })), {
    name: 'ValidationException',
  });
  await assert.rejects(
    admin.send(new CreatePermissionSetCommand({ InstanceArn, Name: 'Long', SessionDuration: 'PT13H' })),
    { name: 'ValidationException' },
  );
  await assert.rejects(
    admin.send(new CreatePermissionSetCommand({ InstanceArn, Name: 'Short', SessionDuration: 'PT30M' })),
    { name: 'ValidationException' },
  );

  const { PermissionSet } = await admin.send(
    new CreatePermissionSetCommand({
      InstanceArn,
      Name: 'ReadOnly',
      SessionDuration: 'PT8H',
      RelayState: 'https://console.aws.amazon.com/',
      Description: 'Read only',
      Tags: [{ Key: 'team', Value: 'platform' }],
    }),
  );
  const PermissionSetArn = PermissionSet?.PermissionSetArn as string;
  assert.match(PermissionSetArn, /^arn:aws:sso:::permissionSet\/ssoins-[0-9a-f]{16}\/ps-[0-9a-f]{16}$/);
  await assert.rejects(admin.send(new CreatePermissionSetCommand({ InstanceArn, Name: 'ReadOnly' })), {
    name: 'ConflictException',
  });
  assert.equal(
    (await admin.send(new DescribePermissionSetCommand({ InstanceArn, PermissionSetArn }))).PermissionSet
      ?.SessionDuration,
    'PT8H',
  );
  assert.deepEqual((await admin.send(new ListPermissionSetsCommand({ InstanceArn }))).PermissionSets, [
    PermissionSetArn,
  ]);
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' }],
  });
  await admin.send(new PutInlinePolicyToPermissionSetCommand({ InstanceArn, PermissionSetArn, InlinePolicy: policy }));
  assert.equal(
    (await admin.send(new GetInlinePolicyForPermissionSetCommand({ InstanceArn, PermissionSetArn }))).InlinePolicy,
    policy,
  );
  await assert.rejects(
    admin.send(
      new PutInlinePolicyToPermissionSetCommand({ InstanceArn, PermissionSetArn, InlinePolicy: 'x'.repeat(32769) }),
    ),
    { name: 'ValidationException' },
  );
  await admin.send(
    new AttachManagedPolicyToPermissionSetCommand({
      InstanceArn,
      PermissionSetArn,
      ManagedPolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
    }),
  );
  await assert.rejects(
    admin.send(
      new AttachManagedPolicyToPermissionSetCommand({
        InstanceArn,
        PermissionSetArn,
        ManagedPolicyArn: 'arn:aws:iam::123456789012:policy/Mine',
      }),
    ),
    { name: 'ValidationException' },
  );
  assert.deepEqual(
    (await admin.send(new ListManagedPoliciesInPermissionSetCommand({ InstanceArn, PermissionSetArn })))
      .AttachedManagedPolicies,
    [{ Name: 'ReadOnlyAccess', Arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }],
  );

  const bob = await scim('POST', '/Users', scimUser('bob@example.com'));
  const created = await admin.send(
    new CreateAccountAssignmentCommand({
      InstanceArn,
      TargetId: MEMBER,
      TargetType: 'AWS_ACCOUNT',
      PermissionSetArn,
      PrincipalType: 'USER',
      PrincipalId: String(bob.json.id),
    }),
  );
  assert.equal(created.AccountAssignmentCreationStatus?.Status, 'IN_PROGRESS');
  const RequestId = created.AccountAssignmentCreationStatus?.RequestId as string;
  const done = await until(
    () =>
      admin.send(
        new DescribeAccountAssignmentCreationStatusCommand({
          InstanceArn,
          AccountAssignmentCreationRequestId: RequestId,
        }),
      ),
    (r) => r.AccountAssignmentCreationStatus?.Status !== 'IN_PROGRESS',
  );
  assert.equal(
    done.AccountAssignmentCreationStatus?.Status,
    'SUCCEEDED',
    done.AccountAssignmentCreationStatus?.FailureReason,
  );
  const listed = await admin.send(new ListAccountAssignmentCreationStatusCommand({ InstanceArn }));
  assert.ok(listed.AccountAssignmentsCreationStatus?.some((s) => s.RequestId === RequestId));

  const assignments = await admin.send(
    new ListAccountAssignmentsCommand({ InstanceArn, AccountId: MEMBER, PermissionSetArn }),
  );
  assert.deepEqual(assignments.AccountAssignments, [
    { AccountId: MEMBER, PermissionSetArn, PrincipalType: 'USER', PrincipalId: bob.json.id },
  ]);

  const roles = emu.iam.listRoles(MEMBER).filter((r) => r.name.startsWith('AWSReservedSSO_ReadOnly_'));
  assert.equal(roles.length, 1);
  const roleName = roles[0]?.name as string;
  assert.match(roleName, /^AWSReservedSSO_ReadOnly_[0-9a-f]{16}$/);
  const role = await memberIam.send(new GetRoleCommand({ RoleName: roleName }));
  assert.equal(role.Role?.Path, '/aws-reserved/sso.amazonaws.com/');
  assert.equal(role.Role?.MaxSessionDuration, 43200);
  const trust = JSON.parse(decodeURIComponent(role.Role?.AssumeRolePolicyDocument ?? '')) as {
    Statement: Array<{ Principal: { Federated: string } }>;
  };
  assert.match(
    trust.Statement[0]?.Principal.Federated ?? '',
    new RegExp(`^arn:aws:iam::${MEMBER}:saml-provider/AWSSSO_[0-9a-f]{16}_DO_NOT_DELETE$`),
  );
  // The SAML provider the trust policy names exists in the member account, as Identity Center creates it (IAM Identity
  // Center User Guide, "Using service-linked roles for IAM Identity Center").
  const federated = trust.Statement[0]?.Principal.Federated as string;
  assert.deepEqual(
    (await memberIam.send(new ListSAMLProvidersCommand({}))).SAMLProviderList?.map((p) => p.Arn),
    [federated],
  );
  const provider = await memberIam.send(new GetSAMLProviderCommand({ SAMLProviderArn: federated }));
  assert.match(
    provider.SAMLMetadataDocument ?? '',
    /entityID="https:\/\/portal\.sso\.us-east-1\.amazonaws\.com\/saml\/assertion\/[\w-]+"/,
  );
  assert.deepEqual((await memberIam.send(new ListRolePoliciesCommand({ RoleName: roleName }))).PolicyNames, [
    'AwsSSOInlinePolicy',
  ]);
  assert.deepEqual(
    (await memberIam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }))).AttachedPolicies?.map(
      (p) => p.PolicyArn,
    ),
    ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
  );
  await assert.rejects(memberIam.send(new DeleteRoleCommand({ RoleName: roleName })), (e: Error) =>
    /^UnmodifiableEntity/.test(e.name),
  );

  // Changing the permission set leaves the account out of date until it is provisioned again.
  await admin.send(new UpdatePermissionSetCommand({ InstanceArn, PermissionSetArn, SessionDuration: 'PT4H' }));
  const newPolicy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
  });
  await admin.send(
    new PutInlinePolicyToPermissionSetCommand({ InstanceArn, PermissionSetArn, InlinePolicy: newPolicy }),
  );
  const rolePolicy = async () =>
    decodeURIComponent(
      (await memberIam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: 'AwsSSOInlinePolicy' })))
        .PolicyDocument ?? '',
    );
  assert.equal(
    await rolePolicy(),
    policy,
    'the role keeps the old policy until the permission set is provisioned again',
  );
  assert.deepEqual(
    (
      await admin.send(
        new ListAccountsForProvisionedPermissionSetCommand({
          InstanceArn,
          PermissionSetArn,
          ProvisioningStatus: 'LATEST_PERMISSION_SET_NOT_PROVISIONED',
        }),
      )
    ).AccountIds,
    [MEMBER],
  );
  const prov = await admin.send(
    new ProvisionPermissionSetCommand({ InstanceArn, PermissionSetArn, TargetType: 'ALL_PROVISIONED_ACCOUNTS' }),
  );
  assert.equal(prov.PermissionSetProvisioningStatus?.Status, 'IN_PROGRESS');
  const provDone = await until(
    () =>
      admin.send(
        new DescribePermissionSetProvisioningStatusCommand({
          InstanceArn,
          ProvisionPermissionSetRequestId: prov.PermissionSetProvisioningStatus?.RequestId,
        }),
      ),
    (r) => r.PermissionSetProvisioningStatus?.Status !== 'IN_PROGRESS',
  );
  assert.equal(provDone.PermissionSetProvisioningStatus?.Status, 'SUCCEEDED');
  assert.equal(await rolePolicy(), newPolicy);
  assert.deepEqual(
    (
      await admin.send(
        new ListPermissionSetsProvisionedToAccountCommand({
          InstanceArn,
          AccountId: MEMBER,
          ProvisioningStatus: 'LATEST_PERMISSION_SET_PROVISIONED',
        }),
      )
    ).PermissionSets,
    [PermissionSetArn],
  );
  await assert.rejects(admin.send(new DeletePermissionSetCommand({ InstanceArn, PermissionSetArn })), {
    name: 'ConflictException',
  });

  // Removing the last assignment removes the role.
  const del = await admin.send(
    new DeleteAccountAssignmentCommand({
      InstanceArn,
      TargetId: MEMBER,
      TargetType: 'AWS_ACCOUNT',
      PermissionSetArn,
      PrincipalType: 'USER',
      PrincipalId: String(bob.json.id),
    }),
  );
  const delDone = await until(
    () =>
      admin.send(
        new DescribeAccountAssignmentDeletionStatusCommand({
          InstanceArn,
          AccountAssignmentDeletionRequestId: del.AccountAssignmentDeletionStatus?.RequestId,
        }),
      ),
    (r) => r.AccountAssignmentDeletionStatus?.Status !== 'IN_PROGRESS',
  );
  assert.equal(delDone.AccountAssignmentDeletionStatus?.Status, 'SUCCEEDED');
  assert.equal(emu.iam.getRole(MEMBER, roleName), undefined);
});

test('sso-admin validates permission sets as the model and quotas say (name, duration, policies ≤20, boundary, tags, caller)', async () => {
  const InstanceArn = idc.instance.instanceArn;
  const { PermissionSet } = await admin.send(new CreatePermissionSetCommand({ InstanceArn, Name: 'Quota.Test@x' }));
  const PermissionSetArn = PermissionSet?.PermissionSetArn as string;
  assert.equal(PermissionSet?.SessionDuration, 'PT1H');
  for (let i = 0; i < 20; i++) {
    await admin.send(
      new AttachCustomerManagedPolicyReferenceToPermissionSetCommand({
        InstanceArn,
        PermissionSetArn,
        CustomerManagedPolicyReference: { Name: `P${i}` },
      }),
    );
  }
  await assert.rejects(
    admin.send(
      new AttachManagedPolicyToPermissionSetCommand({
        InstanceArn,
        PermissionSetArn,
        ManagedPolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
      }),
    ),
    { name: 'ServiceQuotaExceededException' },
  );
  await assert.rejects(
    admin.send(
      new AttachCustomerManagedPolicyReferenceToPermissionSetCommand({
        InstanceArn,
        PermissionSetArn,
        CustomerManagedPolicyReference: { Name: 'P0' },
      }),
    ),
    { name: 'ConflictException' },
  );
  const refs: string[] = [];
  let NextToken: string | undefined;
  for (let i = 0; i < 10; i++) {
    const page = await admin.send(
      new ListCustomerManagedPolicyReferencesInPermissionSetCommand({
        InstanceArn,
        PermissionSetArn,
        MaxResults: 7,
        ...(NextToken ? { NextToken } : {}),
      }),
    );
    refs.push(...(page.CustomerManagedPolicyReferences ?? []).map((r) => `${r.Path}${r.Name}`));
    NextToken = page.NextToken;
    if (!NextToken) break;
  }
  assert.equal(refs.length, 20);
  assert.equal(refs[0], '/P0');
  await admin.send(
    new PutPermissionsBoundaryToPermissionSetCommand({
      InstanceArn,
      PermissionSetArn,
      PermissionsBoundary: { ManagedPolicyArn: 'arn:aws:iam::aws:policy/PowerUserAccess' },
    }),
  );
  assert.equal(
    (await admin.send(new GetPermissionsBoundaryForPermissionSetCommand({ InstanceArn, PermissionSetArn })))
      .PermissionsBoundary?.ManagedPolicyArn,
    'arn:aws:iam::aws:policy/PowerUserAccess',
  );
  await assert.rejects(
    admin.send(
      new PutPermissionsBoundaryToPermissionSetCommand({ InstanceArn, PermissionSetArn, PermissionsBoundary: {} }),
    ),
    { name: 'ValidationException' },
  );
  await admin.send(new DeletePermissionsBoundaryFromPermissionSetCommand({ InstanceArn, PermissionSetArn }));
  await assert.rejects(
    admin.send(new GetPermissionsBoundaryForPermissionSetCommand({ InstanceArn, PermissionSetArn })),
    { name: 'ResourceNotFoundException' },
  );
  await admin.send(
    new TagResourceCommand({ InstanceArn, ResourceArn: PermissionSetArn, Tags: [{ Key: 'env', Value: 'dev' }] }),
  );
  assert.deepEqual(
    (await admin.send(new ListTagsForResourceCommand({ InstanceArn, ResourceArn: PermissionSetArn }))).Tags,
    [{ Key: 'env', Value: 'dev' }],
  );
  const bigPolicy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'x'.repeat(10_300) }],
  });
  await assert.rejects(
    admin.send(new PutInlinePolicyToPermissionSetCommand({ InstanceArn, PermissionSetArn, InlinePolicy: bigPolicy })),
    (e: Error) => e.name === 'ValidationException' && /10,240/.test(e.message),
  );
  await assert.rejects(
    admin.send(new PutInlinePolicyToPermissionSetCommand({ InstanceArn, PermissionSetArn, InlinePolicy: '{not json' })),
    { name: 'ValidationException' },
  );
  await assert.rejects(
    admin.send(
      new DescribePermissionSetCommand({
        InstanceArn,
        PermissionSetArn: `${PermissionSetArn.slice(0, -16)}0000000000000000`,
      }),
    ),
    { name: 'ResourceNotFoundException' },
  );
  await assert.rejects(
    admin.send(new ListPermissionSetsCommand({ InstanceArn: 'arn:aws:sso:::instance/ssoins-0000000000000000' })),
    { name: 'ResourceNotFoundException' },
  );
  await assert.rejects(admin.send(new ListPermissionSetsCommand({ InstanceArn: 'not-an-arn' })), {
    name: 'ValidationException',
  });
  await assert.rejects(
    admin.send(new CreatePermissionSetCommand({ InstanceArn, Name: 'Ok', SessionDuration: 'P1D' })),
    { name: 'ValidationException' },
  );
  await assert.rejects(
    admin.send(
      new CreateAccountAssignmentCommand({
        InstanceArn,
        TargetId: '12345',
        TargetType: 'AWS_ACCOUNT',
        PermissionSetArn,
        PrincipalType: 'USER',
        PrincipalId: '0123456789-00000000-0000-0000-0000-000000000000',
      }),
    ),
    { name: 'ValidationException' },
  );
  await assert.rejects(
    admin.send(
      new CreateAccountAssignmentCommand({
        InstanceArn,
        TargetId: MEMBER,
        TargetType: 'AWS_ACCOUNT',
        PermissionSetArn,
        PrincipalType: 'USER',
        PrincipalId: '0123456789-00000000-0000-0000-0000-000000000000',
      }),
    ),
    { name: 'ResourceNotFoundException' },
  );
  await assert.rejects(new SSOAdminClient(clientConfig(MEMBER)).send(new ListPermissionSetsCommand({ InstanceArn })), {
    name: 'AccessDeniedException',
  });
  await admin.send(new DeletePermissionSetCommand({ InstanceArn, PermissionSetArn }));
});

test("an assignment whose customer-managed policy is missing in the target account fails with AWS's reason, then succeeds once it exists", async () => {
  const InstanceArn = idc.instance.instanceArn;
  const { PermissionSet } = await admin.send(new CreatePermissionSetCommand({ InstanceArn, Name: 'WithCmp' }));
  const PermissionSetArn = PermissionSet?.PermissionSetArn as string;
  await admin.send(
    new AttachCustomerManagedPolicyReferenceToPermissionSetCommand({
      InstanceArn,
      PermissionSetArn,
      CustomerManagedPolicyReference: { Name: 'TeamBoundary', Path: '/team/' },
    }),
  );
  const group = await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'CmpGroup' });
  const create = () =>
    admin.send(
      new CreateAccountAssignmentCommand({
        InstanceArn,
        TargetId: MEMBER,
        TargetType: 'AWS_ACCOUNT',
        PermissionSetArn,
        PrincipalType: 'GROUP',
        PrincipalId: String(group.json.id),
      }),
    );
  const wait = (id: string | undefined) =>
    until(
      () =>
        admin.send(
          new DescribeAccountAssignmentCreationStatusCommand({ InstanceArn, AccountAssignmentCreationRequestId: id }),
        ),
      (r) => r.AccountAssignmentCreationStatus?.Status !== 'IN_PROGRESS',
    );
  const failed = await wait((await create()).AccountAssignmentCreationStatus?.RequestId);
  assert.equal(failed.AccountAssignmentCreationStatus?.Status, 'FAILED');
  assert.match(
    failed.AccountAssignmentCreationStatus?.FailureReason ?? '',
    /Policy name: TeamBoundary does not exist or is not attachable/,
  );
  assert.equal(
    (await admin.send(new ListAccountAssignmentsCommand({ InstanceArn, AccountId: MEMBER, PermissionSetArn })))
      .AccountAssignments?.length,
    0,
  );
  await memberIam.send(
    new CreatePolicyCommand({
      PolicyName: 'TeamBoundary',
      Path: '/team/',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'ec2:Describe*', Resource: '*' }],
      }),
    }),
  );
  const ok = await wait((await create()).AccountAssignmentCreationStatus?.RequestId);
  assert.equal(
    ok.AccountAssignmentCreationStatus?.Status,
    'SUCCEEDED',
    ok.AccountAssignmentCreationStatus?.FailureReason,
  );
});

test('deleting a group over SCIM removes its account assignments and, with the last one, the AWSReservedSSO role', async () => {
  const InstanceArn = idc.instance.instanceArn;
  const { PermissionSet } = await admin.send(new CreatePermissionSetCommand({ InstanceArn, Name: 'Ephemeral' }));
  const PermissionSetArn = PermissionSet?.PermissionSetArn as string;
  const group = await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Short-lived' });
  const created = await admin.send(
    new CreateAccountAssignmentCommand({
      InstanceArn,
      TargetId: MEMBER,
      TargetType: 'AWS_ACCOUNT',
      PermissionSetArn,
      PrincipalType: 'GROUP',
      PrincipalId: String(group.json.id),
    }),
  );
  const done = await until(
    () =>
      admin.send(
        new DescribeAccountAssignmentCreationStatusCommand({
          InstanceArn,
          AccountAssignmentCreationRequestId: created.AccountAssignmentCreationStatus?.RequestId,
        }),
      ),
    (r) => r.AccountAssignmentCreationStatus?.Status !== 'IN_PROGRESS',
  );
  assert.equal(done.AccountAssignmentCreationStatus?.Status, 'SUCCEEDED');
  assert.ok(emu.iam.listRoles(MEMBER).some((r) => r.name.startsWith('AWSReservedSSO_Ephemeral_')));
  assert.equal((await scim('DELETE', `/Groups/${String(group.json.id)}`)).status, 204);
  assert.deepEqual(
    (await admin.send(new ListAccountAssignmentsCommand({ InstanceArn, AccountId: MEMBER, PermissionSetArn })))
      .AccountAssignments,
    [],
  );
  assert.ok(!emu.iam.listRoles(MEMBER).some((r) => r.name.startsWith('AWSReservedSSO_Ephemeral_')));
  // A group re-created with the same name is a new principal: it has no assignment.
  const again = await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Short-lived' });
  assert.notEqual(again.json.id, group.json.id);
  assert.deepEqual(
    (await admin.send(new ListAccountAssignmentsCommand({ InstanceArn, AccountId: MEMBER, PermissionSetArn })))
      .AccountAssignments,
    [],
  );
});

/** Every page of a paginated list, bounded; the SDK paginator follows NextToken as AWS clients do. */
async function pagesOf<P>(
  pages: AsyncIterable<P>,
  items: (p: P) => readonly unknown[] | undefined,
): Promise<unknown[][]> {
  const out: unknown[][] = [];
  for await (const p of pages) {
    out.push([...(items(p) ?? [])]);
    assert.ok(out.length <= 20, 'pagination did not end');
  }
  return out;
}

test('every sso-admin and identitystore list operation pages with MaxResults and NextToken as the SDK paginators expect, and refuses a forged NextToken', async () => {
  let c: IdentityCenter | undefined;
  const emu2 = await startEmulator({
    logger: silentLogger,
    registrations: [
      identityCenterFactory({ asyncDelayMs: 5 }, (x) => {
        c = x;
      }),
    ],
  });
  try {
    const center = c as IdentityCenter;
    const cfg = { endpoint: emu2.url, region: 'us-east-1', credentials: emu2.rootCredentials(MGMT), maxAttempts: 1 };
    const sa = new SSOAdminClient(cfg);
    const is = new IdentitystoreClient(cfg);
    const InstanceArn = center.instance.instanceArn;
    const IdentityStoreId = center.instance.identityStoreId;
    const [A, B] = emu2.world
      .listAccounts()
      .map((a) => a.id)
      .filter((id) => id !== MGMT) as [string, string];
    const users: string[] = [];
    for (let i = 0; i < 3; i++) {
      users.push(
        (
          await is.send(
            new CreateUserCommand({
              IdentityStoreId,
              UserName: `page${i}@example.com`,
              DisplayName: `Page ${i}`,
              Name: { GivenName: 'P', FamilyName: String(i) },
            }),
          )
        ).UserId as string,
      );
    }
    const groups: string[] = [];
    for (const name of ['Paged A', 'Paged B'])
      groups.push((await is.send(new CreateGroupCommand({ IdentityStoreId, DisplayName: name }))).GroupId as string);
    for (const u of users)
      await is.send(new CreateGroupMembershipCommand({ IdentityStoreId, GroupId: groups[0], MemberId: { UserId: u } }));
    await is.send(
      new CreateGroupMembershipCommand({
        IdentityStoreId,
        GroupId: groups[1] as string,
        MemberId: { UserId: users[0] as string },
      }),
    );
    const sets: string[] = [];
    for (const name of ['PageZero', 'PageOne', 'PageTwo'])
      sets.push(
        (await sa.send(new CreatePermissionSetCommand({ InstanceArn, Name: name }))).PermissionSet
          ?.PermissionSetArn as string,
      );
    const [P0, P1, P2] = sets as [string, string, string];
    for (const arn of ['arn:aws:iam::aws:policy/ReadOnlyAccess', 'arn:aws:iam::aws:policy/AdministratorAccess']) {
      await sa.send(
        new AttachManagedPolicyToPermissionSetCommand({ InstanceArn, PermissionSetArn: P1, ManagedPolicyArn: arn }),
      );
    }
    const assign = async (
      PermissionSetArn: string,
      TargetId: string,
      PrincipalType: 'USER' | 'GROUP',
      PrincipalId: string,
    ) => {
      const r = await sa.send(
        new CreateAccountAssignmentCommand({
          InstanceArn,
          PermissionSetArn,
          TargetId,
          TargetType: 'AWS_ACCOUNT',
          PrincipalType,
          PrincipalId,
        }),
      );
      const done = await until(
        () =>
          sa.send(
            new DescribeAccountAssignmentCreationStatusCommand({
              InstanceArn,
              AccountAssignmentCreationRequestId: r.AccountAssignmentCreationStatus?.RequestId,
            }),
          ),
        (x) => x.AccountAssignmentCreationStatus?.Status !== 'IN_PROGRESS',
      );
      assert.equal(
        done.AccountAssignmentCreationStatus?.Status,
        'SUCCEEDED',
        done.AccountAssignmentCreationStatus?.FailureReason,
      );
    };
    await assign(P0, A, 'USER', users[0] as string);
    await assign(P1, A, 'USER', users[0] as string);
    await assign(P2, A, 'USER', users[0] as string);
    await assign(P0, A, 'GROUP', groups[0] as string);
    await assign(P0, B, 'USER', users[0] as string);
    for (const arn of [P1, P2]) {
      const r = await sa.send(
        new ProvisionPermissionSetCommand({
          InstanceArn,
          PermissionSetArn: arn,
          TargetType: 'ALL_PROVISIONED_ACCOUNTS',
        }),
      );
      await until(
        () =>
          sa.send(
            new DescribePermissionSetProvisioningStatusCommand({
              InstanceArn,
              ProvisionPermissionSetRequestId: r.PermissionSetProvisioningStatus?.RequestId,
            }),
          ),
        (x) => x.PermissionSetProvisioningStatus?.Status === 'SUCCEEDED',
      );
    }
    const one = { client: sa, pageSize: 1 };
    const cases: Array<[string, Promise<unknown[][]>, unknown[]]> = [
      ['ListPermissionSets', pagesOf(paginateListPermissionSets(one, { InstanceArn }), (p) => p.PermissionSets), sets],
      [
        'ListAccountAssignments',
        pagesOf(paginateListAccountAssignments(one, { InstanceArn, AccountId: A, PermissionSetArn: P0 }), (p) =>
          p.AccountAssignments?.map((a) => a.PrincipalId),
        ),
        [users[0], groups[0]],
      ],
      [
        'ListAccountAssignmentsForPrincipal',
        pagesOf(
          paginateListAccountAssignmentsForPrincipal(one, {
            InstanceArn,
            PrincipalType: 'USER',
            PrincipalId: users[0],
          }),
          (p) => p.AccountAssignments?.map((a) => `${a.AccountId}/${a.PermissionSetArn}`),
        ),
        [`${A}/${P0}`, `${A}/${P1}`, `${A}/${P2}`, `${B}/${P0}`],
      ],
      [
        'ListAccountAssignmentCreationStatus',
        pagesOf(paginateListAccountAssignmentCreationStatus(one, { InstanceArn }), (p) =>
          p.AccountAssignmentsCreationStatus?.map((x) => x.Status),
        ),
        Array(5).fill('SUCCEEDED'),
      ],
      [
        'ListAccountsForProvisionedPermissionSet',
        pagesOf(
          paginateListAccountsForProvisionedPermissionSet(one, { InstanceArn, PermissionSetArn: P0 }),
          (p) => p.AccountIds,
        ),
        [A, B],
      ],
      [
        'ListPermissionSetsProvisionedToAccount',
        pagesOf(
          paginateListPermissionSetsProvisionedToAccount(one, { InstanceArn, AccountId: A }),
          (p) => p.PermissionSets,
        ),
        sets,
      ],
      [
        'ListManagedPoliciesInPermissionSet',
        pagesOf(paginateListManagedPoliciesInPermissionSet(one, { InstanceArn, PermissionSetArn: P1 }), (p) =>
          p.AttachedManagedPolicies?.map((m) => m.Name),
        ),
        ['ReadOnlyAccess', 'AdministratorAccess'],
      ],
      [
        'ListPermissionSetProvisioningStatus',
        pagesOf(paginateListPermissionSetProvisioningStatus(one, { InstanceArn }), (p) =>
          p.PermissionSetsProvisioningStatus?.map((x) => x.Status),
        ),
        ['SUCCEEDED', 'SUCCEEDED'],
      ],
      [
        'ListUsers',
        pagesOf(paginateListUsers({ client: is, pageSize: 1 }, { IdentityStoreId }), (p) =>
          p.Users?.map((u) => u.UserId),
        ),
        users,
      ],
      [
        'ListGroupMemberships',
        pagesOf(
          paginateListGroupMemberships({ client: is, pageSize: 1 }, { IdentityStoreId, GroupId: groups[0] }),
          (p) => p.GroupMemberships?.map((m) => (m.MemberId && 'UserId' in m.MemberId ? m.MemberId.UserId : undefined)),
        ),
        users,
      ],
      [
        'ListGroupMembershipsForMember',
        pagesOf(
          paginateListGroupMembershipsForMember(
            { client: is, pageSize: 1 },
            { IdentityStoreId, MemberId: { UserId: users[0] as string } },
          ),
          (p) => p.GroupMemberships?.map((m) => m.GroupId),
        ),
        groups,
      ],
    ];
    for (const [name, pages, expected] of cases) {
      const got = await pages;
      assert.deepEqual(
        got.map((p) => p.length),
        Array(expected.length).fill(1),
        `${name}: one item per page`,
      );
      assert.deepEqual(got.flat(), expected, name);
    }
    await assert.rejects(
      sa.send(new ListPermissionSetsCommand({ InstanceArn, NextToken: Buffer.from('n1.x').toString('base64url') })),
      { name: 'ValidationException' },
    );
    await assert.rejects(sa.send(new ListPermissionSetsCommand({ InstanceArn, MaxResults: 101 })), {
      name: 'ValidationException',
    });
    await assert.rejects(is.send(new ListUsersCommand({ IdentityStoreId, NextToken: 'forged' })), {
      name: 'ValidationException',
    });
    sa.destroy();
    is.destroy();
  } finally {
    c?.close();
    await emu2.close();
  }
});

test('refuses a permission set over the instance quota with ServiceQuotaExceededException and keeps none of it (IAM Identity Center User Guide, "IAM Identity Center quotas"; quota lowered to 2)', async () => {
  let c: IdentityCenter | undefined;
  const emu2 = await startEmulator({
    logger: silentLogger,
    registrations: [
      identityCenterFactory({ ssoAdminLimits: { maxPermissionSets: 2 } }, (x) => {
        c = x;
      }),
    ],
  });
  try {
    const sa = new SSOAdminClient({
      endpoint: emu2.url,
      region: 'us-east-1',
      credentials: emu2.rootCredentials(MGMT),
      maxAttempts: 1,
    });
    const InstanceArn = (c as IdentityCenter).instance.instanceArn;
    for (const Name of ['First', 'Second']) await sa.send(new CreatePermissionSetCommand({ InstanceArn, Name }));
    await assert.rejects(
      sa.send(new CreatePermissionSetCommand({ InstanceArn, Name: 'Third' })),
      (e: Error & { $metadata?: { httpStatusCode?: number } }) =>
        e.name === 'ServiceQuotaExceededException' && e.$metadata?.httpStatusCode === 402,
    );
    assert.equal((await sa.send(new ListPermissionSetsCommand({ InstanceArn }))).PermissionSets?.length, 2);
    sa.destroy();
  } finally {
    c?.close();
    await emu2.close();
  }
});

test('refuses an eleventh outstanding account assignment operation with ThrottlingException ([doc] SSOUG-2022 limits)', async () => {
  let slow: IdentityCenter | undefined;
  const emu2 = await startEmulator({
    logger: silentLogger,
    registrations: [
      identityCenterFactory({ asyncDelayMs: 60_000 }, (x) => {
        slow = x;
      }),
    ],
  });
  try {
    const c = new SSOAdminClient({
      endpoint: emu2.url,
      region: 'us-east-1',
      credentials: emu2.rootCredentials(MGMT),
      maxAttempts: 1,
    });
    const s = slow as IdentityCenter;
    const InstanceArn = s.instance.instanceArn;
    const { PermissionSet } = await c.send(new CreatePermissionSetCommand({ InstanceArn, Name: 'Busy' }));
    const token = s.createScimToken().token;
    const res = await fetch(`${s.scimEndpoint(emu2.url)}/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: JSON.stringify(scimUser('busy@example.com')),
    });
    const userId = String(((await res.json()) as { id: string }).id);
    const accounts = emu2.world.listAccounts().map((a) => a.id);
    const send = (i: number) =>
      c.send(
        new CreateAccountAssignmentCommand({
          InstanceArn,
          TargetId: accounts[i % accounts.length],
          TargetType: 'AWS_ACCOUNT',
          PermissionSetArn: PermissionSet?.PermissionSetArn,
          PrincipalType: 'USER',
          PrincipalId: userId,
        }),
      );
    for (let i = 0; i < 10; i++) assert.equal((await send(i)).AccountAssignmentCreationStatus?.Status, 'IN_PROGRESS');
    await assert.rejects(send(10), (e: Error) => e.name === 'ThrottlingException' && /outstanding/.test(e.message));
  } finally {
    slow?.close();
    await emu2.close();
  }
});

test('the AWS CLI v2 lists Identity Center instances and identity store users against the emulator', async (t) => {
  if (!needPeers(t, 'aws-cli')) return;
  const dir = mkdtempSync(join(tmpdir(), 'idc-cli-'));
  writeFileSync(join(dir, 'config'), '');
  const key = emu.rootCredentials(MGMT);
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    AWS_CONFIG_FILE: join(dir, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_MAX_ATTEMPTS: '1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_PAGER: '',
    AWS_ACCESS_KEY_ID: key.accessKeyId,
    AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
    AWS_ENDPOINT_URL: emu.url,
  };
  // Asynchronous: the emulator answers from this same process.
  const run = (...args: string[]) =>
    new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        AWS_CLI,
        [...args, '--output', 'json'],
        { env, encoding: 'utf8', timeout: 60_000 },
        (err, stdout, stderr) => {
          resolve({ status: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
        },
      );
    });
  const inst = await run('sso-admin', 'list-instances', '--endpoint-url', emu.url);
  assert.equal(inst.status, 0, inst.stderr);
  assert.equal(
    (JSON.parse(inst.stdout) as { Instances: Array<{ InstanceArn: string }> }).Instances[0]?.InstanceArn,
    idc.instance.instanceArn,
  );
  const users = await run(
    'identitystore',
    'list-users',
    '--identity-store-id',
    idc.instance.identityStoreId,
    '--endpoint-url',
    emu.url,
  );
  assert.equal(users.status, 0, users.stderr);
  assert.ok(
    (JSON.parse(users.stdout) as { Users: Array<{ UserName: string }> }).Users.some(
      (u) => u.UserName === 'alice@example.com',
    ),
  );
  const bad = await run(
    'sso-admin',
    'create-permission-set',
    '--instance-arn',
    idc.instance.instanceArn,
    '--name',
    'n'.repeat(33),
    '--endpoint-url',
    emu.url,
  );
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /ValidationException/);
});

/** Signs an awsJson1_1 call to the emulator-only admin API the way the SDK would (SigV4, service `sso`). */
async function adminCall(
  url: string,
  key: { accessKeyId: string; secretAccessKey: string },
  op: string,
  body: Record<string, unknown>,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const { SignatureV4 } = await import('@smithy/signature-v4');
  const { Sha256 } = await import('@aws-crypto/sha256-js');
  const u = new URL(url);
  const signer = new SignatureV4({ service: 'sso', region: 'us-east-1', credentials: key, sha256: Sha256 });
  const payload = JSON.stringify(body);
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: u.hostname,
    port: Number(u.port),
    path: '/',
    headers: {
      host: u.host,
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `KeywayEmulatorIdentityCenter.${op}`,
    },
    body: payload,
  });
  const res = await fetch(`${url}/`, {
    method: 'POST',
    headers: signed.headers as Record<string, string>,
    body: payload,
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

test('the emulator-only admin API runs the SCIM token lifecycle: secret shown once, listed without it, one-year expiry, at most two, deleted for good ([doc] SSOUG-2022 provision-automatically)', async () => {
  let offset = 0;
  let c: IdentityCenter | undefined;
  const emu2 = await startEmulator({
    logger: silentLogger,
    now: () => Date.now() + offset,
    registrations: [
      identityCenterFactory({}, (x) => {
        c = x;
      }),
    ],
  });
  try {
    const center = c as IdentityCenter;
    const key = emu2.rootCredentials(MGMT);
    const scimGet = async (token: string) =>
      fetch(`${center.scimEndpoint(emu2.url)}/Users`, { headers: { authorization: `Bearer ${token}` } });
    const first = await adminCall(emu2.url, key, 'CreateScimAccessToken', {});
    assert.equal(first.status, 200);
    const secret = String(first.json.AccessToken);
    assert.ok(secret.length >= 40);
    assert.equal(Number(first.json.ExpiresDate) - Number(first.json.CreatedDate), 365 * 24 * 3600);
    assert.equal((await scimGet(secret)).status, 200);
    const listed = await adminCall(emu2.url, key, 'ListScimAccessTokens', {});
    assert.deepEqual(Object.keys((listed.json.Tokens as Array<Record<string, unknown>>)[0] ?? {}).sort(), [
      'CreatedDate',
      'ExpiresDate',
      'LastUsedDate',
      'TokenId',
    ]);
    assert.ok(!JSON.stringify(listed.json).includes(secret), 'the secret is shown only at creation');
    const second = await adminCall(emu2.url, key, 'CreateScimAccessToken', {});
    assert.equal(second.status, 200);
    const third = await adminCall(emu2.url, key, 'CreateScimAccessToken', {});
    assert.equal(third.json.__type, 'ServiceQuotaExceededException');
    assert.match(String(third.json.message ?? third.json.Message), /maximum number of SCIM access tokens/);
    assert.equal(((await adminCall(emu2.url, key, 'ListScimAccessTokens', {})).json.Tokens as unknown[]).length, 2);
    assert.equal(
      (await adminCall(emu2.url, key, 'DeleteScimAccessToken', { TokenId: second.json.TokenId })).status,
      200,
    );
    const again = await adminCall(emu2.url, key, 'DeleteScimAccessToken', { TokenId: second.json.TokenId });
    assert.deepEqual([again.status, again.json.__type], [404, 'ResourceNotFoundException']);
    assert.equal((await adminCall(emu2.url, key, 'DeleteScimAccessToken', {})).json.__type, 'ValidationException');
    assert.equal((await scimGet(String(second.json.AccessToken))).status, 401);
    assert.deepEqual(
      center.listScimTokens().map((t) => t.tokenId),
      [first.json.TokenId],
    );
    // A year after creation the token stops working (the SCIM endpoint is unsigned, so the clock can jump).
    offset = 365 * 24 * 3600 * 1000 - 60_000;
    assert.equal((await scimGet(secret)).status, 200);
    offset = 365 * 24 * 3600 * 1000;
    const expired = await scimGet(secret);
    assert.equal(expired.status, 401);
    assert.equal(((await expired.json()) as { status: string }).status, '401');
  } finally {
    c?.close();
    await emu2.close();
  }
});

test('Identity Center survives an emulator restart with a state file: instance, SCIM token, users, permission sets, assignments and IdP', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'idc-state-'));
  const statePath = join(dir, 'state.sqlite');
  let first: IdentityCenter | undefined;
  const emu1 = await startEmulator({
    logger: silentLogger,
    statePath,
    registrations: [
      identityCenterFactory({ asyncDelayMs: 5 }, (x) => {
        first = x;
      }),
    ],
  });
  let token: string;
  let instanceArn: string;
  let psArn: string;
  try {
    const key = emu1.rootCredentials(MGMT);
    const created = await adminCall(emu1.url, key, 'CreateScimAccessToken', {});
    assert.equal(created.status, 200);
    token = String(created.json.AccessToken);
    assert.equal((await adminCall(emu1.url, emu1.rootCredentials(MEMBER), 'CreateScimAccessToken', {})).status, 403);
    const described = await adminCall(emu1.url, key, 'DescribeIdentityCenter', {});
    instanceArn = String(described.json.InstanceArn);
    const u = await fetch(`${emu1.url}${String(described.json.ScimPath)}/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: JSON.stringify(scimUser('persist@example.com')),
    });
    assert.equal(u.status, 201);
    const userId = String(((await u.json()) as { id: string }).id);
    const c = new SSOAdminClient({ endpoint: emu1.url, region: 'us-east-1', credentials: key, maxAttempts: 1 });
    psArn = (
      await c.send(
        new CreatePermissionSetCommand({
          InstanceArn: instanceArn,
          Name: 'Persisted',
          Tags: [{ Key: 'k', Value: 'v' }],
        }),
      )
    ).PermissionSet?.PermissionSetArn as string;
    const r = await c.send(
      new CreateAccountAssignmentCommand({
        InstanceArn: instanceArn,
        TargetId: MEMBER,
        TargetType: 'AWS_ACCOUNT',
        PermissionSetArn: psArn,
        PrincipalType: 'USER',
        PrincipalId: userId,
      }),
    );
    await until(
      () =>
        c.send(
          new DescribeAccountAssignmentCreationStatusCommand({
            InstanceArn: instanceArn,
            AccountAssignmentCreationRequestId: r.AccountAssignmentCreationStatus?.RequestId,
          }),
        ),
      (x) => x.AccountAssignmentCreationStatus?.Status === 'SUCCEEDED',
    );
    const bad = await adminCall(emu1.url, key, 'PutSamlIdentityProvider', { Metadata: '<notmetadata/>' });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.__type, 'ValidationException');
  } finally {
    first?.close();
    await emu1.close();
  }
  let second: IdentityCenter | undefined;
  const emu2 = await startEmulator({
    logger: silentLogger,
    statePath,
    registrations: [
      identityCenterFactory({}, (x) => {
        second = x;
      }),
    ],
  });
  try {
    const s = second as IdentityCenter;
    assert.equal(s.instance.instanceArn, instanceArn);
    const list = await fetch(
      `${s.scimEndpoint(emu2.url)}/Users?filter=${encodeURIComponent('userName eq "persist@example.com"')}`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    assert.equal(list.status, 200);
    assert.equal(((await list.json()) as { totalResults: number }).totalResults, 1);
    const c = new SSOAdminClient({
      endpoint: emu2.url,
      region: 'us-east-1',
      credentials: emu2.rootCredentials(MGMT),
      maxAttempts: 1,
    });
    assert.equal(
      (
        await c.send(
          new ListAccountAssignmentsCommand({ InstanceArn: instanceArn, AccountId: MEMBER, PermissionSetArn: psArn }),
        )
      ).AccountAssignments?.length,
      1,
    );
    assert.deepEqual(
      (
        await c.send(
          new ListAccountsForProvisionedPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: psArn }),
        )
      ).AccountIds,
      [MEMBER],
    );
    assert.equal(s.listScimTokens().length, 1);
  } finally {
    second?.close();
    await emu2.close();
  }
});
