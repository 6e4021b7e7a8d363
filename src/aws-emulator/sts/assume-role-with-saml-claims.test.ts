import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AwsServiceError } from '../http/contract.js';
import type { SamlAssertion } from '../saml-sp/index.js';
import {
  checkSessionTags,
  rolePairs,
  roleSessionName,
  sessionDuration,
  sessionTags,
  sourceIdentity,
} from './assume-role-with-saml-claims.js';
import { nameQualifier, subjectType } from './assume-role-with-saml-session.js';

const A = 'https://aws.amazon.com/SAML/Attributes/';
const ROLE = 'arn:aws:iam::111122223333:role/Admin';
const PROVIDER = 'arn:aws:iam::111122223333:saml-provider/Keyway';

function assertion(attributes: Record<string, string[]>): SamlAssertion {
  return {
    id: '_a',
    issueInstant: 0,
    issuer: 'https://idp.example.test',
    nameId: undefined,
    subjectConfirmations: [],
    conditions: undefined,
    sessionNotOnOrAfter: undefined,
    attributes: new Map(Object.entries(attributes)),
  };
}

function throwsAws(fn: () => unknown, code: string, message: string): void {
  assert.throws(fn, (e: unknown) => {
    const err = e as AwsServiceError;
    assert.equal(err.code, code);
    assert.equal(err.message, message);
    return true;
  });
}

test('Role values are accepted in either order and malformed ones are dropped (IAM User Guide, "Configure SAML assertions for the authentication response")', () => {
  const pairs = rolePairs(
    assertion({
      [`${A}Role`]: [
        `${ROLE},${PROVIDER}`,
        `${PROVIDER}, ${ROLE}`,
        'garbage',
        `${ROLE},${ROLE}`,
        `${ROLE},${PROVIDER},extra`,
      ],
    }),
  );
  assert.deepEqual(pairs, [{ roleArn: ROLE, principalArn: PROVIDER }]);
});

test('RoleSessionName must be one value matching [\\w+=,.@-]{2,64}', () => {
  assert.equal(roleSessionName(assertion({ [`${A}RoleSessionName`]: ['alice@example.com'] })), 'alice@example.com');
  throwsAws(
    () => roleSessionName(assertion({})),
    'InvalidIdentityToken',
    'RoleSessionName is required in AuthnResponse',
  );
  for (const bad of ['a', 'x'.repeat(65), 'has space', 'semi;colon']) {
    throwsAws(
      () => roleSessionName(assertion({ [`${A}RoleSessionName`]: [bad] })),
      'InvalidIdentityToken',
      'RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}',
    );
  }
  throwsAws(
    () => roleSessionName(assertion({ [`${A}RoleSessionName`]: ['a1', 'b2'] })),
    'InvalidIdentityToken',
    'RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}',
  );
});

test('SourceIdentity follows the same pattern and must not begin with aws:', () => {
  assert.equal(sourceIdentity(assertion({})), undefined);
  assert.equal(sourceIdentity(assertion({ [`${A}SourceIdentity`]: ['alice'] })), 'alice');
  throwsAws(
    () => sourceIdentity(assertion({ [`${A}SourceIdentity`]: ['AWS:alice'] })),
    'InvalidIdentityToken',
    'Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with "aws:"',
  );
});

test('SessionDuration is an integer from 900 to 43200', () => {
  assert.equal(sessionDuration(assertion({ [`${A}SessionDuration`]: ['1800'] })), 1800);
  for (const bad of ['899', '43201', '1e3', ' 900x']) {
    assert.throws(
      () => sessionDuration(assertion({ [`${A}SessionDuration`]: [bad] })),
      (e: unknown) => (e as AwsServiceError).code === 'InvalidIdentityToken',
    );
  }
});

test('session tags: at most 50, key ≤128, value ≤256, no aws: prefix, no case-insensitive duplicates, transitive keys must be tags', () => {
  const ok = assertion({ [`${A}PrincipalTag:Project`]: ['Apollo'], [`${A}TransitiveTagKeys`]: ['project'] });
  checkSessionTags(ok, sessionTags(ok));
  const cases: Record<string, string[]>[] = [
    Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`${A}PrincipalTag:k${i}`, ['v']])),
    { [`${A}PrincipalTag:${'k'.repeat(129)}`]: ['v'] },
    { [`${A}PrincipalTag:k`]: ['v'.repeat(257)] },
    { [`${A}PrincipalTag:aws:team`]: ['v'] },
    { [`${A}PrincipalTag:Team`]: ['a'], [`${A}PrincipalTag:team`]: ['b'] },
    { [`${A}PrincipalTag:Team`]: ['a', 'b'] },
    { [`${A}PrincipalTag:Team`]: ['a'], [`${A}TransitiveTagKeys`]: ['Project'] },
  ];
  for (const attrs of cases) {
    const a = assertion(attrs);
    assert.throws(
      () => checkSessionTags(a, sessionTags(a)),
      (e: unknown) => (e as AwsServiceError).code === 'InvalidIdentityToken',
    );
  }
});

test('SubjectType strips only the SAML 2.0 nameid-format prefix (STSAPI)', () => {
  assert.equal(subjectType('urn:oasis:names:tc:SAML:2.0:nameid-format:transient'), 'transient');
  assert.equal(
    subjectType('urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'),
    'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  );
});

test('NameQualifier is BASE64(SHA1(Issuer + AccountId + "/" + ProviderName)) — the pseudocode form of STSAPI', () => {
  // Computed independently: printf '%s' 'https://example.com/saml123456789012/MySAMLIdP' | openssl sha1 -binary |
  // base64
  assert.equal(nameQualifier('https://example.com/saml', '123456789012', 'MySAMLIdP'), '1uAJanUnBc2XeUkHURMht+xam2c=');
});
