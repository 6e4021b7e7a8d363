import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApplicationTypeRegistry, DomainError, type Group, type SamlApplication, type User } from '../index.js';
import { AWS_ATTR, awsIamConfigOf, createAwsIamAppType, type RoleBinding } from './index.js';

const group = (id: string): Group => ({
  id,
  displayName: id,
  description: null,
  externalId: null,
  attributes: {},
  createdAt: '',
  updatedAt: '',
  version: 1,
});
const user = (over: Partial<User> = {}): User => ({
  id: 'u1',
  userName: 'alice',
  givenName: null,
  familyName: null,
  displayName: null,
  emails: [],
  externalId: null,
  status: 'active',
  attributes: {},
  createdAt: '',
  updatedAt: '',
  version: 1,
  ...over,
});
const bindings: RoleBinding[] = [
  { id: 'b1', groupId: 'g1', accountId: '111111111111', roleName: 'ReadOnly', rolePath: '/', createdAt: '' },
  { id: 'b2', groupId: 'g2', accountId: '222222222222', roleName: 'Admin', rolePath: '/', createdAt: '' },
];
const asked: string[][] = [];
const type = createAwsIamAppType({
  boundRolesForGroups: async (ids) => {
    asked.push([...ids]);
    return bindings.filter((b) => ids.includes(b.groupId));
  },
});
const app = (settings: Record<string, unknown> = {}, acs = 'https://signin.aws.amazon.com/saml'): SamlApplication => ({
  id: 'a1',
  type: 'aws-iam',
  name: 'AWS',
  description: null,
  enabled: true,
  entityId: 'urn:amazon:webservices',
  acs: [{ url: acs, index: 0, isDefault: true }],
  slo: null,
  signingCertificates: [],
  encryptionCertificate: null,
  requireSignedRequests: false,
  nameIdFormat: 'persistent',
  nameIdSource: 'persistentId',
  attributes: [],
  signResponse: true,
  signAssertion: true,
  allowSha1: false,
  sessionDurationSeconds: 3600,
  allowedGroupIds: ['g1'],
  defaultRelayState: null,
  settings: type.validateSettings!(settings),
  persistentIdSecret: 's',
  createdAt: '',
  updatedAt: '',
  version: 1,
});
const ctx = (a: SamlApplication, u: User, groups: string[]) => ({
  app: a,
  user: u,
  effectiveGroups: groups.map(group),
  directGroups: [],
  authMethods: ['pwd'],
  now: new Date(),
});

test("the aws-iam type fills in AWS's entity ID, sign-in URL and a persistent NameID, and shows its own portal tile", () => {
  const d = type.defaults!();
  assert.equal(d.entityId, 'urn:amazon:webservices');
  assert.deepEqual(d.acs, [{ url: 'https://signin.aws.amazon.com/saml', index: 0, isDefault: true }]);
  assert.equal(d.nameIdFormat, 'persistent');
  assert.equal(type.ownPortalTile, true);
  assert.equal(createApplicationTypeRegistry([type]).get('aws-iam'), type);
});

test('settings are validated with problems under settings.* and unknown ones refused', () => {
  assert.throws(
    () => type.validateSettings!({ sessionDuration: 60 }),
    (e: unknown) =>
      e instanceof DomainError &&
      e.problems[0]?.at === 'settings.sessionDuration' &&
      /SessionDuration 60/.test(e.message),
  );
  assert.throws(
    () => type.validateSettings!({ nameIdFormat: 'persistent' }),
    (e: unknown) => e instanceof DomainError && /unknown setting "nameIdFormat"/.test(e.message),
  );
  assert.deepEqual(type.validateSettings!({}), {
    samlProviderName: 'Keyway',
    samlProviderNames: {},
    sessionDuration: null,
    roleSessionNameFrom: 'userName',
    sourceIdentityFrom: null,
    principalTags: [],
  });
});

test("at sign-in the provider reads only the user's groups' bindings and adds Role and RoleSessionName (IAM User Guide, 'Configure SAML assertions for the authentication response')", async () => {
  asked.length = 0;
  const attrs = await type.attributeProviders[0]!.provide(ctx(app({ sessionDuration: 7200 }), user(), ['g1', 'gx']));
  assert.deepEqual(asked, [['g1', 'gx']]);
  const byName = new Map(attrs.map((a) => [a.name, a]));
  assert.deepEqual(byName.get(AWS_ATTR.role)?.values, [
    'arn:aws:iam::111111111111:role/ReadOnly,arn:aws:iam::111111111111:saml-provider/Keyway',
  ]);
  assert.equal(byName.get(AWS_ATTR.role)?.nameFormat, 'uri');
  assert.deepEqual(byName.get(AWS_ATTR.roleSessionName)?.values, ['alice']);
  assert.deepEqual(byName.get(AWS_ATTR.sessionDuration)?.values, ['7200']);
});

test('a value AWS would refuse stops the sign-in with a message for the user, not an assertion AWS rejects', async () => {
  await assert.rejects(
    type.attributeProviders[0]!.provide(ctx(app(), user({ userName: 'alice smith' }), ['g1'])),
    (e: unknown) =>
      e instanceof DomainError &&
      e.code === 'forbidden' &&
      /AWS would refuse this sign-in: RoleSessionName \(from userName\) "alice smith"/.test(e.message),
  );
  await assert.rejects(
    type.attributeProviders[0]!.provide(ctx(app(), user(), ['gx'])),
    (e: unknown) =>
      e instanceof DomainError && e.code === 'forbidden' && /none of their groups is bound/.test(e.message),
  );
});

test('signInUrl (Recipient, SAML:aud) defaults to the ACS URL and may differ from it in front of an emulator', () => {
  assert.equal(awsIamConfigOf(app()).signInUrl, 'https://signin.aws.amazon.com/saml');
  const emu = awsIamConfigOf(app({ signInUrl: 'https://signin.aws.amazon.com/saml' }, 'http://127.0.0.1:4566/saml'));
  assert.equal(emu.signInUrl, 'https://signin.aws.amazon.com/saml');
  assert.equal(emu.acsUrl, 'http://127.0.0.1:4566/saml');
  assert.equal(awsIamConfigOf(app({}, 'http://127.0.0.1:4566/saml')).signInUrl, 'http://127.0.0.1:4566/saml');
  assert.throws(() => awsIamConfigOf({ ...app(), type: 'saml' }), /not an AWS IAM application/);
  assert.throws(
    () => awsIamConfigOf({ ...app(), nameIdFormat: 'transient' }),
    /persistent, emailAddress or unspecified/,
  );
});
