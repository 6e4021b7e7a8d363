import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Group, User } from '../directory/types.js';
import { DomainError } from '../errors.js';
import {
  AWS_ATTR,
  buildAwsAssertionContent,
  compareRoles,
  defaultAwsIamAppConfig,
  explain,
  findAccount,
  parseAwsIamAppConfig,
  resolveRoles,
  roleValues,
  validateNewBinding,
  type AwsAccount,
  type RoleBinding,
} from './index.js';

const user = (over: Partial<User> = {}): User => ({
  id: 'u-1',
  userName: 'alice',
  givenName: 'Alice',
  familyName: 'Ng',
  displayName: 'Alice Ng',
  emails: [{ value: 'alice@example.com', primary: true }],
  externalId: null,
  status: 'active',
  attributes: { department: 'Platform', teams: ['a', 'b'] },
  createdAt: '',
  updatedAt: '',
  version: 1,
  ...over,
});
const group = (id: string, displayName: string): Group => ({
  id,
  displayName,
  description: null,
  externalId: null,
  attributes: {},
  createdAt: '',
  updatedAt: '',
  version: 1,
});
const binding = (id: string, groupId: string, accountId: string, roleName: string, rolePath = '/'): RoleBinding => ({
  id,
  groupId,
  accountId,
  roleName,
  rolePath,
  createdAt: '',
});
const accounts: AwsAccount[] = [
  { id: '111111111111', name: 'dev', createdAt: '', updatedAt: '' },
  { id: '222222222222', name: 'prod', createdAt: '', updatedAt: '' },
];
const config = defaultAwsIamAppConfig();

const rejects = (fn: () => unknown, pattern: RegExp): void => {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DomainError, 'a DomainError');
    assert.equal(e.code, 'invalid_input');
    assert.match(e.message, pattern);
    return true;
  });
};

test('one Role value per reachable role, "role-arn,provider-arn", deduplicated and ordered by account then role (IAM User Guide, "Configure SAML assertions for the authentication response")', () => {
  const bindings = [
    binding('b3', 'g-ops', '222222222222', 'Admin'),
    binding('b1', 'g-dev', '111111111111', 'ReadOnly'),
    binding('b2', 'g-nested', '111111111111', 'readonly'),
    binding('b4', 'g-dev', '111111111111', 'Deploy', '/teams/'),
    binding('b5', 'g-other', '222222222222', 'Billing'),
  ];
  // g-nested reaches the user only through nesting: resolution works on effective groups.
  const roles = resolveRoles(['g-dev', 'g-nested', 'g-ops'], bindings, config);
  assert.deepEqual(
    roles.map((r) => r.value),
    [
      'arn:aws:iam::111111111111:role/ReadOnly,arn:aws:iam::111111111111:saml-provider/Keyway',
      'arn:aws:iam::111111111111:role/teams/Deploy,arn:aws:iam::111111111111:saml-provider/Keyway',
      'arn:aws:iam::222222222222:role/Admin,arn:aws:iam::222222222222:saml-provider/Keyway',
    ],
  );
  assert.deepEqual(roles[0]!.bindingIds, ['b1', 'b2']);
  assert.deepEqual(roles[0]!.groupIds, ['g-dev', 'g-nested']);
});

test('roles come in the order of compareRoles whatever order the bindings are read in: account, then path + name', () => {
  const bindings = [
    binding('1', 'g', '222222222222', 'b'),
    binding('2', 'g', '111111111111', 'b'),
    binding('3', 'g', '111111111111', 'x', '/a/'),
    binding('4', 'g', '111111111111', 'C'),
    binding('5', 'g', '111111111111', 'a', '/z/'),
  ];
  const expected = [...bindings].sort(compareRoles).map((b) => `${b.accountId}${b.rolePath}${b.roleName}`);
  assert.deepEqual(expected, [
    '111111111111/C',
    '111111111111/a/x',
    '111111111111/b',
    '111111111111/z/a',
    '222222222222/b',
  ]);
  for (const order of [
    bindings,
    [...bindings].reverse(),
    [bindings[2]!, bindings[0]!, bindings[4]!, bindings[1]!, bindings[3]!],
  ]) {
    assert.deepEqual(
      resolveRoles(['g'], order, config).map((r) => `${r.accountId}${r.rolePath}${r.roleName}`),
      expected,
    );
  }
});

