/**
 * Organizations writes through SDK v3: asynchronous CreateAccount (IN_PROGRESS, then SUCCEEDED with an
 * OrganizationAccountAccessRole the management account can assume), MoveAccount keeping every account in exactly
 * one parent, OU create/rename/delete-only-when-empty, tagging with AWS's reserved `aws:` keys refused.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  DeleteOrganizationalUnitCommand,
  DescribeCreateAccountStatusCommand,
  ListAccountsForParentCommand,
  ListCreateAccountStatusCommand,
  ListParentsCommand,
  ListTagsForResourceCommand,
  MoveAccountCommand,
  OrganizationsClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateOrganizationalUnitCommand,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { silentLogger, startEmulator } from '../../src/aws-emulator/index.js';
import type { RunningEmulator } from '../../src/aws-emulator/index.js';
import { sdkConfig } from './emulator-helpers.js';

const MGMT = '111111111111';
const ROOT = 'r-kw01';
let emulator: RunningEmulator;
let clock = Date.now();
let orgs: OrganizationsClient;

async function rejects(p: Promise<unknown>, name: string, reason?: string): Promise<void> {
  await assert.rejects(p, (e: Error & { Reason?: string }) => {
    assert.equal(e.name, name, e.message);
    if (reason) assert.equal(e.Reason, reason);
    return true;
  });
}

before(async () => {
  emulator = await startEmulator({
    logger: silentLogger,
    registrations: [],
    now: () => clock,
    createAccountDelayMs: 60_000,
  });
  orgs = new OrganizationsClient(sdkConfig(emulator.url, emulator.rootCredentials(MGMT)));
});

after(async () => {
  orgs.destroy();
  await emulator.close();
});

describe('Organizations writes', () => {
  test('CreateAccount is asynchronous; the new account gets OrganizationAccountAccessRole trusting the management account', async () => {
    const started = await orgs.send(
      new CreateAccountCommand({ Email: 'new@example.com', AccountName: 'New', Tags: [{ Key: 'Team', Value: 'a' }] }),
    );
    const id = started.CreateAccountStatus?.Id ?? '';
    assert.match(id, /^car-[a-z0-9]{8,32}$/);
    assert.equal(started.CreateAccountStatus?.State, 'IN_PROGRESS');
    const pending = await orgs.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: id }));
    assert.equal(pending.CreateAccountStatus?.State, 'IN_PROGRESS');
    clock += 61_000;
    const done = (await orgs.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: id })))
      .CreateAccountStatus;
    assert.equal(done?.State, 'SUCCEEDED');
    const accountId = done?.AccountId ?? '';
    assert.match(accountId, /^\d{12}$/);
    const parents = await orgs.send(new ListParentsCommand({ ChildId: accountId }));
    assert.deepEqual(parents.Parents, [{ Id: ROOT, Type: 'ROOT' }]);
    assert.deepEqual((await orgs.send(new ListTagsForResourceCommand({ ResourceId: accountId }))).Tags, [
      { Key: 'Team', Value: 'a' },
    ]);
    const assumed = await new STSClient(sdkConfig(emulator.url, emulator.rootCredentials(MGMT))).send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${accountId}:role/OrganizationAccountAccessRole`,
        RoleSessionName: 'setup',
      }),
    );
    const c = assumed.Credentials;
    const iam = new IAMClient(
      sdkConfig(emulator.url, {
        accessKeyId: c?.AccessKeyId ?? '',
        secretAccessKey: c?.SecretAccessKey ?? '',
        sessionToken: c?.SessionToken ?? '',
      }),
    );
    const role = (await iam.send(new GetRoleCommand({ RoleName: 'OrganizationAccountAccessRole' }))).Role;
    assert.match(decodeURIComponent(role?.AssumeRolePolicyDocument ?? ''), new RegExp(`arn:aws:iam::${MGMT}:root`));
    // A second request with the same email fails asynchronously, as in AWS.
    const dup = await orgs.send(new CreateAccountCommand({ Email: 'new@example.com', AccountName: 'Dup' }));
    clock += 61_000;
    const failed = await orgs.send(new ListCreateAccountStatusCommand({ States: ['FAILED'] }));
    assert.deepEqual(
      failed.CreateAccountStatuses?.map((s) => [s.Id, s.FailureReason]),
      [[dup.CreateAccountStatus?.Id, 'EMAIL_ALREADY_EXISTS']],
    );
    await rejects(
      orgs.send(
        new CreateAccountCommand({
          Email: 'x@example.com',
          AccountName: 'X',
          Tags: [{ Key: 'aws:owner', Value: 'a' }],
        }),
      ),
      'InvalidInputException',
      'INVALID_SYSTEM_TAGS_PARAMETER',
    );
    await rejects(
      orgs.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: 'car-00000000' })),
      'CreateAccountStatusNotFoundException',
    );
    const member = new OrganizationsClient(sdkConfig(emulator.url, emulator.rootCredentials('333333333333')));
    await rejects(
      member.send(new CreateAccountCommand({ Email: 'm@example.com', AccountName: 'M' })),
      'AccessDeniedException',
    );
  });

  test('an account created in one OU and moved to another is in exactly one parent', async () => {
    const ou = (
      await orgs.send(
        new CreateOrganizationalUnitCommand({ ParentId: ROOT, Name: 'Sandbox', Tags: [{ Key: 'k', Value: 'v' }] }),
      )
    ).OrganizationalUnit;
    assert.match(ou?.Id ?? '', /^ou-kw01-[a-z0-9]{8}$/);
    await rejects(
      orgs.send(new CreateOrganizationalUnitCommand({ ParentId: ROOT, Name: 'Sandbox' })),
      'DuplicateOrganizationalUnitException',
    );
    const nested = (await orgs.send(new CreateOrganizationalUnitCommand({ ParentId: ou?.Id, Name: 'Inner' })))
      .OrganizationalUnit;
    const created = await orgs.send(new CreateAccountCommand({ Email: 'moved@example.com', AccountName: 'Moved' }));
    clock += 61_000;
    const accountId =
      (
        await orgs.send(
          new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: created.CreateAccountStatus?.Id }),
        )
      ).CreateAccountStatus?.AccountId ?? '';
    await orgs.send(
      new MoveAccountCommand({ AccountId: accountId, SourceParentId: ROOT, DestinationParentId: ou?.Id }),
    );
    await rejects(
      orgs.send(
        new MoveAccountCommand({ AccountId: accountId, SourceParentId: ROOT, DestinationParentId: nested?.Id }),
      ),
      'AccountNotFoundException',
    );
    await rejects(
      orgs.send(new MoveAccountCommand({ AccountId: accountId, SourceParentId: ou?.Id, DestinationParentId: ou?.Id })),
      'DuplicateAccountException',
    );
    await rejects(
      orgs.send(
        new MoveAccountCommand({
          AccountId: accountId,
          SourceParentId: ou?.Id,
          DestinationParentId: 'ou-kw01-zzzzzzzz',
        }),
      ),
      'DestinationParentNotFoundException',
    );
    await orgs.send(
      new MoveAccountCommand({ AccountId: accountId, SourceParentId: ou?.Id, DestinationParentId: nested?.Id }),
    );
    assert.deepEqual((await orgs.send(new ListParentsCommand({ ChildId: accountId }))).Parents, [
      { Id: nested?.Id, Type: 'ORGANIZATIONAL_UNIT' },
    ]);
    const inRoot = await orgs.send(new ListAccountsForParentCommand({ ParentId: ROOT }));
    assert.ok(!(inRoot.Accounts ?? []).some((a) => a.Id === accountId));
    const inNested = await orgs.send(new ListAccountsForParentCommand({ ParentId: nested?.Id }));
    assert.deepEqual(
      inNested.Accounts?.map((a) => [a.Id, a.Name]),
      [[accountId, 'Moved']],
    );

    // An OU is deleted only when it holds no account and no OU.
    await rejects(
      orgs.send(new DeleteOrganizationalUnitCommand({ OrganizationalUnitId: nested?.Id })),
      'OrganizationalUnitNotEmptyException',
    );
    await rejects(
      orgs.send(new DeleteOrganizationalUnitCommand({ OrganizationalUnitId: ou?.Id })),
      'OrganizationalUnitNotEmptyException',
    );
    await orgs.send(
      new MoveAccountCommand({ AccountId: accountId, SourceParentId: nested?.Id, DestinationParentId: ROOT }),
    );
    await orgs.send(new DeleteOrganizationalUnitCommand({ OrganizationalUnitId: nested?.Id }));
    const renamed = await orgs.send(
      new UpdateOrganizationalUnitCommand({ OrganizationalUnitId: ou?.Id, Name: 'Playground' }),
    );
    assert.equal(renamed.OrganizationalUnit?.Name, 'Playground');
    await orgs.send(new DeleteOrganizationalUnitCommand({ OrganizationalUnitId: ou?.Id }));
    await rejects(
      orgs.send(new DeleteOrganizationalUnitCommand({ OrganizationalUnitId: ou?.Id })),
      'OrganizationalUnitNotFoundException',
    );
  });

  test('TagResource and UntagResource change tags of accounts, OUs and the root; aws: keys are reserved', async () => {
    for (const id of ['333333333333', 'ou-kw01-prodenvs', ROOT]) {
      await orgs.send(new TagResourceCommand({ ResourceId: id, Tags: [{ Key: 'Added', Value: 'yes' }] }));
      const tags = (await orgs.send(new ListTagsForResourceCommand({ ResourceId: id }))).Tags ?? [];
      assert.ok(
        tags.some((t) => t.Key === 'Added' && t.Value === 'yes'),
        id,
      );
      await orgs.send(new UntagResourceCommand({ ResourceId: id, TagKeys: ['Added'] }));
      const after = (await orgs.send(new ListTagsForResourceCommand({ ResourceId: id }))).Tags ?? [];
      assert.ok(!after.some((t) => t.Key === 'Added'), id);
    }
    await rejects(
      orgs.send(new TagResourceCommand({ ResourceId: '333333333333', Tags: [{ Key: 'AWS:x', Value: 'y' }] })),
      'InvalidInputException',
      'INVALID_SYSTEM_TAGS_PARAMETER',
    );
    await rejects(
      orgs.send(new TagResourceCommand({ ResourceId: '999999999999', Tags: [{ Key: 'a', Value: 'b' }] })),
      'TargetNotFoundException',
    );
  });
});
