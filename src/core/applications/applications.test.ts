import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';
import { DomainError } from '../errors.js';
import type { Group, User } from '../directory/types.js';
import { validateFields } from './validate.js';
import { createApplicationTypeRegistry } from './app-types.js';
import { mayUse, resolveAssertionContent } from './assertion-content.js';
import { persistentId } from './sources.js';
import type { ApplicationType, SamlApplication, SignInContext } from './types.js';

const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e.problems.map((p) => `${p.at}: ${p.message}`);
    throw e;
  }
  return [];
};

const base = { name: 'Wiki', entityId: 'https://wiki.example/sp', acs: [{ url: 'https://wiki.example/acs' }] };

test('an application from minimal fields gets persistent NameIDs, both signatures and an 8-hour session', () => {
  const f = validateFields(base);
  assert.equal(f.nameIdFormat, 'persistent');
  assert.equal(f.nameIdSource, 'persistentId');
  assert.equal(f.signResponse && f.signAssertion, true);
  assert.equal(f.allowSha1, false);
  assert.equal(f.sessionDurationSeconds, 28800);
  assert.deepEqual(f.acs, [{ url: 'https://wiki.example/acs', index: 0, isDefault: true }]);
});

test('the lowest ACS index is the default when none is marked (SAML metadata 2.2.3)', () => {
  const f = validateFields({
    ...base,
    acs: [
      { url: 'https://a.example/2', index: 2 },
      { url: 'https://a.example/1', index: 1 },
    ],
  });
  assert.deepEqual(
    f.acs.filter((a) => a.isDefault).map((a) => a.index),
    [1],
  );
});

test('every problem in an application is reported at once with its field', () => {
  const problems = problemsOf(() =>
    validateFields({
      name: '',
      entityId: 'x',
      acs: [{ url: 'javascript:alert(1)' }, { url: 'https://u:p@x.example/', index: 0 }],
      nameIdSource: 'user.password',
      attributes: [
        { name: 'memberOf', source: 'groups' },
        { name: 'memberOf', source: 'nope' },
      ],
      signResponse: false,
      signAssertion: false,
      sessionDurationSeconds: 10,
      requireSignedRequests: true,
      defaultRelayState: 'é'.repeat(41),
      signingCertificates: ['not a cert'],
    }),
  );
  for (const at of [
    'name',
    'acs[0].url',
    'acs[1].url',
    'acs[1].index',
    'nameIdSource',
    'attributes[1].source',
    'signAssertion',
    'sessionDurationSeconds',
    'requireSignedRequests',
    'defaultRelayState',
    'signingCertificates[0]',
  ]) {
    assert.ok(
      problems.some((p) => p.startsWith(`${at}:`)),
      `expected a problem at ${at}: ${problems.join(' | ')}`,
    );
  }
});

const user: User = {
  id: 'u1',
  userName: 'ada',
  givenName: 'Ada',
  familyName: 'Lovelace',
  displayName: 'Ada L',
  externalId: null,
  status: 'active',
  emails: [{ value: 'a@x.example' }, { value: 'ada@x.example', primary: true }],
  attributes: { dept: ['eng', 'ops'], title: 'Eng <&> "lead"' },
  createdAt: '',
  updatedAt: '',
  version: 1,
};
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
const eng = group('g1', 'engineering');
const all = group('g2', 'aws-admins');

const app = (over: Partial<SamlApplication> = {}): SamlApplication => ({
  id: 'a1',
  type: 'saml',
  ...validateFields({
    ...base,
    allowedGroupIds: ['g2'],
    attributes: [
      { name: 'memberOf', source: 'groups' },
      { name: 'mail', source: 'user.email' },
      { name: 'dept', source: 'user.attributes.dept' },
      { name: 'awsGroups', source: 'groups', filterPrefix: 'aws-' },
      { name: 'missing', source: 'user.externalId' },
    ],
  }),
  settings: {},
  persistentIdSecret: 'c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0',
  createdAt: '',
  updatedAt: '',
  version: 1,
  ...over,
});
const ctx = (a: SamlApplication, u: User = user): SignInContext => ({
  app: a,
  user: u,
  effectiveGroups: [eng, all],
  directGroups: [eng],
  authMethods: ['pwd'],
  now: new Date(),
});

