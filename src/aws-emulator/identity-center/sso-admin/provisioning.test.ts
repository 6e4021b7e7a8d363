import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryStateStore } from '../../state/state-store.js';
import { parseSamlMetadata } from '../../iam/saml-metadata.js';
import { IdcInstance, loadOrCreateAccountIdpMetadata, newInstanceIds } from '../instance.js';
import { reservedRolePath, samlProviderArn } from './provisioning.js';

const instanceIn = (region: string) =>
  new IdcInstance(
    newInstanceIds(),
    '111111111111',
    region,
    'test',
    { ratePerSecond: 0, burst: 0 },
    () => Date.parse('2026-05-01T00:00:00Z'),
    createMemoryStateStore(),
  );

test('the AWSReservedSSO path carries the instance region outside us-east-1 (IAM Identity Center User Guide, "Using service-linked roles for IAM Identity Center")', () => {
  assert.equal(reservedRolePath(instanceIn('us-east-1')), '/aws-reserved/sso.amazonaws.com/');
  assert.equal(reservedRolePath(instanceIn('eu-west-1')), '/aws-reserved/sso.amazonaws.com/eu-west-1/');
});

test('every member account trusts a provider of one AWSSSO_<16 hex>_DO_NOT_DELETE name, whose metadata IAM accepts and which is made once per instance', () => {
  const state = createMemoryStateStore();
  const inst = new IdcInstance(
    newInstanceIds(),
    '111111111111',
    'us-east-1',
    'test',
    { ratePerSecond: 0, burst: 0 },
    () => Date.parse('2026-05-01T00:00:00Z'),
    state,
  );
  const a = samlProviderArn(inst, '222222222222');
  assert.match(a, /^arn:aws:iam::222222222222:saml-provider\/AWSSSO_[0-9a-f]{16}_DO_NOT_DELETE$/);
  assert.equal(samlProviderArn(inst, '333333333333'), a.replace('222222222222', '333333333333'));
  const xml = loadOrCreateAccountIdpMetadata(state, inst, () => Date.parse('2026-05-01T00:00:00Z'));
  const parsed = parseSamlMetadata(xml);
  assert.match(parsed.entityId, /^https:\/\/portal\.sso\.us-east-1\.amazonaws\.com\/saml\/assertion\/[\w-]+$/);
  assert.equal(parsed.signingCertificates.length, 1);
  assert.equal(
    loadOrCreateAccountIdpMetadata(state, inst, () => 0),
    xml,
    'kept, not made again',
  );
});
