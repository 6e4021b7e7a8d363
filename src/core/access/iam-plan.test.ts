import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  canonicalPolicy,
  desiredIamState,
  diffIam,
  parseAwsIamAppConfig,
  samlTrustPolicy,
  type LiveIamState,
  type RoleBinding,
} from './index.js';

const b = (id: string, accountId: string, roleName: string, rolePath = '/'): RoleBinding => ({
  id,
  groupId: 'g',
  accountId,
  roleName,
  rolePath,
  createdAt: '',
});
const fp = { entityId: 'https://keyway.example/saml', certificates: ['CERT-A'] };
const config = parseAwsIamAppConfig({});
const desired = desiredIamState({
  accountId: '111111111111',
  config,
  bindings: [
    b('1', '111111111111', 'ReadOnly'),
    b('2', '111111111111', 'readonly'),
    b('3', '222222222222', 'Admin'),
    b('4', '111111111111', 'Deploy', '/teams/'),
  ],
  metadataXml: '<md/>',
  fingerprint: fp,
});

test('the trust policy allows only AssumeRoleWithSAML from this provider with SAML:aud pinned to the sign-in URL (IAM User Guide, "Create a role for SAML 2.0 federation (console)")', () => {
  assert.deepEqual(
    samlTrustPolicy({
      accountId: '111111111111',
      providerName: 'Keyway',
      signInUrl: 'https://signin.aws.amazon.com/saml',
      sendsTags: false,
      sendsSourceIdentity: false,
    }),
    {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: 'arn:aws:iam::111111111111:saml-provider/Keyway' },
          Action: 'sts:AssumeRoleWithSAML',
          Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } },
        },
      ],
    },
  );
  const tagged = samlTrustPolicy({
    accountId: '111111111111',
    providerName: 'Keyway',
    signInUrl: 'http://127.0.0.1:4566/saml',
    sendsTags: true,
    sendsSourceIdentity: true,
  });
  assert.deepEqual(tagged.Statement[0]!.Action, ['sts:AssumeRoleWithSAML', 'sts:TagSession', 'sts:SetSourceIdentity']);
});

test('policies compare as IAM reads them: single value equals a list, condition keys case-insensitive, action order free', () => {
  const a = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: 'p' },
        Action: ['sts:TagSession', 'sts:AssumeRoleWithSAML'],
        Condition: { StringEquals: { 'SAML:aud': 'u' } },
      },
    ],
  };
  const c = {
    Version: '2012-10-17',
    Statement: {
      Effect: 'Allow',
      Principal: { Federated: ['p'] },
      Action: ['sts:assumerolewithsaml', 'sts:TagSession'],
      Condition: { StringEquals: { 'saml:aud': ['u'] } },
    },
  };
  assert.equal(canonicalPolicy(a), canonicalPolicy(c));
  assert.notEqual(
    canonicalPolicy(a),
    canonicalPolicy({ ...c, Statement: { ...c.Statement, Condition: { StringEquals: { 'saml:aud': 'other' } } } }),
  );
});

test('roles are created with a maximum session at least the SessionDuration sent, and the per-account provider name', () => {
  assert.deepEqual(
    desired.roles.map((r) => r.maxSessionDuration),
    [3600, 3600],
  );
  const long = desiredIamState({
    accountId: '111111111111',
    config: parseAwsIamAppConfig({ sessionDuration: 28800, samlProviderNames: { '111111111111': 'CorpIdP' } }),
    bindings: [b('1', '111111111111', 'ReadOnly')],
    metadataXml: '<md/>',
    fingerprint: fp,
  });
  assert.deepEqual(
    long.roles.map((r) => r.maxSessionDuration),
    [28800],
  );
  assert.equal(long.provider.arn, 'arn:aws:iam::111111111111:saml-provider/CorpIdP');
  assert.deepEqual(long.roles[0]!.trustPolicy.Statement[0]!.Principal, {
    Federated: 'arn:aws:iam::111111111111:saml-provider/CorpIdP',
  });
});

test('desired state holds the provider and each bound role of that account once', () => {
  assert.equal(desired.provider.arn, 'arn:aws:iam::111111111111:saml-provider/Keyway');
  assert.deepEqual(
    desired.roles.map((r) => r.arn),
    ['arn:aws:iam::111111111111:role/ReadOnly', 'arn:aws:iam::111111111111:role/teams/Deploy'],
  );
});

test('an empty account plans a provider and every role; an up-to-date one plans nothing', () => {
  const empty: LiveIamState = { accountId: '111111111111', provider: null, roles: { readonly: null, deploy: null } };
  const { changes } = diffIam(desired, empty);
  assert.deepEqual(
    changes.map((c) => `${c.action} ${c.resource} ${c.name}`),
    ['create saml-provider Keyway', 'create role ReadOnly', 'create role Deploy'],
  );
  const same: LiveIamState = {
    accountId: '111111111111',
    provider: { arn: desired.provider.arn, fingerprint: { ...fp }, validUntil: '2999-01-01T00:00:00Z' },
    roles: Object.fromEntries(
      desired.roles.map((r) => [
        r.name.toLowerCase(),
        { name: r.name, path: r.path, arn: r.arn, trustPolicy: JSON.parse(JSON.stringify(r.trustPolicy)) },
      ]),
    ),
  };
  assert.deepEqual(diffIam(desired, same), { changes: [], findings: [] });
});

test('rotated keys, near expiry and a drifted trust policy each plan an update; a moved role is a finding, never a delete', () => {
  const live: LiveIamState = {
    accountId: '111111111111',
    provider: {
      arn: desired.provider.arn,
      fingerprint: { entityId: fp.entityId, certificates: ['CERT-OLD'] },
      validUntil: new Date(Date.now() + 3600_000).toISOString(),
    },
    roles: {
      readonly: {
        name: 'ReadOnly',
        path: '/',
        arn: 'x',
        trustPolicy: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }],
        },
      },
      deploy: { name: 'Deploy', path: '/', arn: 'y', trustPolicy: {} },
    },
  };
  const { changes, findings } = diffIam(desired, live);
  assert.equal(changes.length, 2);
  const p = changes[0]!;
  assert.ok(p.action === 'update' && p.resource === 'saml-provider');
  assert.match(p.reasons.join('; '), /signing certificates changed \(1 added, 1 removed\); metadata valid only until/);
  assert.equal(changes[1]!.resource, 'trust-policy');
  assert.match(findings[0]!.message, /role Deploy exists at path \/, but the binding names path \/teams\//);
});