test('per-account SAML provider names are used in the provider ARN', () => {
  const c = parseAwsIamAppConfig({ samlProviderName: 'KeywayIdP', samlProviderNames: { '222222222222': 'Corp-SSO' } });
  const roles = resolveRoles(
    ['g'],
    [binding('a', 'g', '111111111111', 'R'), binding('b', 'g', '222222222222', 'R')],
    c,
  );
  assert.equal(roles[0]!.providerArn, 'arn:aws:iam::111111111111:saml-provider/KeywayIdP');
  assert.equal(roles[1]!.providerArn, 'arn:aws:iam::222222222222:saml-provider/Corp-SSO');
});

test('a user in no bound group gets no role, and the assertion is refused with a clear reason', () => {
  assert.deepEqual(resolveRoles(['g-x'], [binding('b', 'g-y', '111111111111', 'R')], config), []);
  assert.throws(
    () => buildAwsAssertionContent(user(), [], config),
    (e: unknown) => e instanceof DomainError && e.code === 'forbidden' && /none of their groups/.test(e.message),
  );
});

test('bindings validate role names and paths against IAM rules, naming the bad value (botocore iam roleNameType)', () => {
  rejects(
    () => validateNewBinding({ groupId: 'g', accountId: '111111111111', roleName: 'Read Only' }),
    /IAM role name "Read Only" must match/,
  );
  rejects(
    () => validateNewBinding({ groupId: 'g', accountId: '111111111111', roleName: 'x'.repeat(65) }),
    /IAM role name/,
  );
  rejects(
    () => validateNewBinding({ groupId: 'g', accountId: '11111111111', roleName: 'R' }),
    /AWS account id "11111111111" must be exactly 12 digits/,
  );
  rejects(
    () => validateNewBinding({ groupId: 'g', accountId: '111111111111', roleName: 'R', rolePath: 'teams' }),
    /IAM role path "teams"/,
  );
  rejects(
    () => validateNewBinding({ groupId: 'g', accountId: '111111111111', roleName: 'R', rolePath: '/a//b/' }),
    /IAM role path/,
  );
  rejects(
    () =>
      validateNewBinding({ groupId: 'g', accountId: '111111111111', roleName: 'x'.repeat(60), rolePath: '/teams/' }),
    /longer than 64/,
  );
  assert.deepEqual(validateNewBinding({ groupId: 'g', accountId: '111111111111', roleName: 'Dev+Ops=1,a.b@c-d_e' }), {
    groupId: 'g',
    accountId: '111111111111',
    roleName: 'Dev+Ops=1,a.b@c-d_e',
    rolePath: '/',
  });
});

test('app settings: defaults, and every bad value reported by name (IAM User Guide, "Configure SAML assertions for the authentication response"; IAM User Guide, "Pass session tags in AWS STS")', () => {
  const d = parseAwsIamAppConfig({});
  assert.equal(d.signInUrl, 'https://signin.aws.amazon.com/saml');
  assert.equal(d.audience, 'urn:amazon:webservices');
  assert.equal(d.nameIdFormat, 'persistent');
  assert.equal(d.roleSessionNameFrom, 'userName');
  rejects(
    () => parseAwsIamAppConfig({ sessionDuration: 899 }),
    /SessionDuration 899 must be an integer number of seconds from 900 to 43200/,
  );
  rejects(() => parseAwsIamAppConfig({ sessionDuration: 43201 }), /43201/);
  rejects(() => parseAwsIamAppConfig({ nameIdFormat: 'transient' }), /nameIdFormat "transient"/);
  rejects(() => parseAwsIamAppConfig({ samlProviderName: 'Key way' }), /SAML provider name "Key way"/);
  rejects(
    () => parseAwsIamAppConfig({ principalTags: [{ key: 'aws:team', from: 'userName' }] }),
    /must not begin with "aws:"/,
  );
  rejects(
    () => parseAwsIamAppConfig({ principalTags: [{ key: 'k'.repeat(129), from: 'userName' }] }),
    /1–128 characters/,
  );
  rejects(() => parseAwsIamAppConfig({ principalTags: [{ key: 'team#1', from: 'userName' }] }), /may only contain/);
  rejects(
    () =>
      parseAwsIamAppConfig({
        principalTags: [
          { key: 'Team', from: 'userName' },
          { key: 'team', from: 'email' },
        ],
      }),
    /listed twice/,
  );
  rejects(
    () =>
      parseAwsIamAppConfig({
        principalTags: Array.from({ length: 51 }, (_, i) => ({ key: `t${i}`, from: 'userName' })),
      }),
    /at most 50 session tags/,
  );
  rejects(() => parseAwsIamAppConfig({ roleSessionNameFrom: 'password' }), /roleSessionNameFrom "password"/);
  rejects(() => parseAwsIamAppConfig({ signInUrl: 'javascript:alert(1)' }), /signInUrl/);
  rejects(() => parseAwsIamAppConfig({ colour: 'blue' }), /unknown setting "colour"/);
  const both = (() => {
    try {
      parseAwsIamAppConfig({ sessionDuration: 1, nameIdFormat: 'x' });
    } catch (e) {
      return e as DomainError;
    }
    return null;
  })();
  assert.equal(both?.problems.length, 2, 'all problems reported at once');
});

