import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ANY_RESOURCE,
  compilePolicySet,
  covers,
  decide,
  evaluateCondition,
  mayOverlap,
  parsePolicyDocument,
  PolicyDocumentError,
} from './index.js';

const doc = (...Statement: object[]) => parsePolicyDocument({ Version: '2012-10-17', Statement });
const set = (identity: object[], boundary?: object[]) =>
  compilePolicySet({
    identity: [{ name: 'inline', document: doc(...identity) }],
    boundary: boundary ? { name: 'boundary', document: doc(...boundary) } : undefined,
  });

describe('policy documents', () => {
  test('a statement with both Action and NotAction is refused with its path', () => {
    assert.throws(
      () => doc({ Effect: 'Allow', Action: 's3:GetObject', NotAction: 's3:PutObject', Resource: '*' }),
      (e: unknown) => e instanceof PolicyDocumentError && e.at === 'Statement[0]',
    );
  });
  test('unknown elements, bad effects, empty lists and non-actions are refused', () => {
    assert.throws(() => doc({ Effect: 'Allow', Action: 's3:*', Resource: '*', Extra: 1 }), /Statement\[0\]\.Extra/);
    assert.throws(() => doc({ Effect: 'allow', Action: 's3:*', Resource: '*' }), /Effect/);
    assert.throws(() => doc({ Effect: 'Allow', Action: [], Resource: '*' }), /empty list/);
    assert.throws(() => doc({ Effect: 'Allow', Action: 'not an action', Resource: '*' }), /is not an action/);
    assert.throws(() => parsePolicyDocument('{'), /is not JSON/);
    assert.throws(() => parsePolicyDocument({ Version: '2020-01-01', Statement: [] }), /Version/);
  });
  test('a single statement object and single strings are read as lists', () => {
    const d = parsePolicyDocument({
      Statement: { Effect: 'Deny', Action: 'iam:*', Resource: 'arn:aws:iam::*:role/x' },
    });
    assert.deepEqual(d.statements[0]?.actions, ['iam:*']);
    assert.deepEqual(d.statements[0]?.resources, ['arn:aws:iam::*:role/x']);
  });
});

describe('wildcards', () => {
  test('covers: a pattern covers another only when every match of the inner one matches the outer one', () => {
    assert.equal(covers('*', 'arn:aws:s3:::b/*'), true);
    assert.equal(covers('arn:aws:s3:::b/*', 'arn:aws:s3:::b/x/*'), true);
    assert.equal(covers('arn:aws:s3:::b/x/*', 'arn:aws:s3:::b/*'), false);
    assert.equal(covers('a?c', 'a*c'), false, "? cannot absorb the inner pattern's *");
    assert.equal(covers('arn:aws:iam::1:role/x', '*'), false);
  });
  test('mayOverlap: only provably disjoint patterns are disjoint', () => {
    assert.equal(mayOverlap('arn:aws:s3:::a/*', 'arn:aws:s3:::b/*'), false);
    assert.equal(mayOverlap('arn:aws:s3:::a*', 'arn:aws:s3:::ab/*'), true);
    assert.equal(mayOverlap('*.json', '*.yaml'), false);
    assert.equal(mayOverlap('arn:aws:iam::1:role/x', 'arn:aws:iam::*:role/*'), true);
  });
});

