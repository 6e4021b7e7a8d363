import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  identityCenterFactory,
  silentLogger,
  startEmulator,
  type IdentityCenter,
  type RunningEmulator,
} from '../aws-emulator/index.js';
import { systemActor } from '../core/index.js';
import { loadConfig } from '../server/index.js';
import { openStore, type Store } from '../store/index.js';
import { seedOrganisation } from './seed.js';
import { ScimSeedError, seedIdentityCenterOverScim } from './identity-center-scim.js';
import type { DemoSeedContext } from './types.js';

const GROUPS = ['Admins', 'Operations', 'Engineering', 'Developers', 'Finance'];
/** A small burst so one seeding run is throttled (Identity Center's SCIM 429 with Retry-After) and must back off. */
const RATE = { ratePerSecond: 5, burst: 5 };

let dir: string;
let store: Store;
let emu: RunningEmulator;
let idc: IdentityCenter;
const logs: string[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keyway-idc-scim-'));
  const config = loadConfig(
    { KEYWAY_MASTER_KEY: '77'.repeat(32), KEYWAY_DATABASE_URL: `sqlite:${join(dir, 'keyway.db')}` },
    { cwd: dir },
  );
  store = await openStore(config.databaseUrl);
  const ctx: DemoSeedContext = {
    env: {},
    cwd: dir,
    config,
    store,
    log: () => undefined,
    banner: () => undefined,
    onShutdown: () => undefined,
  };
  await seedOrganisation.seed?.(ctx);
  const actor = systemActor('test');
  const engineering = await store.directory.findGroupByDisplayName('Engineering');
  const admins = await store.directory.findGroupByDisplayName('Admins');
  assert.ok(engineering && admins);
  const erin = await store.directory.createUser(actor, {
    userName: 'erin',
    givenName: 'Erin',
    familyName: 'Eve',
    displayName: 'Erin Eve',
  });
  await store.directory.addMember(actor, engineering.id, { kind: 'user', id: erin.id });
  const frank = await store.directory.createUser(actor, {
    userName: 'frank',
    displayName: 'Frank F',
    emails: [{ value: 'frank@example.com', primary: true }],
    status: 'suspended',
  });
  await store.directory.addMember(actor, admins.id, { kind: 'user', id: frank.id });
  emu = await startEmulator({
    logger: silentLogger,
    registrations: [
      identityCenterFactory({ scimRateLimit: RATE }, (x) => {
        idc = x;
      }),
    ],
  });
});

after(async () => {
  idc?.close();
  await emu?.close();
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const seed = (token: string) =>
  seedIdentityCenterOverScim({
    store,
    endpoint: idc.scimEndpoint(emu.url),
    token,
    groupNames: GROUPS,
    log: (l) => logs.push(l),
  });

test('a wrong SCIM token is refused with the SCIM status and detail, and nothing is written to Identity Center', async () => {
  await assert.rejects(
    seed('not-a-token'),
    (e: unknown) => e instanceof ScimSeedError && e.status === 401 && /SCIM GET \/Users\?.* → 401/.test(e.message),
  );
  const { token, info } = idc.createScimToken();
  const res = await fetch(`${idc.scimEndpoint(emu.url)}/Users`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(((await res.json()) as { totalResults: number }).totalResults, 0);
  idc.revokeScimToken(info.tokenId);
});

test('seeds active users with an email as userName = email and flattened groups, backing off on 429s (Identity Center SCIM dialect)', async () => {
  const { token } = idc.createScimToken();
  const statuses: number[] = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (...args: Parameters<typeof fetch>) => {
    const r = await realFetch(...args);
    statuses.push(r.status);
    return r;
  };
  let first: Awaited<ReturnType<typeof seed>>;
  try {
    first = await seed(token);
  } finally {
    globalThis.fetch = realFetch;
  }
  assert.ok(statuses.includes(429), `the run was throttled at least once: ${statuses.join(',')}`);
  assert.equal(first.usersCreated, 4, 'alice, bob, carol, dave; not erin (no email) nor frank (suspended)');
  assert.equal(first.groupsCreated, 5);
  assert.deepEqual([...first.userNames].sort(), [
    'alice@example.com',
    'bob@example.com',
    'carol@example.com',
    'dave@example.com',
  ]);
  assert.match(logs.join('\n'), /erin has no email/);
  const engineering = first.groupIds.get('Engineering');
  assert.ok(engineering);
  // The seeding run may have used up the small burst: this check, too, waits out a 429 as Retry-After says.
  const url = `${idc.scimEndpoint(emu.url)}/Users?filter=${encodeURIComponent(`groups.value eq "${engineering}"`)}`;
  let res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  for (let i = 0; res.status === 429 && i < 20; i++) {
    await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after') ?? 1) * 1000));
    res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  }
  assert.equal(res.status, 200);
  const members = (await res.json()) as { Resources: { userName: string }[] };
  assert.deepEqual(
    members.Resources.map((u) => u.userName).sort(),
    ['bob@example.com', 'carol@example.com'],
    'bob reaches Engineering through Developers',
  );

  const second = await seed(token);
  assert.deepEqual(
    {
      users: second.usersCreated,
      groups: second.groupsCreated,
      added: second.membersAdded,
      removed: second.membersRemoved,
    },
    { users: 0, groups: 0, added: 0, removed: 0 },
  );
  assert.deepEqual([...second.groupIds.entries()].sort(), [...first.groupIds.entries()].sort());
});