test('the assertion content carries Role, RoleSessionName, SessionDuration, PrincipalTag and SourceIdentity (IAM User Guide, "Configure SAML assertions for the authentication response")', () => {
  const c = parseAwsIamAppConfig({
    sessionDuration: 7200,
    sourceIdentityFrom: 'userName',
    principalTags: [
      { key: 'Department', from: 'attributes.department' },
      { key: 'CostCenter', from: 'attributes.costCenter' },
    ],
  });
  const roles = resolveRoles(['g'], [binding('b', 'g', '111111111111', 'ReadOnly')], c);
  const content = buildAwsAssertionContent(user(), roles, c);
  const byName = new Map(content.attributes.map((a) => [a.name, a.values]));
  assert.deepEqual(byName.get(AWS_ATTR.role), [
    'arn:aws:iam::111111111111:role/ReadOnly,arn:aws:iam::111111111111:saml-provider/Keyway',
  ]);
  assert.deepEqual(byName.get(AWS_ATTR.roleSessionName), ['alice']);
  assert.deepEqual(byName.get(AWS_ATTR.sessionDuration), ['7200']);
  assert.deepEqual(byName.get(AWS_ATTR.sourceIdentity), ['alice']);
  assert.deepEqual(byName.get(`${AWS_ATTR.principalTagPrefix}Department`), ['Platform']);
  assert.equal(byName.has(`${AWS_ATTR.principalTagPrefix}CostCenter`), false, 'a missing attribute sends no tag');
  assert.equal(content.sendsTags, true);
  assert.equal(content.sendsSourceIdentity, true);
});

test('RoleSessionName, SourceIdentity and tag values are validated before anything is sent, naming the value (troubleshoot_saml)', () => {
  const roles = resolveRoles(['g'], [binding('b', 'g', '111111111111', 'ReadOnly')], config);
  rejects(
    () => buildAwsAssertionContent(user({ userName: 'alice smith' }), roles, config),
    /RoleSessionName \(from userName\) "alice smith" must match \[\\w\+=,\.@-\]\{2,64\}/,
  );
  rejects(
    () => buildAwsAssertionContent(user({ userName: 'a' }), roles, config),
    /RoleSessionName \(from userName\) "a"/,
  );
  const withEmail = parseAwsIamAppConfig({ roleSessionNameFrom: 'email', nameIdFormat: 'emailAddress' });
  const content = buildAwsAssertionContent(user(), roles, withEmail);
  assert.equal(content.attributes.find((a) => a.name === AWS_ATTR.roleSessionName)?.values[0], 'alice@example.com');
  rejects(() => buildAwsAssertionContent(user({ emails: [] }), roles, withEmail), /has no email/);
  const si = parseAwsIamAppConfig({ sourceIdentityFrom: 'attributes.si' });
  rejects(
    () => buildAwsAssertionContent(user({ attributes: { si: 'aws:me' } }), roles, si),
    /SourceIdentity \(from attributes.si\) "aws:me".*not begin with "aws:"/,
  );
  const tags = parseAwsIamAppConfig({ principalTags: [{ key: 'Team', from: 'attributes.team' }] });
  rejects(
    () => buildAwsAssertionContent(user({ attributes: { team: 'a<b>' } }), roles, tags),
    /PrincipalTag:Team \(from attributes.team\) "a<b>" may only contain/,
  );
  rejects(() => buildAwsAssertionContent(user({ attributes: { team: 'x'.repeat(257) } }), roles, tags), /at most 256/);
  rejects(() => buildAwsAssertionContent(user({ attributes: { team: ['a', 'b'] } }), roles, tags), /has 2 values/);
});

