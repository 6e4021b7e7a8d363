/**
 * Keyway's own IdP output (src/saml buildResponse / buildIdpMetadata, canonical XML emitted without a DOM) is
 * accepted by the emulator's AWS verification, as AWS would accept it: metadata through IAM CreateSAMLProvider,
 * the Response through STS AssumeRoleWithSAML (SDK) and the sign-in endpoint. Both signing shapes Keyway
 * offers (Response and Assertion signed; Assertion only) are covered.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { CreateRoleCommand, CreateSAMLProviderCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleWithSAMLCommand, STSClient } from '@aws-sdk/client-sts';
import {
  AUTHN_CONTEXT,
  buildIdpMetadata,
  buildResponse,
  createSelfSignedCertificate,
  createSigningCredential,
  type SigningCredential,
} from '../../src/saml/index.js';
import { silentLogger, startEmulator, type RunningEmulator } from '../../src/aws-emulator/index.js';
import { signInServiceFactory } from '../../src/aws-emulator/signin/index.js';
import { sdkConfig } from './emulator-helpers.js';
import {
  SESSION_ATTR,
  ROLE_ATTR,
  SIGNIN,
  pair,
  providerArn,
  roleArn,
  trustPolicy,
  PROVIDER_NAME,
} from './emulator-signin-setup.js';

const ACCT = '222222222222';
const ENTITY = 'https://keyway.example.test/saml/metadata';
let emulator: RunningEmulator;
let credential: SigningCredential;
let sts: STSClient;

before(async () => {
  emulator = await startEmulator({ logger: silentLogger, registrations: [signInServiceFactory] });
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  credential = createSigningCredential(privateKey, createSelfSignedCertificate({ privateKey, commonName: 'keyway' }));
  const metadata = buildIdpMetadata({
    entityId: ENTITY,
    ssoUrls: [{ binding: 'post', location: 'https://keyway.example.test/saml/sso' }],
    signingCerts: [credential.certificatePem],
    validUntil: new Date(Date.now() + 30 * 86_400_000),
  });
  const iam = new IAMClient(sdkConfig(emulator.url, emulator.rootCredentials(ACCT)));
  await iam.send(new CreateSAMLProviderCommand({ Name: PROVIDER_NAME, SAMLMetadataDocument: metadata }));
  await iam.send(new CreateRoleCommand({ RoleName: 'Auditor', AssumeRolePolicyDocument: trustPolicy(ACCT) }));
  iam.destroy();
  sts = new STSClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: () => Promise.reject(new Error('unsigned call')),
  });
});

after(async () => {
  sts?.destroy();
  await emulator?.close();
});

function keywayResponse(signResponse: boolean) {
  return buildResponse({
    issuer: ENTITY,
    destination: SIGNIN,
    audience: 'urn:amazon:webservices',
    nameId: { value: 'frank@example.com', spNameQualifier: null },
    sessionIndex: '_session1',
    authnInstant: new Date(),
    authnContextClassRef: AUTHN_CONTEXT.passwordProtectedTransport,
    attributes: [
      { name: ROLE_ATTR, values: [pair(ACCT, 'Auditor')] },
      { name: SESSION_ATTR, values: ['frank'] },
    ],
    signing: { credential, signResponse, signAssertion: true },
  });
}

test('STS accepts a Keyway Response with both Response and Assertion signed', async () => {
  const built = await keywayResponse(true);
  const out = await sts.send(
    new AssumeRoleWithSAMLCommand({
      RoleArn: roleArn(ACCT, 'Auditor'),
      PrincipalArn: providerArn(ACCT),
      SAMLAssertion: built.base64,
    }),
  );
  assert.equal(out.AssumedRoleUser?.Arn, `arn:aws:sts::${ACCT}:assumed-role/Auditor/frank`);
  assert.equal(out.Subject, 'frank@example.com');
  assert.equal(out.Issuer, ENTITY);
});

test('the sign-in endpoint accepts a Keyway Response with only the Assertion signed', async () => {
  const built = await keywayResponse(false);
  const res = await fetch(`${emulator.url}/saml`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ SAMLResponse: built.base64 }).toString(),
  });
  assert.equal(res.status, 303, await res.clone().text());
  const page = await fetch(`${emulator.url}/console`, {
    headers: { cookie: res.headers.get('set-cookie')!.split(';')[0]! },
  });
  assert.match(await page.text(), /<dd id="role">Auditor<\/dd>/);
});
