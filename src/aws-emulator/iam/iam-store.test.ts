import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsServiceError } from '../http/contract.js';
import { createMemoryStateStore } from '../state/state-store.js';
import { IamStore, QUOTAS } from './iam-store.js';

const ACCOUNT = '111111111111';
const trust = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }],
});

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof AwsServiceError, String(e));
    return `${e.code} ${e.status}`;
  }
  assert.fail('no error');
}

const newStore = () => new IamStore(createMemoryStateStore(), () => Date.UTC(2024, 0, 1));
const role = (name: string) => ({
  name,
  path: '/',
  assumeRolePolicyDocument: trust,
  maxSessionDuration: 3600,
  tags: [],
});

test('enforces 1000 roles per account with LimitExceeded 409, per account (IAM quotas)', () => {
  const iam = newStore();
  for (let i = 0; i < QUOTAS.rolesPerAccount; i++) iam.createRole(ACCOUNT, role(`r${i}`));
  assert.equal(
    code(() => iam.createRole(ACCOUNT, role('one-too-many'))),
    'LimitExceeded 409',
  );
  iam.createRole('222222222222', role('elsewhere'));
});

test('enforces 10 managed policies per role and 50 tags per role', () => {
  const iam = newStore();
  iam.createRole(ACCOUNT, role('R'));
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
  });
  for (let i = 0; i < QUOTAS.managedPoliciesPerRole; i++) {
    const p = iam.createPolicy(ACCOUNT, { name: `p${i}`, path: '/', document: policy, tags: [] });
    iam.attachRolePolicy(ACCOUNT, 'R', p.arn);
  }
  assert.equal(
    code(() => iam.attachRolePolicy(ACCOUNT, 'R', 'arn:aws:iam::aws:policy/ReadOnlyAccess')),
    'LimitExceeded 409',
  );
  iam.attachRolePolicy(ACCOUNT, 'R', `arn:aws:iam::${ACCOUNT}:policy/p0`);
  const tags = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
  iam.tagRole(ACCOUNT, 'R', tags);
  assert.equal(
    code(() => iam.tagRole(ACCOUNT, 'R', [{ Key: 'k50', Value: 'v' }])),
    'LimitExceeded 409',
  );
  iam.tagRole(ACCOUNT, 'R', [{ Key: 'K0', Value: 'replaced' }]);
  assert.equal(iam.role(ACCOUNT, 'R').tags.length, 50);
});

test('enforces the 10240-character aggregate inline policy size per role', () => {
  const iam = newStore();
  iam.createRole(ACCOUNT, role('R'));
  const big = (n: number) =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${'b'.repeat(n)}` }],
    });
  iam.putRolePolicy(ACCOUNT, 'R', 'a', big(6000));
  assert.equal(
    code(() => iam.putRolePolicy(ACCOUNT, 'R', 'b', big(6000))),
    'LimitExceeded 409',
  );
  iam.putRolePolicy(ACCOUNT, 'R', 'a', big(9000));
  assert.deepEqual(
    iam.role(ACCOUNT, 'R').inlinePolicies.map((p) => p.name),
    ['a'],
  );
});

test('IamWriter.putRole replaces a role wholesale, keeps its id, and writes nothing when a policy ARN is unknown', () => {
  const iam = newStore();
  const spec = {
    name: 'AWSReservedSSO_Ops_0123456789abcdef',
    path: '/aws-reserved/sso.amazonaws.com/',
    assumeRolePolicyDocument: trust,
    maxSessionDuration: 43200,
    inlinePolicies: {},
    managedPolicyArns: [],
    protected: true,
  };
  const first = iam.putRole(ACCOUNT, spec);
  const second = iam.putRole(ACCOUNT, {
    ...spec,
    maxSessionDuration: 3600,
    managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
  });
  assert.equal(second.roleId, first.roleId);
  assert.equal(iam.role(ACCOUNT, spec.name).maxSessionDuration, 3600);
  assert.equal(
    code(() => iam.putRole(ACCOUNT, { ...spec, name: 'Other', managedPolicyArns: ['arn:aws:iam::aws:policy/Nope'] })),
    'NoSuchEntity 404',
  );
  assert.equal(iam.getRole(ACCOUNT, 'Other'), undefined);
  assert.equal(iam.getRoleByArn(first.arn)?.protected, true);
  assert.equal(
    iam.getRoleByArn(`arn:aws:iam::${ACCOUNT}:role/${spec.name}`),
    undefined,
    'the ARN must carry the role path',
  );
  assert.deepEqual(
    iam.listRoles(ACCOUNT).map((r) => r.name),
    [spec.name],
  );
});
