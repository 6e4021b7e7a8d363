import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DomainError, exportDirectory, importDirectory, type Actor, type ImportOptions } from '../core/index.js';
import { enginesUnderTest, uniq } from './contract-harness.js';
import type { Store } from './index.js';

/** Import/export contract (issue 2: all or nothing, every bad row with its line), on both engines. */
const actor: Actor = { kind: 'cli', id: 'import-test' };

async function importFails(store: Store, input: string | Uint8Array, options: ImportOptions): Promise<DomainError> {
  const seq = await store.outbox.latestSeq();
  const users = (await store.directory.listUsers({})).total;
  const groups = (await store.directory.listGroups({})).total;
  try {
    await importDirectory(store.directory, actor, input, options);
  } catch (e) {
    assert.ok(e instanceof DomainError, String(e));
    assert.equal(await store.outbox.latestSeq(), seq, 'no event written');
    assert.equal((await store.directory.listUsers({})).total, users, 'no user written');
    assert.equal((await store.directory.listGroups({})).total, groups, 'no group written');
    return e;
  }
  assert.fail('expected the import to be rejected');
}

for (const engine of await enginesUnderTest()) {
  describe(`import and export on ${engine.name}`, { skip: engine.skip }, () => {
    let store: Store;
    before(async () => {
      store = await engine.open();
    });
    after(async () => {
      if (store) await engine.dispose(store);
    });

    test('imports a groups CSV with nested parents and a users CSV with memberships, then re-import changes nothing', async () => {
      const p = uniq('imp');
      const groupsCsv = `displayName,description,parentGroups,attr.costCentre\n${p}-all,Everyone,,100\n${p}-eng,Engineers,${p}-all,200\n"${p}-ops",,"${p}-all;${p}-eng",\n`;
      const g = await importDirectory(store.directory, actor, groupsCsv, { format: 'groups-csv' });
      assert.deepEqual(g.groups, { created: 3, updated: 0, unchanged: 0 });
      assert.equal(g.membershipsAdded, 3);

      const usersCsv = `\uFEFFuserName,givenName,familyName,email,status,groups,attr.title\n${p}-ada,Ada,Lovelace,${p}-ada@example.com,,${p}-ops,Engineer\n${p}-bob,Bob,,,suspended,,\n`;
      const u = await importDirectory(store.directory, actor, Buffer.from(usersCsv), { format: 'csv' });
      assert.deepEqual(u.users, { created: 2, updated: 0, unchanged: 0 });
      assert.equal(u.membershipsAdded, 1);

      const ada = await store.directory.findUserByUserName(`${p}-ADA`);
      assert.ok(ada);
      assert.deepEqual(ada.emails, [{ value: `${p}-ada@example.com`, primary: true }]);
      assert.deepEqual(ada.attributes, { title: 'Engineer' });
      assert.equal((await store.directory.findUserByUserName(`${p}-bob`))?.status, 'suspended');
      const effective = (await store.directory.effectiveGroupsOfUser(ada.id)).map((x) => x.displayName).sort();
      assert.deepEqual(effective, [`${p}-all`, `${p}-eng`, `${p}-ops`]);
      assert.equal((await store.directory.findGroupByDisplayName(`${p}-eng`))?.attributes['costCentre'], '200');

      const seq = await store.outbox.latestSeq();
      const again = await importDirectory(store.directory, actor, usersCsv, { format: 'users-csv' });
      assert.deepEqual(again.users, { created: 0, updated: 0, unchanged: 2 });
      assert.equal(again.membershipsAdded, 0);
      assert.equal(await store.outbox.latestSeq(), seq, 'an unchanged import writes no events');

      const upd = await importDirectory(
        store.directory,
        actor,
        `userName,familyName,status\n${p}-bob,Builder,active\n`,
        { format: 'users-csv' },
      );
      assert.deepEqual(upd.users, { created: 0, updated: 1, unchanged: 0 });
      const bob = await store.directory.findUserByUserName(`${p}-bob`);
      assert.equal(bob?.familyName, 'Builder');
      assert.equal(bob?.givenName, 'Bob', 'columns absent from the file are left alone');
      assert.equal(bob?.status, 'active');
    });

    test('reports every bad row of a users CSV with its line number and imports nothing', async () => {
      const p = uniq('bad');
      const csv = [
        'userName,email,status,groups',
        `${p}-ok,ok@example.com,active,`,
        ',missing@example.com,active,',
        `${p}-mail,not-an-email,active,`,
        `${p}-status,,retired,`,
        `${p}-OK,,,`,
        `${p}-group,,,no such group ${p}`,
        `${p}-cells,,`,
        `"${p}-multi`,
        `line",,,`,
        `${p}-ctl\u0007,,,`,
      ].join('\n');
      const e = await importFails(store, csv, { format: 'users-csv' });
      assert.equal(e.code, 'invalid_input');
      assert.match(e.message, /problems on 8 lines; nothing was imported/);
      assert.deepEqual(
        e.problems.map((x) => x.at),
        ['line 3', 'line 4', 'line 5', 'line 6', 'line 7', 'line 8', 'line 9', 'line 11'],
      );
      const byLine = new Map(e.problems.map((x) => [x.at, x.message]));
      assert.match(byLine.get('line 3') ?? '', /userName: must not be empty/);
      assert.match(byLine.get('line 4') ?? '', /emails\[0\]\.value: must be an email address/);
      assert.match(byLine.get('line 5') ?? '', /status: must be active or suspended/);
      assert.match(byLine.get('line 6') ?? '', /already appears on line 2/);
      assert.match(byLine.get('line 7') ?? '', /does not exist/);
      assert.match(byLine.get('line 8') ?? '', /has 3 cells but the header has 4/);
      assert.match(byLine.get('line 9') ?? '', /userName: must not contain control characters/);
      assert.match(byLine.get('line 11') ?? '', /userName: must not contain control characters/);
      assert.equal(await store.directory.findUserByUserName(`${p}-ok`), null);
    });

    test('rejects missing required columns, unknown columns and duplicate columns on line 1', async () => {
      const missing = await importFails(store, 'givenName,email\nAda,a@example.com\n', { format: 'users-csv' });
      assert.deepEqual(missing.problems, [{ at: 'line 1', message: 'required column userName is missing' }]);
      const unknown = await importFails(store, 'userName,password,role\nada,x,y\n', { format: 'users-csv' });
      assert.match(unknown.problems[0]?.message ?? '', /unknown columns password, role/);
      const dup = await importFails(store, 'displayName,description,Description\ng,a,b\n', { format: 'groups-csv' });
      assert.match(dup.problems[0]?.message ?? '', /column description appears twice/);
      const neither = await importFails(store, 'name\nx\n', { format: 'csv' });
      assert.match(neither.problems[0]?.message ?? '', /needs a userName column/);
    });

    test('rejects a file that is not UTF-8 and imports nothing', async () => {
      const bytes = Buffer.concat([
        Buffer.from(`userName,givenName\n${uniq('enc')},Jos`),
        Buffer.from([0xe9]),
        Buffer.from('\n'),
      ]);
      const e = await importFails(store, bytes, { format: 'users-csv' });
      assert.deepEqual(
        e.problems.map((x) => x.at),
        ['line 2'],
      );
    });

    test('imports JSON users and groups, and reports bad JSON entries by line', async () => {
      const p = uniq('json');
      const good = JSON.stringify(
        {
          groups: [{ displayName: `${p}-g`, parentGroups: [] }],
          users: [
            {
              userName: `${p}-u`,
              emails: [{ value: 'u@example.com', type: 'work' }],
              attributes: { tags: ['a', 'b'] },
              groups: [`${p}-g`],
            },
          ],
        },
        null,
        2,
      );
      const r = await importDirectory(store.directory, actor, good, { format: 'json' });
      assert.equal(r.users.created, 1);
      assert.equal(r.groups.created, 1);
      assert.equal(r.membershipsAdded, 1);
      assert.deepEqual((await store.directory.findUserByUserName(`${p}-u`))?.attributes, { tags: ['a', 'b'] });

      const bad = `{\n  "users": [\n    { "userName": "${p}-x", "id": "123" },\n    { "userName": "" },\n    { "userName": "${p}-y", "groups": "not-a-list" }\n  ],\n  "extra": 1\n}`;
      const e = await importFails(store, bad, { format: 'json' });
      assert.deepEqual(
        e.problems.map((x) => x.at),
        ['line 1', 'line 3', 'line 4', 'line 5'],
      );
      assert.match(e.problems[1]?.message ?? '', /users\[0\]\.id: is not a known field/);
      assert.match(e.problems[2]?.message ?? '', /users\[1\]\.userName: must not be empty/);
      assert.match(e.problems[3]?.message ?? '', /users\[2\]\.groups: must be a list/);
    });

    test('aborts the whole import when applying a row would close a membership cycle', async () => {
      const p = uniq('cyc');
      await importDirectory(store.directory, actor, `displayName,parentGroups\n${p}-a,\n${p}-b,${p}-a\n`, {
        format: 'groups-csv',
      });
      const e = await importFails(store, `displayName,parentGroups\n${p}-new,\n${p}-a,${p}-b\n`, {
        format: 'groups-csv',
      });
      assert.equal(e.code, 'membership_cycle');
      assert.deepEqual(
        e.problems.map((x) => x.at),
        ['line 3'],
      );
      assert.equal(await store.directory.findGroupByDisplayName(`${p}-new`), null);
    });

    test('a dry run reports what would change and writes nothing', async () => {
      const p = uniq('dry');
      const seq = await store.outbox.latestSeq();
      const r = await importDirectory(store.directory, actor, `userName\n${p}-1\n${p}-2\n`, {
        format: 'users-csv',
        dryRun: true,
      });
      assert.equal(r.dryRun, true);
      assert.equal(r.users.created, 2);
      assert.equal(await store.directory.findUserByUserName(`${p}-1`), null);
      assert.equal(await store.outbox.latestSeq(), seq);
    });

    test('a JSON export imported into an empty directory reproduces the same export exactly', async () => {
      const fresh = await engine.open();
      try {
        const out = await exportDirectory(store.directory, 'json');
        await importDirectory(fresh.directory, actor, out, { format: 'json' });
        assert.equal(await exportDirectory(fresh.directory, 'json'), out);
        const again = await importDirectory(fresh.directory, actor, out, { format: 'json' });
        assert.equal(
          again.users.created +
            again.users.updated +
            again.groups.created +
            again.groups.updated +
            again.membershipsAdded,
          0,
        );
      } finally {
        await engine.dispose(fresh);
      }
    });

    test('CSV exports imported into an empty directory reproduce the same CSV exports', async () => {
      const fresh = await engine.open();
      try {
        const groups = await exportDirectory(store.directory, 'groups-csv');
        const users = await exportDirectory(store.directory, 'users-csv');
        assert.match(groups, /^displayName,description,externalId,parentGroups,attr\.costCentre\n/);
        await importDirectory(fresh.directory, actor, groups, { format: 'csv' });
        await importDirectory(fresh.directory, actor, users, { format: 'csv' });
        assert.equal(await exportDirectory(fresh.directory, 'groups-csv'), groups);
        assert.equal(await exportDirectory(fresh.directory, 'users-csv'), users);
      } finally {
        await engine.dispose(fresh);
      }
    });
  });
}