describe('conditions', () => {
  const ctx = (entries: Record<string, string[]>) => new Map(Object.entries(entries));
  const clause = (operator: string, key: string, values: string[]) => ({ operator, key: key.toLowerCase(), values });
  test('an unknown key is unknown; a known one is decided', () => {
    const c = clause('StringEquals', 'iam:PassedToService', ['ec2.amazonaws.com']);
    assert.equal(evaluateCondition(c, ctx({})), 'unknown');
    assert.equal(evaluateCondition(c, ctx({ 'iam:passedtoservice': ['ec2.amazonaws.com'] })), 'true');
    assert.equal(evaluateCondition(c, ctx({ 'iam:passedtoservice': ['lambda.amazonaws.com'] })), 'false');
  });
  test('IfExists and negated operators with an absent key hold; Null tests presence', () => {
    const absent = ctx({ 'aws:sourceip': [] });
    assert.equal(evaluateCondition(clause('IpAddressIfExists', 'aws:SourceIp', ['10.0.0.0/8']), absent), 'true');
    assert.equal(evaluateCondition(clause('IpAddress', 'aws:SourceIp', ['10.0.0.0/8']), absent), 'false');
    assert.equal(evaluateCondition(clause('NotIpAddress', 'aws:SourceIp', ['10.0.0.0/8']), absent), 'true');
    assert.equal(evaluateCondition(clause('Null', 'aws:SourceIp', ['true']), absent), 'true');
  });
  test('operators: like, numeric, date, CIDR, ForAllValues/ForAnyValue, policy variables', () => {
    const c = ctx({
      'aws:principaltag/team': ['platform'],
      'aws:multifactorauthage': ['300'],
      'aws:currenttime': ['2026-12-08T00:00:00Z'],
      'aws:sourceip': ['10.1.2.3'],
      'aws:tagkeys': ['env', 'team'],
    });
    assert.equal(evaluateCondition(clause('StringLike', 'aws:PrincipalTag/team', ['plat*']), c), 'true');
    assert.equal(evaluateCondition(clause('NumericLessThan', 'aws:MultiFactorAuthAge', ['3600']), c), 'true');
    assert.equal(evaluateCondition(clause('DateGreaterThan', 'aws:CurrentTime', ['2027-01-01T00:00:00Z']), c), 'false');
    assert.equal(evaluateCondition(clause('IpAddress', 'aws:SourceIp', ['10.0.0.0/8']), c), 'true');
    assert.equal(evaluateCondition(clause('ForAllValues:StringEquals', 'aws:TagKeys', ['env']), c), 'false');
    assert.equal(evaluateCondition(clause('ForAnyValue:StringEquals', 'aws:TagKeys', ['env']), c), 'true');
    assert.equal(
      evaluateCondition(clause('StringEquals', 'aws:PrincipalTag/team', ['\u0024{aws:username}']), c),
      'unknown',
    );
  });
});

describe('decisions', () => {
  test('an explicit deny wins over an allow; NotAction and NotResource are honoured', () => {
    const s = set([
      { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' },
      { Effect: 'Deny', Action: 's3:DeleteBucket', NotResource: 'arn:aws:s3:::scratch' },
    ]);
    assert.equal(decide(s, { action: 'ec2:RunInstances', resource: ANY_RESOURCE }).allowed, true);
    assert.equal(decide(s, { action: 'iam:CreateUser', resource: ANY_RESOURCE }).allowed, false);
    assert.equal(decide(s, { action: 's3:DeleteBucket', resource: 'arn:aws:s3:::prod' }).allowed, false);
    assert.equal(decide(s, { action: 's3:DeleteBucket', resource: 'arn:aws:s3:::scratch' }).allowed, true);
  });
  test('a boundary intersects: allowed only where both allow', () => {
    const s = set(
      [{ Effect: 'Allow', Action: '*', Resource: '*' }],
      [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
    );
    assert.equal(decide(s, { action: 's3:GetObject', resource: ANY_RESOURCE }).allowed, true);
    assert.equal(decide(s, { action: 'iam:PassRole', resource: ANY_RESOURCE }).allowed, false);
  });
  test('conditions are conservative: an undecidable allow allows, an undecidable deny does not deny', () => {
    const s = set([
      {
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: '*',
        Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      },
      {
        Effect: 'Deny',
        Action: 'iam:PassRole',
        Resource: '*',
        Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } },
      },
    ]);
    const unknown = decide(s, { action: 'iam:PassRole', resource: ANY_RESOURCE });
    assert.equal(unknown.allowed, true);
    assert.equal(unknown.conditionalDenies.length, 1);
    const toLambda = new Map([['iam:passedtoservice', ['lambda.amazonaws.com']]]);
    assert.equal(decide(s, { action: 'iam:PassRole', resource: ANY_RESOURCE, context: toLambda }).allowed, false);
  });
  test('on a resource pattern, a deny hides an allow only when it covers the allowed part', () => {
    const s = set([
      { Effect: 'Allow', Action: 'iam:UpdateAssumeRolePolicy', Resource: '*' },
      { Effect: 'Deny', Action: 'iam:*', Resource: 'arn:aws:iam::*:role/keyway/*' },
    ]);
    assert.equal(
      decide(s, { action: 'iam:UpdateAssumeRolePolicy', resource: 'arn:aws:iam::*:role/keyway/*' }).allowed,
      false,
    );
    assert.equal(
      decide(s, { action: 'iam:UpdateAssumeRolePolicy', resource: 'arn:aws:iam::*:role/app/*' }).allowed,
      true,
    );
  });
});
