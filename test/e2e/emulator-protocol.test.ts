/**
 * The emulator's front door under bad input: routing errors, malformed Query bodies, unknown X-Amz-Target,
 * SigV4 failures and expired temporary credentials each get the error code a real AWS client sees (AWS common
 * errors; the request shapes of docs/contributing.md, "Peers worth knowing"), and the emulator keeps serving.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import type { BuildMiddleware, MetadataBearer } from '@smithy/types';
import { createMemoryLogger, startEmulator } from '../../src/aws-emulator/index.js';
import type { MemoryLogger, RunningEmulator } from '../../src/aws-emulator/index.js';
import { AMZ_JSON, FORM, issueRoleSession, sdkConfig, signedFetch, xmlErrorCode } from './emulator-helpers.js';

const MGMT = '111111111111';
let emulator: RunningEmulator;
let clock = Date.now();
let log: MemoryLogger;

async function sdkRejects(promise: Promise<unknown>, name: string, status: number): Promise<void> {
  await assert.rejects(promise, (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(e.name, name, `${e.name}: ${e.message}`);
    assert.equal(e.$metadata?.httpStatusCode, status);
    return true;
  });
}

/** A build-step middleware (runs before signing) that rewrites the request as a broken client would. */
function rewrite(
  fn: (req: { headers: Record<string, string>; body: unknown }) => void,
): BuildMiddleware<object, MetadataBearer> {
  return (next) => async (args) => {
    fn(args.request as { headers: Record<string, string>; body: unknown });
    return next(args);
  };
}

async function stillServing(): Promise<void> {
  const id = await new STSClient(sdkConfig(emulator.url, emulator.rootCredentials(MGMT))).send(
    new GetCallerIdentityCommand({}),
  );
  assert.equal(id.Account, MGMT);
}

before(async () => {
  log = createMemoryLogger();
  emulator = await startEmulator({ logger: log, registrations: [], now: () => clock });
});

after(async () => {
  await emulator.close();
});

describe('routing and Query parsing', () => {
  test('answers an unknown Query action with InvalidAction (SDK e.name, XML ErrorResponse)', async () => {
    const iam = new IAMClient(sdkConfig(emulator.url, emulator.rootCredentials(MGMT)));
    iam.middlewareStack.add(
      rewrite((req) => {
        req.body = String(req.body).replace('Action=ListRoles', 'Action=ListRolez');
      }),
      { step: 'build' },
    );
    await sdkRejects(iam.send(new ListRolesCommand({})), 'InvalidAction', 400);
    const raw = await signedFetch(emulator.url, {
      service: 'iam',
      headers: FORM,
      body: 'Action=Frobnicate&Version=2010-05-08',
      credentials: emulator.rootCredentials(MGMT),
    });
    assert.equal(raw.status, 400);
    assert.equal(xmlErrorCode(raw.body), 'InvalidAction');
    assert.match(
      raw.body,
      /<ErrorResponse xmlns="https:\/\/iam.amazonaws.com\/doc\/2010-05-08\/"><Error><Type>Sender<\/Type><Code>InvalidAction<\/Code><Message>Could not find operation Frobnicate for version 2010-05-08<\/Message><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>/,
    );
    await stillServing();
  });

  test('refuses malformed Query bodies: bad percent-encoding, bytes that are not UTF-8, missing Action or Version', async () => {
    const creds = emulator.rootCredentials(MGMT);
    const cases: [string, string, number][] = [
      ['Action=ListRoles&Version=2010-05-08&Marker=%zz', 'MalformedQueryString', 404],
      ['Action=ListRoles&Version=2010-05-08&Marker=%C3%28', 'MalformedQueryString', 404],
      ['Version=2010-05-08', 'MissingAction', 400],
      ['Action=&Version=2010-05-08', 'MissingAction', 400],
      ['Action=ListRoles', 'MissingParameter', 400],
      ['Action=ListRoles&Version=1999-01-01', 'NoSuchVersion', 400],
      ['Action=ListRoles&Version=2010-05-08&MaxItems=abc', 'ValidationError', 400],
      ['Action=GetRole&Version=2010-05-08', 'ValidationError', 400],
    ];
    for (const [body, code, status] of cases) {
      const res = await signedFetch(emulator.url, { service: 'iam', headers: FORM, body, credentials: creds });
      assert.equal(xmlErrorCode(res.body), code, `${body}: ${res.body}`);
      assert.equal(res.status, status, body);
    }
    const binary = await fetch(emulator.url, {
      method: 'POST',
      headers: FORM,
      body: Buffer.from([0x41, 0x63, 0xff, 0xfe]),
    });
    assert.equal(xmlErrorCode(await binary.text()), 'MalformedQueryString');
    const notForm = await fetch(emulator.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"Action":"ListRoles"}',
    });
    assert.equal(xmlErrorCode(await notForm.text()), 'MissingAction');
    await stillServing();
  });

  test('answers an unknown X-Amz-Target with UnknownOperationException, a bad JSON body with SerializationException', async () => {
    const orgs = new OrganizationsClient(sdkConfig(emulator.url, emulator.rootCredentials(MGMT)));
    orgs.middlewareStack.add(
      rewrite((req) => {
        req.headers['x-amz-target'] = 'AWSOrganizationsV20161128.ListAccountz';
      }),
      { step: 'build' },
    );
    await sdkRejects(orgs.send(new ListAccountsCommand({})), 'UnknownOperationException', 400);
    const creds = emulator.rootCredentials(MGMT);
    for (const target of [
      'NoSuchService_20200101.ListAccounts',
      'AWSOrganizationsV20161128',
      'AWSOrganizationsV20161128.toString',
      'AWSOrganizationsV20161128.__proto__',
    ]) {
      const res = await signedFetch(emulator.url, {
        service: 'organizations',
        headers: { ...AMZ_JSON, 'x-amz-target': target },
        body: '{}',
        credentials: creds,
      });
      assert.equal(res.status, 400, target);
      assert.equal(JSON.parse(res.body).__type, 'UnknownOperationException', target);
      assert.equal(res.headers.get('x-amzn-errortype'), 'UnknownOperationException');
    }
    for (const body of ['{', '[]', '"x"', '{"MaxResults":']) {
      const res = await signedFetch(emulator.url, {
        service: 'organizations',
        headers: { ...AMZ_JSON, 'x-amz-target': 'AWSOrganizationsV20161128.ListAccounts' },
        body,
        credentials: creds,
      });
      assert.equal(JSON.parse(res.body).__type, 'SerializationException', body);
    }
    await stillServing();
  });

  test('refuses a body over the size cap with 413 and keeps serving', async () => {
    const res = await fetch(emulator.url, {
      method: 'POST',
      headers: FORM,
      body: Buffer.alloc(33 * 1024 * 1024, 0x61),
    });
    assert.equal(res.status, 413);
    assert.equal(xmlErrorCode(await res.text()), 'RequestEntityTooLarge');
    await stillServing();
  });
});

