import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAccessFiles } from './parse-file.js';
import { selectAccounts, type OrgSnapshot } from './org.js';

const parse = (text: string, files: Record<string, string> = {}) =>
  parseAccessFiles([{ path: 'access.yaml', text }], (_from, rel) => files[rel] ?? null);
const problems = (text: string, files?: Record<string, string>) =>
  parse(text, files).findings.map((f) => `${f.at?.line}:${f.at?.column} ${f.severity} ${f.rule}`);

const BASE = `version: 1
accounts:
  prod:
    ou: /Workloads/Prod
permissions:
  Admin:
    managed: [AdministratorAccess]
grants:
  - group: Ops
    permission: Admin
    accounts: prod
`;

test('a valid file gives a model with defaults (installation keyway, identity-center, OrganizationAccountAccessRole)', () => {
  const r = parse(BASE);
  assert.deepEqual(r.findings, []);
  assert.deepEqual(r.model?.settings, {
    installation: 'keyway',
    delivery: 'identity-center',
    memberRole: 'OrganizationAccountAccessRole',
    rolePath: '/keyway/',
  });
  assert.equal(r.model?.permissions.get('Admin')?.sessionDuration, 'PT1H');
});

test('every mistake is named with its line, column and rule', () => {
  assert.deepEqual(problems(BASE.replace('permission: Admin', 'permission: Admn')), ['10:17 error unknown-permission']);
  assert.deepEqual(problems(BASE.replace('accounts: prod', 'accounts: prd')), ['11:15 error unknown-selector']);
  assert.deepEqual(problems(BASE.replace('  Admin:', '  ThisPermissionNameIsFarTooLongForAWS:')), [
    '6:3 error schema.pattern',
  ]);
  assert.match(
    parse(BASE.replace('  Admin:', '  ThisPermissionNameIsFarTooLongForAWS:')).findings[0]?.message ?? '',
    /the name "ThisPermissionNameIsFarTooLongForAWS" must match pattern/,
  );
  assert.deepEqual(problems(BASE.replace('version: 1', 'version: 2')), ['1:10 error schema.const']);
  assert.deepEqual(problems(`${BASE}    colour: red\n`), ['12:5 error schema.additionalProperties']);
  assert.deepEqual(problems(BASE.replace('    managed: [AdministratorAccess]', '    sessionDuration: PT13H')), [
    '7:22 error session-duration',
  ]);
  assert.deepEqual(problems(`${BASE}    until: 2027-02-30\n`), ['12:12 error invalid-until']);
  assert.deepEqual(problems(`${BASE}  - group: ops\n    permission: Admin\n    accounts: prod\n`), [
    '12:5 error grant-collision',
  ]);
  assert.deepEqual(problems('version: 1\naccounts:\n  a:\n    id: 111111111111\n'), ['4:9 error schema.type']);
  assert.match(
    parse('version: 1\naccounts:\n  a:\n    id: 111111111111\n').findings[0]?.message ?? '',
    /quote account ids/,
  );
  assert.match(problems('version: 1\n  bad: [indent\n')[0] ?? '', /^1:10 error yaml$/);
  assert.deepEqual(problems('version: 1\nversion: 1\n'), ['2:1 error yaml']);
});

test('an inline policy comes inline or from a file, and is checked for shape and AWS size limits', () => {
  const withFile = BASE.replace('    managed: [AdministratorAccess]', '    inline: p.json');
  const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] };
  assert.deepEqual(parse(withFile, { 'p.json': JSON.stringify(doc) }).model?.permissions.get('Admin')?.inline, doc);
  assert.deepEqual(problems(withFile), ['7:13 error policy-file']);
  assert.deepEqual(problems(withFile, { 'p.json': '{"Version": ' }), ['7:13 error policy-file']);
  assert.deepEqual(problems(withFile, { 'p.json': '{"Version": "2012-10-17"}' }), ['7:13 error invalid-policy']);
  const big = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'x'.repeat(10_300) }],
  };
  assert.deepEqual(problems(withFile, { 'p.json': JSON.stringify(big) }), ['7:13 error policy-too-large']);
});

test('selectors: OU direct or recursive, name patterns, tags, ids and exclusions; inactive accounts never match', () => {
  const org: OrgSnapshot = {
    managementAccountId: '111111111111',
    accounts: [
      { id: '111111111111', name: 'Management', status: 'ACTIVE', ouPath: [], tags: {} },
      { id: '222222222222', name: 'Prod-EU', status: 'ACTIVE', ouPath: ['Workloads', 'Prod'], tags: { env: 'prod' } },
      { id: '333333333333', name: 'Dev', status: 'ACTIVE', ouPath: ['Workloads'], tags: { env: 'dev' } },
      {
        id: '444444444444',
        name: 'Prod-US',
        status: 'SUSPENDED',
        ouPath: ['Workloads', 'Prod'],
        tags: { env: 'prod' },
      },
    ],
  };
  const at = { file: 'f', line: 1, column: 1 };
  const ids = (s: Parameters<typeof selectAccounts>[0]) => selectAccounts(s, org).map((a) => a.id);
  assert.deepEqual(ids([{ ou: { path: ['Workloads'], recursive: false }, at }]), ['333333333333']);
  assert.deepEqual(ids([{ ou: { path: ['workloads'], recursive: true }, at }]), ['222222222222', '333333333333']);
  assert.deepEqual(ids([{ name: 'prod-*', at }]), ['222222222222']);
  assert.deepEqual(ids([{ tags: { env: 'dev' }, at }]), ['333333333333']);
  assert.deepEqual(ids([{ all: true, exclude: [{ ids: ['111111111111'], at }], at }]), [
    '222222222222',
    '333333333333',
  ]);
});
