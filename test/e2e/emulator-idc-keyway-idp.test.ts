/**
 * Keyway's own IdP output (src/saml buildIdpMetadata / buildResponse) signs users in to the emulated Identity
 * Center: its metadata configures the SP, an SP-initiated AuthnRequest is answered with InResponseTo, and the
 * portal then lists the user's group-assigned account. The NameID must equal the provisioned userName exactly.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import { SSOAdminClient, CreatePermissionSetCommand, CreateAccountAssignmentCommand } from '@aws-sdk/client-sso-admin';
import {
  AUTHN_CONTEXT,
  NAMEID_FORMAT,
  buildIdpMetadata,
  buildResponse,
  createSelfSignedCertificate,
  createSigningCredential,
  type SigningCredential,
} from '../../src/saml/index.js';
import {
  identityCenterFactory,
  silentLogger,
  startEmulator,
  type IdentityCenter,
  type RunningEmulator,
} from '../../src/aws-emulator/index.js';
import { waitForAssignmentCreation } from './idc-assignment-helpers.js';

const ENTITY = 'https://keyway.example.test/saml/metadata';
const SSO_URL = 'https://keyway.example.test/saml/sso';
const MEMBER = '444444444444';
let emulator: RunningEmulator;
let idc: IdentityCenter;
let credential: SigningCredential;

before(async () => {
  emulator = await startEmulator({
    logger: silentLogger,
    registrations: [
      identityCenterFactory({ asyncDelayMs: 5 }, (x) => {
        idc = x;
      }),
    ],
  });
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  credential = createSigningCredential(privateKey, createSelfSignedCertificate({ privateKey, commonName: 'keyway' }));
  idc.configureSamlIdp(
    buildIdpMetadata({
      entityId: ENTITY,
      ssoUrls: [{ binding: 'redirect', location: SSO_URL }],
      signingCerts: [credential.certificatePem],
      validUntil: new Date(Date.now() + 30 * 86_400_000),
    }),
  );
  const token = idc.createScimToken().token;
  const post = async (path: string, body: unknown) =>
    (await (
      await fetch(`${idc.scimEndpoint(emulator.url)}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      })
    ).json()) as { id: string };
  const user = await post('/Users', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: 'frank@example.com',
    displayName: 'Frank',
    name: { givenName: 'Frank', familyName: 'F' },
    emails: [{ value: 'frank@example.com', primary: true }],
  });
  const group = await post('/Groups', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
    displayName: 'Auditors',
    members: [{ value: user.id }],
  });
  const admin = new SSOAdminClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: emulator.rootCredentials('111111111111'),
    maxAttempts: 1,
  });
  const InstanceArn = idc.instance.instanceArn;
  const ps = await admin.send(new CreatePermissionSetCommand({ InstanceArn, Name: 'Auditor' }));
  const r = await admin.send(
    new CreateAccountAssignmentCommand({
      InstanceArn,
      PermissionSetArn: ps.PermissionSet?.PermissionSetArn,
      TargetId: MEMBER,
      TargetType: 'AWS_ACCOUNT',
      PrincipalType: 'GROUP',
      PrincipalId: group.id,
    }),
  );
  await waitForAssignmentCreation(admin, InstanceArn, r.AccountAssignmentCreationStatus?.RequestId);
  admin.destroy();
});

after(async () => {
  idc?.close();
  await emulator?.close();
});

const keywayResponse = (nameId: string, inResponseTo?: string) =>
  buildResponse({
    issuer: ENTITY,
    destination: idc.spAcsUrl(emulator.url),
    audience: idc.spEntityId,
    ...(inResponseTo ? { inResponseTo } : {}),
    nameId: { value: nameId, format: NAMEID_FORMAT.emailAddress, spNameQualifier: null },
    sessionIndex: '_s1',
    authnInstant: new Date(),
    authnContextClassRef: AUTHN_CONTEXT.passwordProtectedTransport,
    signing: { credential, signResponse: true, signAssertion: true },
  });

const postAcs = (base64: string, relayState?: string) =>
  fetch(idc.spAcsUrl(emulator.url), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ SAMLResponse: base64, ...(relayState ? { RelayState: relayState } : {}) }),
  });

test("SP-initiated: the portal sends an AuthnRequest to Keyway, accepts Keyway's signed answer and lists the group's account", async () => {
  const start = await fetch(idc.portalUrl(emulator.url), { redirect: 'manual' });
  assert.equal(start.status, 303);
  const location = new URL(start.headers.get('location') as string);
  assert.equal(`${location.origin}${location.pathname}`, SSO_URL);
  const request = inflateRawSync(Buffer.from(location.searchParams.get('SAMLRequest') as string, 'base64')).toString(
    'utf8',
  );
  const id = /ID="([^"]+)"/.exec(request)?.[1] as string;
  assert.ok(request.includes(`AssertionConsumerServiceURL="${idc.spAcsUrl(emulator.url)}"`));
  const acs = await postAcs(
    (await keywayResponse('frank@example.com', id)).base64,
    location.searchParams.get('RelayState') ?? undefined,
  );
  assert.equal(acs.status, 303, await acs.clone().text());
  assert.equal(acs.headers.get('location'), '/start');
  const cookie = (acs.headers.get('set-cookie') as string).split(';')[0] as string;
  const portal = await (await fetch(idc.portalUrl(emulator.url), { headers: { cookie } })).text();
  assert.match(portal, /frank@example\.com/);
  assert.match(portal, /444444444444/);
  assert.match(portal, />Auditor</);
  // The same InResponseTo cannot be answered twice.
  assert.equal((await postAcs((await keywayResponse('frank@example.com', id)).base64)).status, 403);
});

test('IdP-initiated: a Keyway Response whose NameID differs from the userName only in case is refused', async () => {
  assert.equal((await postAcs((await keywayResponse('frank@example.com')).base64)).status, 303);
  const refused = await postAcs((await keywayResponse('Frank@example.com')).base64);
  assert.equal(refused.status, 403);
  assert.match(await refused.text(), /user_not_provisioned/);
});
