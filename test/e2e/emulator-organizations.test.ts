/**
 * Organizations (JSON 1.1) through SDK v3 against a world with more accounts than one page holds: MaxResults
 * 1–20 and NextToken paging (AWS Organizations API Reference, "ListAccounts"), epoch-second timestamps, parents, tags,
 * and AWS's error codes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DescribeAccountCommand,
  DescribeOrganizationCommand,
  DescribeOrganizationalUnitCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListChildrenCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  OrganizationsClient,
  paginateListAccounts,
} from '@aws-sdk/client-organizations';
import { silentLogger, startEmulator } from '../../src/aws-emulator/index.js';
import type { RunningEmulator } from '../../src/aws-emulator/index.js';
import { sdkConfig } from './emulator-helpers.js';

const MGMT = '100000000000';
const ROOT = 'r-t3st';
const ENG = 'ou-t3st-engineer';
const PLATFORM = 'ou-t3st-platform';
const MEMBERS = 45;

/** A world with 1 management account, 45 members (30 in Engineering/Platform, 15 under the root), nested OUs. */
function bigWorld(): unknown {
  const accounts: Record<string, unknown>[] = [
    {
      id: MGMT,
      name: 'Management',
      email: 'mgmt@example.com',
      joinedTimestamp: '2020-01-02T03:04:05Z',
      tags: { Tier: 'management' },
    },
  ];
  for (let i = 1; i <= MEMBERS; i++) {
    accounts.push({
      id: String(100000000000 + i),
      name: `Member ${String(i).padStart(2, '0')}`,
      email: `member${i}@example.com`,
      joinedTimestamp: '2021-06-01T00:00:00Z',
      tags: { Index: String(i) },
      ...(i <= 30 ? { parent: PLATFORM } : {}),
    });
  }
  return {
    organization: { id: 'o-testworld01', rootId: ROOT, managementAccountId: MGMT, rootTags: { Scope: 'all' } },
    organizationalUnits: [
      {
        id: ENG,
        name: 'Engineering',
        tags: { Dept: 'eng' },
        organizationalUnits: [{ id: PLATFORM, name: 'Platform' }],
      },
    ],
    accounts,
  };
}

let emulator: RunningEmulator;
let orgs: OrganizationsClient;

