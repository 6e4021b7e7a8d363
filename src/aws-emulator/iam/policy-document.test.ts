import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsServiceError } from '../http/contract.js';
import { policySize, validatePolicyDocument } from './policy-document.js';

const trust = (statement: Record<string, unknown>) => JSON.stringify({ Version: '2012-10-17', Statement: [statement] });

function malformed(document: string, kind: 'trust' | 'identity'): string {
  try {
    validatePolicyDocument(document, kind);
  } catch (e) {
    assert.ok(e instanceof AwsServiceError);
    assert.equal(e.code, 'MalformedPolicyDocument');
    return e.message;
  }
  assert.fail(`accepted: ${document}`);
}

test('accepts the SAML trust policy from the IAM User Guide (id_roles_create_for-idp_saml)', () => {
  validatePolicyDocument(
    JSON.stringify({
      Version: '2012-10-17',
      Statement: {
        Effect: 'Allow',
        Action: 'sts:AssumeRoleWithSAML',
        Principal: { Federated: 'arn:aws:iam::123456789012:saml-provider/PROVIDER-NAME' },
        Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } },
      },
    }),
    'trust',
  );
  validatePolicyDocument(
    trust({
      Effect: 'Allow',
      Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'],
      Principal: { Federated: 'arn:aws:iam::123456789012:saml-provider/P' },
    }),
    'trust',
  );
});

test('refuses trust policies without a principal, with a resource, with non-STS actions or unknown principal types', () => {
  assert.match(
    malformed(trust({ Effect: 'Allow', Action: 'sts:AssumeRole' }), 'trust'),
    /Missing required field Principal/,
  );
  assert.match(
    malformed(trust({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: '*', Resource: '*' }), 'trust'),
    /prohibited field Resource/,
  );
  assert.match(
    malformed(trust({ Effect: 'Allow', Action: 'iam:*', Principal: '*' }), 'trust'),
    /STS AssumeRole actions/,
  );
  assert.match(
    malformed(trust({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Robot: 'x' } }), 'trust'),
    /Invalid principal/,
  );
  assert.match(
    malformed(
      trust({ Effect: 'Allow', Action: 'sts:AssumeRoleWithSAML', Principal: { Federated: 'not an arn' } }),
      'trust',
    ),
    /Invalid principal/,
  );
});

test('refuses identity policies with a principal or without a resource', () => {
  validatePolicyDocument(trust({ Effect: 'Deny', NotAction: 'iam:*', NotResource: 'arn:aws:s3:::b/*' }), 'identity');
  assert.match(
    malformed(trust({ Effect: 'Allow', Action: 's3:*', Principal: '*', Resource: '*' }), 'identity'),
    /should not specify a principal/,
  );
  assert.match(malformed(trust({ Effect: 'Allow', Action: 's3:*' }), 'identity'), /Missing required field Resource/);
});

test('refuses documents that are not policy JSON', () => {
  for (const bad of [
    '',
    '{',
    '[]',
    'null',
    '"x"',
    JSON.stringify({ Statement: [] }),
    JSON.stringify({ Statement: ['x'] }),
    JSON.stringify({ Statement: [{ Effect: 'Allow' }] }),
    JSON.stringify({ Version: '2012-10-17', Extra: 1, Statement: [] }),
  ]) {
    malformed(bad, 'identity');
  }
  assert.match(
    malformed(trust({ Effect: 'Allow', Action: 'GetObject', Resource: '*' }), 'identity'),
    /prefaced by a vendor/,
  );
  assert.match(
    malformed(trust({ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: 'x' }), 'identity'),
    /Syntax errors/,
  );
});

test('measures size without whitespace, as IAM quotas do', () => {
  assert.equal(policySize('{ "a" :\n\t"b c" }'), '{"a":"bc"}'.length);
});