test('a suspended user gets no assertion', () => {
  const roles = resolveRoles(['g'], [binding('b', 'g', '111111111111', 'ReadOnly')], config);
  assert.throws(
    () => buildAwsAssertionContent(user({ status: 'suspended' }), roles, config),
    (e: unknown) => e instanceof DomainError && e.code === 'forbidden' && /suspended/.test(e.message),
  );
});

test('explain lists each received role with its groups and bindings, and why other roles are not received', () => {
  const groups = new Map([
    ['g-dev', group('g-dev', 'Developers')],
    ['g-be', group('g-be', 'Backend')],
    ['g-ops', group('g-ops', 'Operators')],
  ]);
  const bindings = [
    binding('b1', 'g-dev', '111111111111', 'ReadOnly'),
    binding('b2', 'g-be', '111111111111', 'ReadOnly'),
    binding('b3', 'g-ops', '222222222222', 'Admin'),
  ];
  const e = explain({
    user: user(),
    effectiveGroups: [groups.get('g-dev')!, groups.get('g-be')!],
    directGroupIds: new Set(['g-be']),
    allGroups: groups,
    bindings,
    accounts,
    config,
    ask: { accountId: '222222222222', roleName: 'Billing' },
  });
  assert.equal(e.received.length, 1);
  assert.equal(e.received[0]!.accountName, 'dev');
  assert.deepEqual(
    e.received[0]!.via.map((v) => `${v.groupName}/${v.bindingId}/${v.direct}`),
    ['Developers/b1/false', 'Backend/b2/true'],
  );
  assert.deepEqual(
    e.notReceived.map((r) => [r.roleName, r.reasons.map((x) => x.code)]),
    [
      ['Admin', ['not_in_group']],
      ['Billing', ['no_binding']],
    ],
  );
  const admin = e.notReceived[0]!.reasons[0]!;
  assert.ok(admin.code === 'not_in_group' && admin.groups[0]!.name === 'Operators');
  const s = explain({
    user: user({ status: 'suspended' }),
    effectiveGroups: [groups.get('g-dev')!],
    allGroups: groups,
    bindings,
    accounts,
    config,
  });
  assert.equal(s.received.length, 0);
  assert.ok(s.notReceived.every((r) => r.reasons.some((x) => x.code === 'user_suspended')));
  const bad = explain({
    user: user({ userName: 'bad name' }),
    effectiveGroups: [],
    allGroups: groups,
    bindings,
    accounts,
    config,
  });
  assert.match(bad.problems[0]!, /RoleSessionName \(from userName\) "bad name"/);
});

test('accounts are found by id or case-insensitive name; an unknown one lists the known accounts', () => {
  assert.equal(findAccount(accounts, 'PROD').id, '222222222222');
  assert.equal(findAccount(accounts, '111111111111').name, 'dev');
  assert.throws(
    () => findAccount(accounts, 'staging'),
    /unknown AWS account "staging"; known accounts: dev \(111111111111\), prod \(222222222222\)/,
  );
});

test('roleValues gives the same Role values, deduplication (case-insensitive per account) and order as resolveRoles', () => {
  const bs = [
    binding('a', 'g', '222222222222', 'Zed'),
    binding('b', 'g', '111111111111', 'beta', '/team/'),
    binding('c', 'g2', '111111111111', 'Alpha'),
    binding('d', 'g2', '111111111111', 'ALPHA'),
    binding('e', 'g', '111111111111', 'Alpha'),
    binding('f', 'g', '333333333333', 'Ops', '/x/y/'),
  ];
  const overrides = { ...config, samlProviderNames: { '333333333333': 'Other' } };
  for (const c of [config, overrides]) {
    assert.deepEqual(
      roleValues(bs, c),
      resolveRoles(['g', 'g2'], bs, c).map((r) => r.value),
    );
  }
  assert.deepEqual(
    roleValues(bs, overrides).at(-1),
    'arn:aws:iam::333333333333:role/x/y/Ops,arn:aws:iam::333333333333:saml-provider/Other',
  );
  assert.equal(roleValues(bs, config).length, 4);
  assert.deepEqual(roleValues([], config), []);
});
