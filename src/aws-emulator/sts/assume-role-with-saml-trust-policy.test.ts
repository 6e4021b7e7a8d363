import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trustPolicyAllows, type TrustRequest } from './assume-role-with-saml-trust-policy.js';

const PROVIDER = 'arn:aws:iam::333333333333:saml-provider/KeywayIdP';
const ctx = (entries: Record<string, string[]>) =>
  new Map(Object.entries(entries).map(([k, v]) => [k.toLowerCase(), v]));
const request = (context: Record<string, string[]>, action = 'sts:AssumeRoleWithSAML'): TrustRequest => ({
  action,
  federatedPrincipal: PROVIDER,
  context: ctx(context),
});
const policy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const allow = (extra: object = {}) => ({
  Effect: 'Allow',
  Principal: { Federated: PROVIDER },
  Action: 'sts:AssumeRoleWithSAML',
  ...extra,
});
const AUD = { 'saml:aud': ['https://signin.aws.amazon.com/saml'] };

test('allows the documented SAML trust policy when SAML:aud matches (IAMUG id_roles_create_for-idp_saml)', () => {
  const doc = policy(allow({ Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } } }));
  assert.equal(trustPolicyAllows(doc, request(AUD)), true);
  assert.equal(
    trustPolicyAllows(doc, request({ 'saml:aud': ['https://eu-west-1.signin.aws.amazon.com/saml'] })),
    false,
  );
});

test('condition key names are case-insensitive, values case-sensitive except with …IgnoreCase', () => {
  assert.equal(
    trustPolicyAllows(
      policy(allow({ Condition: { StringEquals: { 'SAML:SUB': 'Alice' } } })),
      request({ 'saml:sub': ['alice'] }),
    ),
    false,
  );
  assert.equal(
    trustPolicyAllows(
      policy(allow({ Condition: { StringEqualsIgnoreCase: { 'SAML:SUB': 'Alice' } } })),
      request({ 'saml:sub': ['alice'] }),
    ),
    true,
  );
});

test('another principal, or another action, is not allowed', () => {
  const doc = policy({ ...allow(), Principal: { Federated: 'arn:aws:iam::333333333333:saml-provider/Other' } });
  assert.equal(trustPolicyAllows(doc, request(AUD)), false);
  assert.equal(trustPolicyAllows(policy(allow()), request(AUD, 'sts:TagSession')), false);
  assert.equal(
    trustPolicyAllows(
      policy(allow({ Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'] })),
      request(AUD, 'sts:TagSession'),
    ),
    true,
  );
  assert.equal(trustPolicyAllows(policy(allow({ Action: 'sts:*' })), request(AUD, 'sts:SetSourceIdentity')), true);
});

test('an explicit Deny wins over an Allow', () => {
  const doc = policy(allow(), {
    Effect: 'Deny',
    Principal: { Federated: PROVIDER },
    Action: 'sts:AssumeRoleWithSAML',
    Condition: { StringLike: { 'saml:sub': '*@contractor.example' } },
  });
  assert.equal(trustPolicyAllows(doc, request({ 'saml:sub': ['alice@example.com'] })), true);
  assert.equal(trustPolicyAllows(doc, request({ 'saml:sub': ['bob@contractor.example'] })), false);
});

test('ForAnyValue and ForAllValues on multi-valued keys', () => {
  const any = policy(
    allow({ Condition: { 'ForAnyValue:StringEquals': { 'saml:edupersonaffiliation': ['staff', 'faculty'] } } }),
  );
  assert.equal(trustPolicyAllows(any, request({ 'saml:edupersonaffiliation': ['student', 'staff'] })), true);
  assert.equal(trustPolicyAllows(any, request({ 'saml:edupersonaffiliation': ['student'] })), false);
  assert.equal(trustPolicyAllows(any, request({})), false, 'ForAnyValue with the key absent is false');
  const all = policy(allow({ Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['Project', 'Team'] } } }));
  assert.equal(trustPolicyAllows(all, request({ 'aws:tagkeys': ['Project'] })), true);
  assert.equal(trustPolicyAllows(all, request({ 'aws:tagkeys': ['Project', 'CostCenter'] })), false);
});

test('an absent key fails StringEquals, satisfies StringNotEquals and …IfExists, and Null tests presence', () => {
  assert.equal(
    trustPolicyAllows(policy(allow({ Condition: { StringEquals: { 'saml:cn': 'x' } } })), request({})),
    false,
  );
  assert.equal(
    trustPolicyAllows(policy(allow({ Condition: { StringNotEquals: { 'saml:cn': 'x' } } })), request({})),
    true,
  );
  assert.equal(
    trustPolicyAllows(policy(allow({ Condition: { StringEqualsIfExists: { 'saml:cn': 'x' } } })), request({})),
    true,
  );
  assert.equal(
    trustPolicyAllows(policy(allow({ Condition: { Null: { 'sts:SourceIdentity': 'false' } } })), request({})),
    false,
  );
  assert.equal(
    trustPolicyAllows(
      policy(allow({ Condition: { Null: { 'sts:SourceIdentity': 'false' } } })),
      request({ 'sts:sourceidentity': ['alice'] }),
    ),
    true,
  );
});

test('an operator the evaluator does not understand never grants, and makes a Deny apply', () => {
  assert.equal(
    trustPolicyAllows(
      policy(allow({ Condition: { NumericLessThan: { 'saml:cn': '5' } } })),
      request({ 'saml:cn': ['1'] }),
    ),
    false,
  );
  const deny = {
    Effect: 'Deny',
    Principal: '*',
    Action: '*',
    Condition: { DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } },
  };
  assert.equal(trustPolicyAllows(policy(allow(), deny), request(AUD)), false);
});

test('a document that is not JSON, or has no statements, allows nothing', () => {
  assert.equal(trustPolicyAllows('{oops', request(AUD)), false);
  assert.equal(trustPolicyAllows('{"Version":"2012-10-17"}', request(AUD)), false);
});