async function rejects(promise: Promise<unknown>, name: string, reason?: string): Promise<void> {
  await assert.rejects(promise, (e: Error & { Reason?: string; $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(e.name, name, `${e.name}: ${e.message}`);
    assert.equal(e.$metadata?.httpStatusCode, 400);
    if (reason) assert.equal(e.Reason, reason);
    return true;
  });
}

before(async () => {
  emulator = await startEmulator({ world: bigWorld(), logger: silentLogger, registrations: [] });
  orgs = new OrganizationsClient(sdkConfig(emulator.url, emulator.rootCredentials(MGMT)));
});

after(async () => {
  await emulator.close();
});

describe('Organizations paging', () => {
  test('ListAccounts returns at most 20 per page and NextToken walks every account exactly once', async () => {
    const first = await orgs.send(new ListAccountsCommand({}));
    assert.equal(first.Accounts?.length, 20);
    assert.ok(first.NextToken);
    const ids: string[] = [];
    let pages = 0;
    for await (const page of paginateListAccounts({ client: orgs, pageSize: 7 }, {})) {
      pages++;
      assert.ok((page.Accounts?.length ?? 0) <= 7);
      ids.push(...(page.Accounts ?? []).map((a) => a.Id ?? ''));
    }
    assert.equal(ids.length, MEMBERS + 1);
    assert.equal(new Set(ids).size, MEMBERS + 1);
    assert.equal(pages, Math.ceil((MEMBERS + 1) / 7));
  });

  test('MaxResults outside 1–20 is InvalidInputException with the MIN/MAX_VALUE_EXCEEDED reason', async () => {
    await rejects(
      orgs.send(new ListAccountsCommand({ MaxResults: 21 })),
      'InvalidInputException',
      'MAX_VALUE_EXCEEDED',
    );
    await rejects(orgs.send(new ListAccountsCommand({ MaxResults: 0 })), 'InvalidInputException', 'MIN_VALUE_EXCEEDED');
  });

  test('a forged or foreign NextToken is InvalidInputException INVALID_NEXT_TOKEN', async () => {
    await rejects(
      orgs.send(new ListAccountsCommand({ NextToken: 'garbage' })),
      'InvalidInputException',
      'INVALID_NEXT_TOKEN',
    );
    const page = await orgs.send(new ListAccountsForParentCommand({ ParentId: PLATFORM, MaxResults: 5 }));
    await rejects(
      orgs.send(new ListAccountsForParentCommand({ ParentId: ROOT, NextToken: page.NextToken })),
      'InvalidInputException',
      'INVALID_NEXT_TOKEN',
    );
  });
});

describe('Organizations structure', () => {
  test('DescribeOrganization, ListRoots and the account shape (ARNs, epoch-second JoinedTimestamp)', async () => {
    const org = (await orgs.send(new DescribeOrganizationCommand({}))).Organization;
    assert.equal(org?.Id, 'o-testworld01');
    assert.equal(org?.MasterAccountId, MGMT);
    assert.equal(org?.Arn, `arn:aws:organizations::${MGMT}:organization/o-testworld01`);
    const roots = (await orgs.send(new ListRootsCommand({}))).Roots;
    assert.deepEqual(
      roots?.map((r) => [r.Id, r.Name]),
      [[ROOT, 'Root']],
    );
    const account = (await orgs.send(new DescribeAccountCommand({ AccountId: MGMT }))).Account;
    assert.equal(account?.Arn, `arn:aws:organizations::${MGMT}:account/o-testworld01/${MGMT}`);
    assert.equal(account?.JoinedTimestamp?.toISOString(), '2020-01-02T03:04:05.000Z');
    assert.equal(account?.Status, 'ACTIVE');
    assert.equal(account?.JoinedMethod, 'CREATED');
  });

  test('lists OUs and accounts per parent: the root holds only accounts not in an OU, OUs only direct children', async () => {
    assert.deepEqual(
      (await orgs.send(new ListOrganizationalUnitsForParentCommand({ ParentId: ROOT }))).OrganizationalUnits?.map(
        (o) => o.Name,
      ),
      ['Engineering'],
    );
    const nested = (await orgs.send(new ListOrganizationalUnitsForParentCommand({ ParentId: ENG })))
      .OrganizationalUnits;
    assert.deepEqual(
      nested?.map((o) => [o.Id, o.Name, o.Arn]),
      [[PLATFORM, 'Platform', `arn:aws:organizations::${MGMT}:ou/o-testworld01/${PLATFORM}`]],
    );
    const inEng = await orgs.send(new ListAccountsForParentCommand({ ParentId: ENG }));
    assert.deepEqual(inEng.Accounts, []);
    let inRoot = 0;
    let token: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await orgs.send(
        new ListAccountsForParentCommand({ ParentId: ROOT, ...(token ? { NextToken: token } : {}) }),
      );
      inRoot += page.Accounts?.length ?? 0;
      token = page.NextToken;
      if (!token) break;
    }
    assert.equal(inRoot, MEMBERS - 30 + 1);
    const children = await orgs.send(new ListChildrenCommand({ ParentId: ENG, ChildType: 'ORGANIZATIONAL_UNIT' }));
    assert.deepEqual(children.Children, [{ Id: PLATFORM, Type: 'ORGANIZATIONAL_UNIT' }]);
    const ou = (await orgs.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: PLATFORM })))
      .OrganizationalUnit;
    assert.deepEqual([ou?.Name, ou?.Path], ['Platform', `o-testworld01/${ROOT}/${ENG}/${PLATFORM}/`]);
    await rejects(
      orgs.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: 'ou-t3st-missing99' })),
      'OrganizationalUnitNotFoundException',
    );
    const parents = await orgs.send(new ListParentsCommand({ ChildId: '100000000001' }));
    assert.deepEqual(parents.Parents, [{ Id: PLATFORM, Type: 'ORGANIZATIONAL_UNIT' }]);
  });

  test('ListTagsForResource reads account, OU and root tags; unknown targets are TargetNotFoundException', async () => {
    assert.deepEqual((await orgs.send(new ListTagsForResourceCommand({ ResourceId: '100000000007' }))).Tags, [
      { Key: 'Index', Value: '7' },
    ]);
    assert.deepEqual((await orgs.send(new ListTagsForResourceCommand({ ResourceId: ENG }))).Tags, [
      { Key: 'Dept', Value: 'eng' },
    ]);
    assert.deepEqual((await orgs.send(new ListTagsForResourceCommand({ ResourceId: ROOT }))).Tags, [
      { Key: 'Scope', Value: 'all' },
    ]);
    await rejects(orgs.send(new ListTagsForResourceCommand({ ResourceId: '999999999999' })), 'TargetNotFoundException');
  });

  test('unknown ids get ParentNotFoundException, AccountNotFoundException, ChildNotFoundException; bad ids INVALID_PATTERN', async () => {
    await rejects(
      orgs.send(new ListAccountsForParentCommand({ ParentId: 'ou-t3st-nosuchou1' })),
      'ParentNotFoundException',
    );
    await rejects(
      orgs.send(new ListOrganizationalUnitsForParentCommand({ ParentId: 'r-zzzz' })),
      'ParentNotFoundException',
    );
    await rejects(orgs.send(new DescribeAccountCommand({ AccountId: '999999999999' })), 'AccountNotFoundException');
    await rejects(orgs.send(new ListParentsCommand({ ChildId: '999999999999' })), 'ChildNotFoundException');
    await rejects(
      orgs.send(new DescribeAccountCommand({ AccountId: 'abc' })),
      'InvalidInputException',
      'INVALID_PATTERN',
    );
    await rejects(orgs.send(new ListAccountsForParentCommand({ ParentId: '' })), 'InvalidInputException');
  });

  test('member accounts may describe the organization but not list it (AccessDeniedException)', async () => {
    const member = new OrganizationsClient(sdkConfig(emulator.url, emulator.rootCredentials('100000000003')));
    assert.equal((await member.send(new DescribeOrganizationCommand({}))).Organization?.Id, 'o-testworld01');
    await rejects(member.send(new ListAccountsCommand({})), 'AccessDeniedException');
    await rejects(member.send(new DescribeAccountCommand({ AccountId: MGMT })), 'AccessDeniedException');
  });
});