test('attribute mappings give multi-valued groups, the primary email and custom attributes; empty sources are omitted', async () => {
  const c = await resolveAssertionContent(ctx(app()), createApplicationTypeRegistry());
  assert.equal(c.nameId, persistentId(app().persistentIdSecret, 'u1'));
  const byName = Object.fromEntries(c.attributes.map((a) => [a.name, a.values]));
  assert.deepEqual(byName, {
    memberOf: ['aws-admins', 'engineering'],
    mail: ['ada@x.example'],
    dept: ['eng', 'ops'],
    awsGroups: ['aws-admins'],
  });
});

test('persistent NameIDs are stable for one app and differ between apps', () => {
  assert.equal(persistentId('a2V5MQ', 'u1'), persistentId('a2V5MQ', 'u1'));
  assert.notEqual(persistentId('a2V5MQ', 'u1'), persistentId('a2V5Mg', 'u1'));
});

test('a required attribute with no value refuses the sign-in with a message for the user', async () => {
  const a = app({
    attributes: [
      {
        name: 'employeeId',
        nameFormat: 'basic',
        friendlyName: null,
        source: 'user.externalId',
        filterPrefix: null,
        required: true,
      },
    ],
  });
  await assert.rejects(
    resolveAssertionContent(ctx(a), createApplicationTypeRegistry()),
    (e: DomainError) => e.code === 'forbidden' && /employeeId/.test(e.message),
  );
});

test('a value XML cannot carry is refused instead of silently changed (docs/security.md, SAML rule 6)', async () => {
  const bad = { ...user, attributes: { dept: 'a\u0001b' } };
  await assert.rejects(
    resolveAssertionContent(ctx(app(), bad), createApplicationTypeRegistry()),
    (e: DomainError) => e.code === 'invalid_input',
  );
});

test('attribute providers of the app type add attributes computed at sign-in', async () => {
  const aws: ApplicationType = {
    id: 'aws-iam',
    label: 'AWS',
    attributeProviders: [
      {
        name: 'roles',
        provide: async (c) => [
          {
            name: 'https://aws.amazon.com/SAML/Attributes/Role',
            nameFormat: 'uri',
            friendlyName: null,
            values: c.effectiveGroups.map((g) => `arn:${g.id}`),
          },
        ],
      },
    ],
  };
  const c = await resolveAssertionContent(ctx(app({ type: 'aws-iam' })), createApplicationTypeRegistry([aws]));
  assert.deepEqual(c.attributes.find((a) => a.name.endsWith('/Role'))?.values, ['arn:g1', 'arn:g2']);
});

test('access is by effective group membership and deny by default', () => {
  assert.equal(mayUse(app(), [eng, all]), true);
  assert.equal(mayUse(app(), [eng]), false);
  assert.equal(mayUse(app({ allowedGroupIds: [] }), [eng, all]), false);
  assert.equal(mayUse(app({ enabled: false }), [eng, all]), false);
});

test('a PEM SP certificate is stored as bare base64 DER', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date();
  cert.validity.notAfter = new Date(Date.now() + 86400000);
  cert.setSubject([{ name: 'commonName', value: 'sp' }]);
  cert.setIssuer([{ name: 'commonName', value: 'sp' }]);
  cert.sign(
    forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()),
    forge.md.sha256.create(),
  );
  const f = validateFields({ ...base, signingCertificates: [forge.pki.certificateToPem(cert)] });
  assert.match(f.signingCertificates[0] ?? '', /^MII[A-Za-z0-9+/=]+$/);
});
