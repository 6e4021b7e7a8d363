import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { migrations } from './index.js';

/** Conventions every migration keeps (docs/contributing.md, habit 10), checked for every module's migrations. */
const here = dirname(fileURLToPath(import.meta.url));

test('migration ids are unique, NNNN-kebab-case, listed in ascending order, each with a reason', () => {
  const ids = migrations.map((m) => m.id);
  assert.equal(new Set(ids).size, ids.length, 'ids are unique');
  for (const m of migrations) {
    assert.match(m.id, /^\d{4}-[a-z0-9]+(-[a-z0-9]+)*$/, m.id);
    assert.ok(m.why.trim().length > 10, `${m.id} says why it exists`);
  }
  assert.deepEqual(ids, [...ids].sort(), 'the registry lists migrations in id order');
});

test('every migration file starts with a line saying why it exists, and is registered', () => {
  const files = readdirSync(here).filter((f) => /^\d{4}-.*\.ts$/.test(f) && !f.endsWith('.test.ts'));
  for (const f of files) {
    assert.match(
      readFileSync(join(here, f), 'utf8').split('\n')[0] ?? '',
      /^\/\/ Why: \S/,
      `${f} starts with "// Why: …"`,
    );
    assert.ok(
      migrations.some((m) => m.id === f.replace(/\.ts$/, '')),
      `${f} is in the registry under its file name`,
    );
  }
  assert.equal(files.length, migrations.length, 'every registered migration has its own file');
});
