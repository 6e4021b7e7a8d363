/**
 * A generated world of 1,000 accounts in 50 OUs loads and pages like AWS: at most 20 entries a page
 * (Organizations MaxResults 1–20), every account exactly once, and a NextToken until the last page.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { generatedWorld, silentLogger, startEmulator } from '../../src/aws-emulator/index.js';
import type { RunningEmulator } from '../../src/aws-emulator/index.js';
import { sdkConfig } from './emulator-helpers.js';

let emulator: RunningEmulator;
let orgs: OrganizationsClient;

before(async () => {
  emulator = await startEmulator({ logger: silentLogger, registrations: [], world: generatedWorld(1000, 50) });
  orgs = new OrganizationsClient(sdkConfig(emulator.url, emulator.rootCredentials('100000000000')));
});

after(async () => {
  orgs.destroy();
  await emulator.close();
});

test('ListAccounts pages 1,000 accounts 20 at a time, each once', async () => {
  const ids: string[] = [];
  let pages = 0;
  for (let token: string | undefined, first = true; first || token; first = false) {
    const page = await orgs.send(new ListAccountsCommand({ NextToken: token }));
    pages++;
    assert.ok((page.Accounts ?? []).length <= 20);
    ids.push(...(page.Accounts ?? []).map((a) => a.Id ?? ''));
    token = page.NextToken;
  }
  assert.equal(pages, 50);
  assert.equal(new Set(ids).size, 1000);
});

test('the 50 OUs page 20, 20, 10 and together hold the 999 member accounts', async () => {
  const ous: string[] = [];
  const sizes: number[] = [];
  for (let token: string | undefined, first = true; first || token; first = false) {
    const page = await orgs.send(new ListOrganizationalUnitsForParentCommand({ ParentId: 'r-gen0', NextToken: token }));
    sizes.push(page.OrganizationalUnits?.length ?? 0);
    ous.push(...(page.OrganizationalUnits ?? []).map((o) => o.Id ?? ''));
    token = page.NextToken;
  }
  assert.deepEqual(sizes, [20, 20, 10]);
  let members = 0;
  for (const ou of ous) {
    for (let token: string | undefined, first = true; first || token; first = false) {
      const page = await orgs.send(
        new ListAccountsForParentCommand({ ParentId: ou, NextToken: token, MaxResults: 20 }),
      );
      members += page.Accounts?.length ?? 0;
      token = page.NextToken;
    }
  }
  assert.equal(members, 999);
});
