import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWorld, defaultAccessKey, loadWorldFile, WorldError } from './world.js';

const DEMO = fileURLToPath(new URL('../worlds/demo.yaml', import.meta.url));

const minimal = (): {
  organization: { id: string; rootId: string; managementAccountId: string };
  organizationalUnits: { id: string; name: string; organizationalUnits: { id: string; name: string }[] }[];
  accounts: { id: string; name: string; email: string; parent?: string; tags?: Record<string, string> }[];
} => ({
  organization: { id: 'o-abcdefghij', rootId: 'r-ab12', managementAccountId: '111111111111' },
  organizationalUnits: [
    { id: 'ou-ab12-aaaaaaaa', name: 'A', organizationalUnits: [{ id: 'ou-ab12-bbbbbbbb', name: 'B' }] },
  ],
  accounts: [
    { id: '111111111111', name: 'Mgmt', email: 'm@example.com' },
    { id: '222222222222', name: 'Member', email: 'x@example.com', parent: 'ou-ab12-bbbbbbbb', tags: { Env: 'dev' } },
  ],
});

function problems(raw: unknown): readonly string[] {
  try {
    buildWorld(raw, 'w');
  } catch (e) {
    assert.ok(e instanceof WorldError, String(e));
    return e.problems;
  }
  assert.fail('expected a WorldError');
}

describe('world files', () => {
  test('the demo world has nested OUs and Production, Staging, Development and Security accounts with tags', () => {
    const world = loadWorldFile(DEMO);
    assert.ok(world.organizationalUnits.length >= 2);
    assert.ok(
      world.organizationalUnits.some((ou) => ou.parentId !== world.rootId),
      'at least one nested OU',
    );
    const names = world.listAccounts().map((a) => a.name);
    for (const n of ['Production', 'Staging', 'Development', 'Security']) assert.ok(names.includes(n), n);
    assert.ok(world.listAccounts().every((a) => Object.keys(a.tags).length > 0));
    assert.equal(world.getAccount(world.managementAccountId)?.name, 'Management');
  });

  test('builds parents, defaults and deterministic emulator-only keys', () => {
    const world = buildWorld(minimal());
    assert.equal(world.region, 'us-east-1');
    assert.equal(world.getAccount('111111111111')?.parentId, 'r-ab12');
    assert.equal(world.getAccount('222222222222')?.parentId, 'ou-ab12-bbbbbbbb');
    assert.deepEqual(
      world.organizationalUnits.map((o) => [o.id, o.parentId]),
      [
        ['ou-ab12-aaaaaaaa', 'r-ab12'],
        ['ou-ab12-bbbbbbbb', 'ou-ab12-aaaaaaaa'],
      ],
    );
    assert.deepEqual(world.getAccount('222222222222')?.accessKeys, [defaultAccessKey('222222222222')]);
    assert.deepEqual(defaultAccessKey('222222222222'), defaultAccessKey('222222222222'));
    assert.notEqual(defaultAccessKey('222222222222').secretAccessKey, defaultAccessKey('333333333333').secretAccessKey);
    assert.match(defaultAccessKey('222222222222').secretAccessKey, /^emulator-only-/);
  });

  test('reports schema violations with their JSON paths', () => {
    const bad = minimal() as Record<string, unknown>;
    (bad.accounts as Record<string, unknown>[])[1] = { id: '12', name: 'x', email: 'not-an-email', colour: 'red' };
    const found = problems(bad);
    assert.ok(
      found.some((p) => p.startsWith('w/accounts/1/id:')),
      found.join('\n'),
    );
    assert.ok(
      found.some((p) => p.startsWith('w/accounts/1/email:')),
      found.join('\n'),
    );
    assert.ok(
      found.some((p) => p.includes('colour')),
      found.join('\n'),
    );
    assert.ok(problems({ accounts: [] }).some((p) => p.includes('organization')));
  });

  test('reports broken cross-references: unknown parent, duplicate ids and keys, management account, OU id prefix', () => {
    const raw = minimal();
    raw.accounts.push({
      id: '222222222222',
      name: 'Dup',
      email: 'd@example.com',
      parent: 'ou-ab12-cccccccc',
      tags: {},
    });
    raw.organizationalUnits.push({ id: 'ou-zz99-dddddddd', name: 'Wrong root', organizationalUnits: [] });
    raw.organization.managementAccountId = '999999999999';
    const found = problems(raw);
    for (const expected of [
      'duplicate account id 222222222222',
      'no root or OU with id ou-ab12-cccccccc',
      '999999999999 is not one of the accounts',
      'OU ids embed the root id',
      'is used twice',
    ]) {
      assert.ok(
        found.some((p) => p.includes(expected)),
        `${expected}\n${found.join('\n')}`,
      );
    }
  });

  test('loads JSON files and refuses unparseable YAML with the file name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'emulator-world-'));
    writeFileSync(join(dir, 'w.json'), JSON.stringify(minimal()));
    assert.equal(loadWorldFile(join(dir, 'w.json')).organizationId, 'o-abcdefghij');
    writeFileSync(join(dir, 'w.yaml'), 'organization: [unclosed');
    assert.throws(
      () => loadWorldFile(join(dir, 'w.yaml')),
      (e: Error) => e instanceof WorldError && e.message.includes('w.yaml: cannot parse'),
    );
  });
});
