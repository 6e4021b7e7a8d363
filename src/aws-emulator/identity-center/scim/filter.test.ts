import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eqClauses, parseFilter, MAX_FILTER_CLAUSES } from './filter.js';
import { parsePatchPath } from './patch-path.js';
import { ScimError } from './errors.js';

const rejects = (fn: () => unknown, detail: RegExp): void => {
  assert.throws(
    fn,
    (e: unknown) => e instanceof ScimError && e.code === 'ValidationException' && detail.test(e.detail),
  );
};

test('parses the RFC 7644 §3.4.2.2 grammar: precedence of and over or, not, grouping, value paths, pr', () => {
  assert.deepEqual(parseFilter('a eq "1" or b eq "2" and c eq "3"'), {
    kind: 'or',
    left: { kind: 'compare', path: 'a', op: 'eq', value: '1' },
    right: {
      kind: 'and',
      left: { kind: 'compare', path: 'b', op: 'eq', value: '2' },
      right: { kind: 'compare', path: 'c', op: 'eq', value: '3' },
    },
  });
  assert.equal(parseFilter('not (title pr)').kind, 'not');
  assert.equal(parseFilter('emails[type eq "work" and value co "@x"]').kind, 'valuePath');
  assert.deepEqual(parseFilter('active EQ TRUE'), { kind: 'compare', path: 'active', op: 'eq', value: true });
  assert.deepEqual(parseFilter('userName eq "a \\"quoted\\" \\u0041"'), {
    kind: 'compare',
    path: 'userName',
    op: 'eq',
    value: 'a "quoted" A',
  });
  assert.deepEqual(parseFilter('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager eq "m"'), {
    kind: 'compare',
    path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager',
    op: 'eq',
    value: 'm',
  });
});

test("narrows to Identity Center's dialect: eq joined by and, string values only (SCIMDG limitations)", () => {
  assert.deepEqual(eqClauses(parseFilter('id eq "1" and members eq "2"')), [
    { path: 'id', value: '1' },
    { path: 'members', value: '2' },
  ]);
  rejects(() => eqClauses(parseFilter('a eq "1" or b eq "2"')), /"or" is not supported/);
  rejects(() => eqClauses(parseFilter('a sw "1"')), /"sw" is not supported/);
  rejects(() => eqClauses(parseFilter('a pr')), /"pr" is not supported/);
  rejects(() => eqClauses(parseFilter('not (a eq "1")')), /"not" is not supported/);
  rejects(() => eqClauses(parseFilter('a[b eq "1"]')), /value paths/);
  rejects(() => eqClauses(parseFilter('a eq true')), /strings/);
});

test('refuses malformed filters without echoing them, and enforces length, depth and clause limits while parsing', () => {
  for (const bad of [
    '',
    'userName',
    'userName eq',
    'userName zz "a"',
    'userName eq "a',
    '(userName eq "a"',
    'userName eq "a")',
    'a eq "1" and',
    '"a" eq "b"',
    'a eq "1" ; drop',
    'a[b eq "1"',
    '1abc eq "x"',
  ]) {
    assert.throws(
      () => parseFilter(bad),
      (e: unknown) => e instanceof ScimError && e.status === 400 && !e.detail.includes(bad || '\u0000'),
      bad,
    );
  }
  rejects(() => parseFilter(`a eq "${'x'.repeat(1100)}"`), /exceeds 1024/);
  rejects(() => parseFilter(`${'('.repeat(10)}a eq "1"${')'.repeat(10)}`), /deeper than 8/);
  rejects(
    () => parseFilter(Array.from({ length: MAX_FILTER_CLAUSES + 1 }, (_, i) => `a${i} eq "1"`).join(' and ')),
    /more than 16 clauses/,
  );
});

test("resolves PATCH paths only against the schema's names, case-insensitively, and refuses prototype names", () => {
  const names = ['userName', 'name', 'emails', 'active'];
  assert.deepEqual(parsePatchPath('USERNAME', names, 'User'), { attr: 'userName' });
  assert.deepEqual(parsePatchPath('name.givenName', names, 'User'), { attr: 'name', sub: 'givenName' });
  assert.deepEqual(parsePatchPath('urn:ietf:params:scim:schemas:core:2.0:User:name.familyName', names, 'User'), {
    attr: 'name',
    sub: 'familyName',
  });
  assert.deepEqual(parsePatchPath('emails[type eq "work"].value', names, 'User'), {
    attr: 'emails',
    sub: 'value',
    filter: [{ path: 'type', value: 'work' }],
  });
  assert.deepEqual(
    parsePatchPath('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value', names, 'User'),
    {
      attr: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
      sub: 'manager.value',
    },
  );
  for (const bad of [
    '__proto__',
    'name.__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    'emails[type eq "w"].__proto__',
    'x y',
    'emails[type eq "w"]junk',
    '',
  ]) {
    assert.throws(() => parsePatchPath(bad, names, 'User'), ScimError, bad);
  }
});
