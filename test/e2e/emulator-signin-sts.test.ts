/**
 * STS AssumeRoleWithSAML against the emulator through the real AWS SDK v3 STS client (unsigned: the client is
 * given a credential provider that fails if asked), with AWS's error codes and messages (AWS STS API Reference,
 * "AssumeRoleWithSAML"; IAM User Guide, "Troubleshoot SAML 2.0 federation with AWS").
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  AssumeRoleWithSAMLCommand,
  GetCallerIdentityCommand,
  STSClient,
  type AssumeRoleWithSAMLCommandInput,
} from '@aws-sdk/client-sts';
import { ALG } from '../../src/aws-emulator/saml-sp/namespaces.js';
import { createAssumeRoleWithSaml } from '../../src/aws-emulator/sts/assume-role-with-saml.js';
import { fixtureResponseXml, toBase64 } from '../../src/aws-emulator/saml-sp/fixture-idp.js';
import {
  IDP_ENTITY_ID,
  PROVIDER_NAME,
  ROLE_ATTR,
  SESSION_ATTR,
  SIGNIN,
  pair,
  providerArn,
  roleArn,
  startFederationWorld,
  trustPolicy,
  type FederationWorld,
} from './emulator-signin-setup.js';

const ACCT = '333333333333';
const MIN = 60_000;

let world: FederationWorld;
let sts: STSClient;

before(async () => {
  world = await startFederationWorld(
    [ACCT],
    [
      { account: ACCT, name: 'Admin' },
      {
        account: ACCT,
        name: 'Locked',
        trust: trustPolicy(ACCT, { StringEquals: { 'SAML:aud': 'https://eu-west-1.signin.aws.amazon.com/saml' } }),
      },
      { account: ACCT, name: 'Tagged', trust: trustPolicy(ACCT, {}, ['sts:AssumeRoleWithSAML', 'sts:TagSession']) },
      {
        account: ACCT,
        name: 'SubjectBound',
        trust: trustPolicy(ACCT, {
          StringLike: { 'saml:sub': '*@example.com' },
          'ForAnyValue:StringEquals': { 'saml:edupersonaffiliation': ['staff'] },
        }),
      },
      { account: ACCT, name: 'Short', maxSessionDuration: 3600 },
      {
        account: ACCT,
        name: 'Sourced',
        trust: trustPolicy(ACCT, {}, ['sts:AssumeRoleWithSAML', 'sts:SetSourceIdentity']),
      },
    ],
  );
  sts = new STSClient({
    endpoint: world.emulator.url,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: () =>
      Promise.reject(new Error('AssumeRoleWithSAML must be sent unsigned; the SDK asked for credentials')),
  });
});

after(async () => {
  sts.destroy();
  await world.close();
});

function input(
  role: string,
  assertion: string,
  extra: Partial<AssumeRoleWithSAMLCommandInput> = {},
): AssumeRoleWithSAMLCommandInput {
  return { RoleArn: roleArn(ACCT, role), PrincipalArn: providerArn(ACCT), SAMLAssertion: assertion, ...extra };
}

const roleAttrs = (role: string, session = 'alice', more: ReadonlyArray<readonly [string, readonly string[]]> = []) =>
  [[ROLE_ATTR, [pair(ACCT, role)]], [SESSION_ATTR, [session]], ...more] as const;

async function expectError(
  i: AssumeRoleWithSAMLCommandInput,
  code: string,
  message: string | RegExp,
  status: number,
): Promise<void> {
  await assert.rejects(sts.send(new AssumeRoleWithSAMLCommand(i)), (error: unknown) => {
    // `Code` is the code on the wire; `name` is the SDK's class for it (InvalidIdentityTokenException, …).
    const e = error as { Code?: string; message: string; $metadata?: { httpStatusCode?: number } };
    assert.equal(e.Code, code, e.message);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    assert.equal(e.$metadata?.httpStatusCode, status);
    return true;
  });
}

describe('AssumeRoleWithSAML succeeds for a valid assertion (STSAPI response elements)', () => {
  test('returns ASIA credentials, the assumed-role ARN, Subject, SubjectType, Issuer, Audience = Recipient and NameQualifier, and the credentials work with GetCallerIdentity', async () => {
    const out = await sts.send(
      new AssumeRoleWithSAMLCommand(input('Admin', world.response({ attributes: roleAttrs('Admin') }))),
    );
    assert.match(out.Credentials?.AccessKeyId ?? '', /^ASIA[A-Z2-7]{16}$/);
    assert.ok(out.Credentials?.SecretAccessKey && out.Credentials.SessionToken);
    assert.ok(
      out.Credentials?.Expiration instanceof Date && out.Credentials.Expiration.getTime() > Date.now() + 3500_000,
    );
    assert.equal(out.AssumedRoleUser?.Arn, `arn:aws:sts::${ACCT}:assumed-role/Admin/alice`);
    assert.match(out.AssumedRoleUser?.AssumedRoleId ?? '', /^AROA[A-Z0-9]+:alice$/);
    assert.equal(out.Subject, 'alice@example.com');
    assert.equal(out.SubjectType, 'persistent');
    assert.equal(out.Issuer, IDP_ENTITY_ID);
    assert.equal(out.Audience, SIGNIN);
    const expected = createHash('sha1').update(`${IDP_ENTITY_ID}${ACCT}/${PROVIDER_NAME}`).digest('base64');
    assert.equal(out.NameQualifier, expected);
    assert.equal(out.PackedPolicySize, undefined);

    const asRole = new STSClient({
      endpoint: world.emulator.url,
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: {
        accessKeyId: out.Credentials!.AccessKeyId!,
        secretAccessKey: out.Credentials!.SecretAccessKey!,
        sessionToken: out.Credentials!.SessionToken!,
      },
    });
    const me = await asRole.send(new GetCallerIdentityCommand({}));
    asRole.destroy();
    assert.equal(me.Arn, `arn:aws:sts::${ACCT}:assumed-role/Admin/alice`);
    assert.equal(me.Account, ACCT);
  });

  test('accepts a Role value with the provider ARN first (Okta order) and a signed Response instead of a signed Assertion', async () => {
    const okta = `${providerArn(ACCT)},${roleArn(ACCT, 'Admin')}`;
    const out = await sts.send(
      new AssumeRoleWithSAMLCommand(
        input(
          'Admin',
          world.response({
            sign: 'response',
            attributes: [
              [ROLE_ATTR, [okta]],
              [SESSION_ATTR, ['bob']],
            ],
          }),
        ),
      ),
    );
    assert.equal(out.AssumedRoleUser?.Arn, `arn:aws:sts::${ACCT}:assumed-role/Admin/bob`);
  });

  test('SubjectType keeps a non-SAML-2.0 format unchanged, and trust conditions on saml:sub and multi-valued attributes apply', async () => {
    const out = await sts.send(
      new AssumeRoleWithSAMLCommand(
        input(
          'SubjectBound',
          world.response({
            nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
            attributes: roleAttrs('SubjectBound', 'alice', [['urn:oid:1.3.6.1.4.1.5923.1.1.1.1', ['member', 'staff']]]),
          }),
        ),
      ),
    );
    assert.equal(out.SubjectType, 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress');
    await expectError(
      input(
        'SubjectBound',
        world.response({
          attributes: roleAttrs('SubjectBound', 'alice', [['urn:oid:1.3.6.1.4.1.5923.1.1.1.1', ['student']]]),
        }),
      ),
      'AccessDenied',
      'Not authorized to perform sts:AssumeRoleWithSAML',
      403,
    );
  });

  test('PrincipalTag attributes become session tags when the trust policy allows sts:TagSession, and PackedPolicySize is reported', async () => {
    const tag: readonly [string, readonly string[]] = [
      'https://aws.amazon.com/SAML/Attributes/PrincipalTag:Project',
      ['Apollo'],
    ];
    const out = await sts.send(
      new AssumeRoleWithSAMLCommand(
        input('Tagged', world.response({ attributes: roleAttrs('Tagged', 'alice', [tag]) })),
      ),
    );
    assert.ok(typeof out.PackedPolicySize === 'number' && out.PackedPolicySize > 0 && out.PackedPolicySize <= 100);
    await expectError(
      input('Admin', world.response({ attributes: roleAttrs('Admin', 'alice', [tag]) })),
      'AccessDenied',
      'Not authorized to perform sts:AssumeRoleWithSAML',
      403,
    );
  });

  test('SourceIdentity needs sts:SetSourceIdentity in the trust policy and is returned when allowed', async () => {
    const source: readonly [string, readonly string[]] = [
      'https://aws.amazon.com/SAML/Attributes/SourceIdentity',
      ['alice.src'],
    ];
    const out = await sts.send(
      new AssumeRoleWithSAMLCommand(
        input('Sourced', world.response({ attributes: roleAttrs('Sourced', 'alice', [source]) })),
      ),
    );
    assert.equal(out.SourceIdentity, 'alice.src');
    await expectError(
      input('Admin', world.response({ attributes: roleAttrs('Admin', 'alice', [source]) })),
      'AccessDenied',
      'Not authorized to perform sts:AssumeRoleWithSAML',
      403,
    );
  });

  test('a comment inside NameID cannot truncate the Subject (comment-injection)', async () => {
    const xml = fixtureResponseXml(
      { issuer: IDP_ENTITY_ID, nameId: 'alice@example.com.evil.test', attributes: roleAttrs('Admin') },
      world.idpKey,
    ).replace('alice@example.com.evil.test', 'alice@example.com<!---->.evil.test');
    const out = await sts.send(new AssumeRoleWithSAMLCommand(input('Admin', toBase64(xml))));
    assert.equal(out.Subject, 'alice@example.com.evil.test');
  });

  test('a comment inside the RoleSessionName value cannot truncate it', async () => {
    const xml = fixtureResponseXml(
      { issuer: IDP_ENTITY_ID, attributes: roleAttrs('Admin', 'alice.admin') },
      world.idpKey,
    ).replace('>alice.admin<', '>alice<!---->.admin<');
    const out = await sts.send(new AssumeRoleWithSAMLCommand(input('Admin', toBase64(xml))));
    assert.equal(out.AssumedRoleUser?.Arn, `arn:aws:sts::${ACCT}:assumed-role/Admin/alice.admin`);
  });
});

describe('AssumeRoleWithSAML refuses bad assertions with AWS error codes (AWS STS API Reference, "AssumeRoleWithSAML"; IAM User Guide, "Troubleshoot SAML 2.0 federation with AWS")', () => {
  test('an unsigned assertion: InvalidIdentityToken "Response signature invalid"', async () => {
    await expectError(
      input('Admin', world.response({ sign: 'none', attributes: roleAttrs('Admin') })),
      'InvalidIdentityToken',
      'Response signature invalid',
      400,
    );
  });

  test('a self-signed assertion carrying its own certificate in KeyInfo: InvalidIdentityToken "Response signature invalid"', async () => {
    await expectError(
      input('Admin', world.response({ key: world.otherKey, keyInfo: true, attributes: roleAttrs('Admin') })),
      'InvalidIdentityToken',
      'Response signature invalid',
      400,
    );
  });

  test('RSA-SHA1 signatures are refused by default: InvalidIdentityToken', async () => {
    await expectError(
      input(
        'Admin',
        world.response({ signatureAlgorithm: ALG.rsaSha1, digestAlgorithm: ALG.sha1, attributes: roleAttrs('Admin') }),
      ),
      'InvalidIdentityToken',
      'Response signature invalid',
      400,
    );
  });

  test('a valid signature over a different element (wrapping): InvalidIdentityToken', async () => {
    const genuine = Buffer.from(world.response({ attributes: roleAttrs('Admin', 'alice') }), 'base64').toString('utf8');
    // The attacker keeps the signed Assertion and adds a forged one that grants another role.
    const signedAssertion = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(genuine)![0];
    const forged = signedAssertion
      .replace(/ID="[^"]+"/, 'ID="_forged"')
      .replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '')
      .replace('role/Admin', 'role/Tagged');
    const wrapped = genuine.replace(signedAssertion, `${forged}${signedAssertion}`);
    await expectError(input('Tagged', toBase64(wrapped)), 'InvalidIdentityToken', /^Invalid SAML Response/, 400);
  });

  test('a tampered twin (Role value changed after signing): InvalidIdentityToken "Response signature invalid"', async () => {
    const xml = Buffer.from(world.response({ attributes: roleAttrs('Admin') }), 'base64')
      .toString('utf8')
      .replace('role/Admin', 'role/Tagged');
    await expectError(input('Tagged', toBase64(xml)), 'InvalidIdentityToken', 'Response signature invalid', 400);
  });

  test('not base64 and not XML: InvalidIdentityToken', async () => {
    await expectError(
      input('Admin', 'this is not base64!'),
      'InvalidIdentityToken',
      /^Invalid base64 SAMLResponse/,
      400,
    );
    await expectError(input('Admin', toBase64('<not-saml/>')), 'InvalidIdentityToken', /^Invalid SAML Response/, 400);
  });

  test('a provider that does not exist: InvalidIdentityToken "Specified provider doesn\'t exist"', async () => {
    await expectError(
      input('Admin', world.response({ attributes: roleAttrs('Admin') }), {
        PrincipalArn: `arn:aws:iam::${ACCT}:saml-provider/Nope`,
      }),
      'InvalidIdentityToken',
      /^Specified provider doesn't exist/,
      400,
    );
  });

  test('an Issuer that is not the metadata entityID: InvalidIdentityToken "Issuer not present in specified provider"', async () => {
    await expectError(
      input('Admin', world.response({ issuer: 'https://other-idp.example.test', attributes: roleAttrs('Admin') })),
      'InvalidIdentityToken',
      /^Issuer not present in specified provider/,
      400,
    );
  });

  test('a wrong audience: InvalidIdentityToken "Response does not contain the required audience."', async () => {
    await expectError(
      input('Admin', world.response({ audiences: ['https://app.example.test'], attributes: roleAttrs('Admin') })),
      'InvalidIdentityToken',
      'Response does not contain the required audience.',
      400,
    );
  });

  test('a wrong Recipient: InvalidIdentityToken', async () => {
    await expectError(
      input('Admin', world.response({ recipient: 'https://evil.example.test/saml', attributes: roleAttrs('Admin') })),
      'InvalidIdentityToken',
      'Response does not contain a valid SubjectConfirmation Recipient.',
      400,
    );
  });

  test('an expired assertion: ExpiredTokenException "Response has expired"', async () => {
    const t = Date.now() - 4 * MIN;
    await expectError(
      input(
        'Admin',
        world.response({
          issueInstant: t,
          notOnOrAfter: t + MIN,
          subjectNotOnOrAfter: t + MIN,
          attributes: roleAttrs('Admin'),
        }),
      ),
      'ExpiredTokenException',
      'Response has expired',
      400,
    );
  });

  test('an assertion issued over 5 minutes ago: ExpiredTokenException "Token must be redeemed within 5 minutes of issuance"', async () => {
    const t = Date.now() - 6 * MIN;
    await expectError(
      input(
        'Admin',
        world.response({
          issueInstant: t,
          notOnOrAfter: t + 60 * MIN,
          subjectNotOnOrAfter: t + 60 * MIN,
          attributes: roleAttrs('Admin'),
        }),
      ),
      'ExpiredTokenException',
      'Token must be redeemed within 5 minutes of issuance',
      400,
    );
  });

  test('an assertion from the future: InvalidIdentityToken "Response is not yet valid"', async () => {
    const t = Date.now() + 10 * MIN;
    await expectError(
      input('Admin', world.response({ issueInstant: t, attributes: roleAttrs('Admin') })),
      'InvalidIdentityToken',
      'Response is not yet valid',
      400,
    );
  });

  test('the same assertion redeemed twice: the second is refused', async () => {
    const assertion = world.response({ attributes: roleAttrs('Admin') });
    await sts.send(new AssumeRoleWithSAMLCommand(input('Admin', assertion)));
    await expectError(input('Admin', assertion), 'InvalidIdentityToken', 'SAML assertion has already been used', 400);
  });

  test('a role that is not in the Role attribute: AccessDenied', async () => {
    await expectError(
      input('Tagged', world.response({ attributes: roleAttrs('Admin') })),
      'AccessDenied',
      'Not authorized to perform sts:AssumeRoleWithSAML',
      403,
    );
  });

  test('a role whose trust policy forbids it (SAML:aud condition not met): AccessDenied', async () => {
    await expectError(
      input('Locked', world.response({ attributes: roleAttrs('Locked') })),
      'AccessDenied',
      'Not authorized to perform sts:AssumeRoleWithSAML',
      403,
    );
  });

  test('a role that does not exist: AccessDenied', async () => {
    await expectError(
      input('Ghost', world.response({ attributes: roleAttrs('Ghost') })),
      'AccessDenied',
      'Not authorized to perform sts:AssumeRoleWithSAML',
      403,
    );
  });

  test('no NameID: AccessDenied', async () => {
    await expectError(
      input('Admin', world.response({ nameId: null, attributes: roleAttrs('Admin') })),
      'AccessDenied',
      'Not authorized to perform sts:AssumeRoleWithSAML',
      403,
    );
  });

  test('a RoleSessionName that breaks the pattern, or none: InvalidIdentityToken with the documented messages', async () => {
    await expectError(
      input('Admin', world.response({ attributes: roleAttrs('Admin', 'alice smith') })),
      'InvalidIdentityToken',
      'RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}',
      400,
    );
    await expectError(
      input('Admin', world.response({ attributes: [[ROLE_ATTR, [pair(ACCT, 'Admin')]]] })),
      'InvalidIdentityToken',
      'RoleSessionName is required in AuthnResponse',
      400,
    );
  });

  test('a SourceIdentity beginning with aws: is refused with the documented message', async () => {
    await expectError(
      input(
        'Admin',
        world.response({
          attributes: roleAttrs('Admin', 'alice', [
            ['https://aws.amazon.com/SAML/Attributes/SourceIdentity', ['aws:admin']],
          ]),
        }),
      ),
      'InvalidIdentityToken',
      'Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with "aws:"',
      400,
    );
  });

  test('DurationSeconds over the role MaxSessionDuration: ValidationError', async () => {
    await expectError(
      input('Short', world.response({ attributes: roleAttrs('Short') }), { DurationSeconds: 7200 }),
      'ValidationError',
      'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
      400,
    );
  });

  test('DurationSeconds under 900: ValidationError naming the model constraint', async () => {
    await expectError(
      input('Admin', world.response({ attributes: roleAttrs('Admin') }), { DurationSeconds: 60 }),
      'ValidationError',
      "1 validation error detected: Value '60' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
      400,
    );
  });

  test('a session Policy that is not JSON: MalformedPolicyDocument', async () => {
    await expectError(
      input('Admin', world.response({ attributes: roleAttrs('Admin') }), { Policy: '{not json' }),
      'MalformedPolicyDocument',
      /invalid Json/,
      400,
    );
  });

  test('checks run in AWS order: the provider before the issuer, the issuer before the signature', async () => {
    const unsignedForeign = world.response({
      sign: 'none',
      issuer: 'https://other-idp.example.test',
      attributes: roleAttrs('Admin'),
    });
    await expectError(
      input('Admin', unsignedForeign, { PrincipalArn: `arn:aws:iam::${ACCT}:saml-provider/Nope` }),
      'InvalidIdentityToken',
      /^Specified provider doesn't exist/,
      400,
    );
    await expectError(
      input('Admin', unsignedForeign),
      'InvalidIdentityToken',
      /^Issuer not present in specified provider/,
      400,
    );
  });

  test('a signed Response whose Destination is not an AWS sign-in URL: InvalidIdentityToken', async () => {
    await expectError(
      input(
        'Admin',
        world.response({
          sign: 'response',
          destination: 'https://evil.example.test/acs',
          attributes: roleAttrs('Admin'),
        }),
      ),
      'InvalidIdentityToken',
      'Response does not contain a valid SubjectConfirmation Recipient.',
      400,
    );
  });

  test('a signed Response whose status is not Success: IDPRejectedClaim (403)', async () => {
    await expectError(
      input(
        'Admin',
        world.response({
          sign: 'response',
          statusCode: 'urn:oasis:names:tc:SAML:2.0:status:Responder',
          attributes: roleAttrs('Admin'),
        }),
      ),
      'IDPRejectedClaim',
      'The identity provider (IdP) reported that authentication failed.',
      403,
    );
  });

  test('a regional sign-in Recipient is accepted and reported as Audience', async () => {
    const regional = 'https://eu-west-1.signin.aws.amazon.com/saml';
    const out = await sts.send(
      new AssumeRoleWithSAMLCommand(
        input('Locked', world.response({ recipient: regional, attributes: roleAttrs('Locked') })),
      ),
    );
    assert.equal(out.Audience, regional);
  });

  test('the documented allowSha1 switch makes the operation accept RSA-SHA1 signatures', async () => {
    const operation = createAssumeRoleWithSaml({ ...world.emulator.services, allowSha1: true });
    const params = new URLSearchParams({
      RoleArn: roleArn(ACCT, 'Admin'),
      PrincipalArn: providerArn(ACCT),
      SAMLAssertion: world.response({
        signatureAlgorithm: ALG.rsaSha1,
        digestAlgorithm: ALG.sha1,
        attributes: roleAttrs('Admin', 'sha1user'),
      }),
    });
    const xml = await operation(params, null);
    assert.match(xml ?? '', /<Arn>arn:aws:sts::333333333333:assumed-role\/Admin\/sha1user<\/Arn>/);
  });

  test('the emulator logs the real reason of a rejection and keeps serving', async () => {
    await expectError(
      input('Admin', world.response({ sign: 'none', attributes: roleAttrs('Admin') })),
      'InvalidIdentityToken',
      'Response signature invalid',
      400,
    );
    const last = world.log.entries.filter((e) => e.event === 'saml.rejected').at(-1);
    assert.equal(last?.fields.code, 'unsigned');
    const out = await sts.send(
      new AssumeRoleWithSAMLCommand(input('Admin', world.response({ attributes: roleAttrs('Admin') }))),
    );
    assert.ok(out.Credentials?.AccessKeyId);
  });
});