describe('Signature Version 4', () => {
  test('a request without Authorization gets MissingAuthenticationToken (Query) / MissingAuthenticationTokenException (JSON)', async () => {
    const q = await signedFetch(emulator.url, {
      service: 'iam',
      headers: FORM,
      body: 'Action=ListRoles&Version=2010-05-08',
    });
    assert.equal(q.status, 403);
    assert.equal(xmlErrorCode(q.body), 'MissingAuthenticationToken');
    const j = await signedFetch(emulator.url, {
      service: 'organizations',
      headers: { ...AMZ_JSON, 'x-amz-target': 'AWSOrganizationsV20161128.ListAccounts' },
      body: '{}',
    });
    assert.equal(JSON.parse(j.body).__type, 'MissingAuthenticationTokenException');
  });

  test('a wrong secret gets SignatureDoesNotMatch (Query) and InvalidSignatureException (JSON)', async () => {
    const wrong = { accessKeyId: emulator.rootCredentials(MGMT).accessKeyId, secretAccessKey: 'not-the-secret-at-all' };
    await sdkRejects(
      new IAMClient(sdkConfig(emulator.url, wrong)).send(new ListRolesCommand({})),
      'SignatureDoesNotMatch',
      403,
    );
    await sdkRejects(
      new STSClient(sdkConfig(emulator.url, wrong)).send(new GetCallerIdentityCommand({})),
      'SignatureDoesNotMatch',
      403,
    );
    await sdkRejects(
      new OrganizationsClient(sdkConfig(emulator.url, wrong)).send(new ListAccountsCommand({})),
      'InvalidSignatureException',
      400,
    );
  });

  test('a request tampered with after signing (body, signed header, signature) gets SignatureDoesNotMatch', async () => {
    const creds = emulator.rootCredentials(MGMT);
    const tampers: [string, (r: { headers: Record<string, string>; body: string }) => void][] = [
      [
        'body changed',
        (r) => {
          r.body = r.body.replace('MaxItems=5', 'MaxItems=6');
        },
      ],
      [
        'body changed with a matching x-amz-content-sha256',
        (r) => {
          r.body = r.body.replace('MaxItems=5', 'MaxItems=6');
          r.headers['x-amz-content-sha256'] = createHash('sha256').update(r.body).digest('hex');
        },
      ],
      [
        'body changed, x-amz-content-sha256 of the original kept',
        (r) => {
          r.headers['x-amz-content-sha256'] = createHash('sha256').update(r.body).digest('hex');
          r.body = r.body.replace('MaxItems=5', 'MaxItems=6');
        },
      ],
      [
        'signature flipped',
        (r) => {
          r.headers.authorization = (r.headers.authorization ?? '').replace(
            /Signature=(.)/,
            (_m, c: string) => `Signature=${c === 'a' ? 'b' : 'a'}`,
          );
        },
      ],
      [
        'signed header changed',
        (r) => {
          r.headers['content-type'] = 'application/x-www-form-urlencoded';
        },
      ],
    ];
    for (const [label, tamper] of tampers) {
      const res = await signedFetch(emulator.url, {
        service: 'iam',
        headers: FORM,
        body: 'Action=ListRoles&Version=2010-05-08&MaxItems=5',
        credentials: creds,
        tamper,
      });
      assert.equal(xmlErrorCode(res.body), 'SignatureDoesNotMatch', `${label}: ${res.body}`);
      assert.equal(res.status, 403, label);
    }
  });

  test('an unknown access key gets InvalidClientTokenId (Query) and UnrecognizedClientException (JSON)', async () => {
    const unknown = { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'whatever-secret-1234' };
    await sdkRejects(
      new IAMClient(sdkConfig(emulator.url, unknown)).send(new ListRolesCommand({})),
      'InvalidClientTokenId',
      403,
    );
    await sdkRejects(
      new OrganizationsClient(sdkConfig(emulator.url, unknown)).send(new ListAccountsCommand({})),
      'UnrecognizedClientException',
      400,
    );
  });

  test('a scope naming another service, a stale date or a malformed Authorization header is refused', async () => {
    const creds = emulator.rootCredentials(MGMT);
    const wrongService = await signedFetch(emulator.url, {
      service: 'sts',
      headers: FORM,
      body: 'Action=ListRoles&Version=2010-05-08',
      credentials: creds,
    });
    assert.equal(xmlErrorCode(wrongService.body), 'SignatureDoesNotMatch');
    assert.match(
      wrongService.body,
      /Credential should be scoped to correct service: &apos;iam&apos;|Credential should be scoped to correct service: 'iam'/,
    );
    const stale = await signedFetch(emulator.url, {
      service: 'iam',
      headers: FORM,
      body: 'Action=ListRoles&Version=2010-05-08',
      credentials: creds,
      signingDate: new Date(clock - 16 * 60_000),
    });
    assert.equal(xmlErrorCode(stale.body), 'SignatureDoesNotMatch');
    assert.match(stale.body, /Signature expired/);
    const garbled = await signedFetch(emulator.url, {
      service: 'iam',
      headers: FORM,
      body: 'Action=ListRoles&Version=2010-05-08',
      credentials: creds,
      tamper: (r) => {
        r.headers.authorization = 'AWS4-HMAC-SHA256 Credential=AKIA/x, Signature=00';
      },
    });
    assert.equal(xmlErrorCode(garbled.body), 'IncompleteSignature');
    const noDate = await signedFetch(emulator.url, {
      service: 'iam',
      headers: FORM,
      body: 'Action=ListRoles&Version=2010-05-08',
      credentials: creds,
      tamper: (r) => void delete r.headers['x-amz-date'],
    });
    assert.equal(xmlErrorCode(noDate.body), 'IncompleteSignature');
  });

  test('temporary credentials need their session token and stop working when they expire (ExpiredToken)', async () => {
    const { keys } = issueRoleSession(emulator, MGMT, 'Short', 'bob', 900);
    const sts = new STSClient(sdkConfig(emulator.url, keys));
    assert.equal((await sts.send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:sts::${MGMT}:assumed-role/Short/bob`);
    const withoutToken = { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey };
    await sdkRejects(
      new STSClient(sdkConfig(emulator.url, withoutToken)).send(new GetCallerIdentityCommand({})),
      'InvalidClientTokenId',
      403,
    );
    const otherToken = { ...keys, sessionToken: `${keys.sessionToken.slice(0, -4)}AAAA` };
    await sdkRejects(
      new STSClient(sdkConfig(emulator.url, otherToken)).send(new GetCallerIdentityCommand({})),
      'InvalidClientTokenId',
      403,
    );
    clock += 901_000;
    try {
      await sdkRejects(sts.send(new GetCallerIdentityCommand({})), 'ExpiredToken', 403);
      await sdkRejects(
        new OrganizationsClient(sdkConfig(emulator.url, keys)).send(new ListAccountsCommand({})),
        'ExpiredTokenException',
        400,
      );
    } finally {
      clock -= 901_000;
    }
  });

  test('logs every rejection with its code but never the secret or the request body', async () => {
    const codes = new Set(log.entries.map((e) => e.fields.error));
    for (const code of [
      'SignatureDoesNotMatch',
      'InvalidClientTokenId',
      'ExpiredToken',
      'MissingAuthenticationToken',
      'InvalidAction',
    ])
      assert.ok(codes.has(code), code);
    const text = JSON.stringify(log.entries);
    assert.ok(!text.includes(emulator.rootCredentials(MGMT).secretAccessKey));
    assert.ok(!text.includes('MaxItems=5'));
  });
});
