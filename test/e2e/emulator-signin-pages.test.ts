/**
 * The sign-in endpoint `POST /saml` over HTTP (IAM User Guide, "Enable SAML 2.0 federated principals to access the AWS
 * Management Console"): straight to the console for one role,
 * a role picker grouped by account for several, picker posts bound to the verified assertion, AWS's generic
 * error text for invalid responses with the reason in the log, and replay shared with STS.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { AssumeRoleWithSAMLCommand, STSClient } from '@aws-sdk/client-sts';
import {
  ROLE_ATTR,
  SESSION_ATTR,
  pair,
  providerArn,
  roleArn,
  startFederationWorld,
  trustPolicy,
  type FederationWorld,
} from './emulator-signin-setup.js';

const PROD = '333333333333';
const STAGING = '444444444444';
const GENERIC =
  /Your request included an invalid SAML response\. To logout, click <a href="\/console\/logout">here<\/a>\./;
let world: FederationWorld;

before(async () => {
  world = await startFederationWorld(
    [PROD, STAGING],
    [
      { account: PROD, name: 'Admin' },
      { account: PROD, name: 'ReadOnly' },
      { account: STAGING, name: 'Developer' },
      { account: STAGING, name: 'Locked', trust: trustPolicy(STAGING, { StringEquals: { 'saml:sub': 'nobody' } }) },
    ],
  );
});

after(async () => {
  await world.close();
});

const attrs = (pairs: readonly string[], session = 'dana') =>
  [
    [ROLE_ATTR, pairs],
    [SESSION_ATTR, [session]],
  ] as const;

function post(path: string, form: Record<string, string>, cookie?: string): Promise<Response> {
  return fetch(`${world.emulator.url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
    body: new URLSearchParams(form).toString(),
  });
}

async function consoleFor(res: Response): Promise<string> {
  assert.equal(res.status, 303, await res.clone().text());
  assert.equal(res.headers.get('location'), '/console');
  const cookie = res.headers.get('set-cookie')?.split(';')[0];
  assert.ok(cookie, 'a console session cookie is set');
  assert.match(res.headers.get('set-cookie') ?? '', /HttpOnly/);
  const page = await fetch(`${world.emulator.url}/console`, { headers: { cookie } });
  assert.equal(page.status, 200);
  return page.text();
}

test('one role in the assertion signs straight in to the console page showing account name and id, role and session', async () => {
  const html = await consoleFor(
    await post('/saml', { SAMLResponse: world.response({ attributes: attrs([pair(PROD, 'Admin')]) }), RelayState: '' }),
  );
  assert.match(html, /<dd id="account">Production \(333333333333\)<\/dd>/);
  assert.match(html, /<dd id="role">Admin<\/dd>/);
  assert.match(html, /<dd id="session-name">dana<\/dd>/);
  assert.match(html, /Signed in as federated user <strong id="federated-user">Admin\/dana<\/strong>/);
  assert.match(html, /<dd id="access-key-id">ASIA[A-Z2-7]{16}<\/dd>/);
  assert.doesNotMatch(html, /id="relay-state"/, 'an empty RelayState names no destination');
});

test('RelayState (the console URL AWS opens after sign-in) is kept through the role picker and shown, never followed; a non-https one is ignored', async () => {
  const ec2 = 'https://console.aws.amazon.com/ec2/home?region=eu-west-1#Instances:';
  const direct = await consoleFor(
    await post('/saml', {
      SAMLResponse: world.response({ attributes: attrs([pair(PROD, 'Admin')]) }),
      RelayState: ec2,
    }),
  );
  assert.ok(direct.includes(`<dd id="relay-state">${ec2}</dd>`), direct);
  const picker = await post('/saml', {
    SAMLResponse: world.response({ attributes: attrs([pair(PROD, 'ReadOnly'), pair(STAGING, 'Developer')]) }),
    RelayState: ec2,
  });
  const token = /name="SAMLPickerToken" value="([^"]+)"/.exec(await picker.text())![1]!;
  const picked = await consoleFor(
    await post('/saml', {
      SAMLPickerToken: token,
      roleIndex: roleArn(STAGING, 'Developer'),
      RelayState: 'https://evil.example.test/',
    }),
  );
  assert.ok(picked.includes(`<dd id="relay-state">${ec2}</dd>`), 'the picker form cannot change the destination');
  const script = await consoleFor(
    await post('/saml', {
      SAMLResponse: world.response({ attributes: attrs([pair(PROD, 'Admin')]) }),
      RelayState: 'javascript:alert(1)',
    }),
  );
  assert.doesNotMatch(script, /id="relay-state"|javascript:/);
  assert.ok(world.log.entries.some((e) => e.event === 'signin.relay-state-ignored'));
});

test('several roles show the role picker grouped by account with "Account: <name> (<id>)" headings, and the chosen role signs in', async () => {
  const res = await post('/saml', {
    SAMLResponse: world.response({
      attributes: attrs([pair(PROD, 'Admin'), pair(PROD, 'ReadOnly'), pair(STAGING, 'Developer')]),
    }),
  });
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /<form id="saml_form"/);
  assert.match(html, /<div class="saml-account-name">Account: Production \(333333333333\)<\/div>/);
  assert.match(html, /<div class="saml-account-name">Account: Staging \(444444444444\)<\/div>/);
  assert.equal((html.match(/class="saml-role"/g) ?? []).length, 3);
  const token = /name="SAMLPickerToken" value="([^"]+)"/.exec(html)?.[1];
  assert.ok(token);
  const consoleHtml = await consoleFor(
    await post('/saml', { SAMLPickerToken: token, roleIndex: roleArn(STAGING, 'Developer') }),
  );
  assert.match(consoleHtml, /<dd id="account">Staging \(444444444444\)<\/dd>/);
  assert.match(consoleHtml, /<dd id="role">Developer<\/dd>/);
});

test('a picker post naming a role the signed assertion did not carry is refused, and the token is single-use', async () => {
  const res = await post('/saml', {
    SAMLResponse: world.response({ attributes: attrs([pair(PROD, 'ReadOnly'), pair(STAGING, 'Developer')]) }),
  });
  const token = /name="SAMLPickerToken" value="([^"]+)"/.exec(await res.text())![1]!;
  const forged = await post('/saml', { SAMLPickerToken: token, roleIndex: roleArn(PROD, 'Admin') });
  assert.equal(forged.status, 400);
  assert.match(await forged.text(), GENERIC);
  const again = await post('/saml', { SAMLPickerToken: token, roleIndex: roleArn(PROD, 'ReadOnly') });
  assert.equal(again.status, 400, 'the token was consumed by the first post');
  assert.ok(
    world.log.entries.some(
      (e) =>
        e.event === 'signin.invalid-saml-response' &&
        e.fields.detail === 'the chosen role was not offered by the assertion',
    ),
  );
});

test("an unsigned response gets AWS's generic error text, with the real reason in the emulator log", async () => {
  const res = await post('/saml', {
    SAMLResponse: world.response({ sign: 'none', attributes: attrs([pair(PROD, 'Admin')]) }),
  });
  assert.equal(res.status, 400);
  const html = await res.text();
  assert.match(html, GENERIC);
  assert.doesNotMatch(html, /signature/i, 'the page does not reveal why');
  assert.ok(
    world.log.entries.some(
      (e) => e.event === 'signin.provider-rejected' && e.fields.message === 'Response signature invalid',
    ),
  );
});

test('garbage, a wrong audience and an unknown provider all get the generic error page', async () => {
  for (const SAMLResponse of [
    'not-base64!!',
    world.response({ audiences: ['https://app.example.test'], attributes: attrs([pair(PROD, 'Admin')]) }),
    world.response({ attributes: attrs([`${roleArn(PROD, 'Admin')},arn:aws:iam::${PROD}:saml-provider/Unknown`]) }),
  ]) {
    const res = await post('/saml', { SAMLResponse });
    assert.equal(res.status, 400);
    assert.match(await res.text(), GENERIC);
  }
});

test('a response used at /saml cannot be replayed at /saml or redeemed again through STS', async () => {
  const SAMLResponse = world.response({ attributes: attrs([pair(PROD, 'Admin')]) });
  await consoleFor(await post('/saml', { SAMLResponse }));
  const replay = await post('/saml', { SAMLResponse });
  assert.equal(replay.status, 400);
  const sts = new STSClient({
    endpoint: world.emulator.url,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: () => Promise.reject(new Error('unsigned')),
  });
  await assert.rejects(
    sts.send(
      new AssumeRoleWithSAMLCommand({
        RoleArn: roleArn(PROD, 'Admin'),
        PrincipalArn: providerArn(PROD),
        SAMLAssertion: SAMLResponse,
      }),
    ),
    (e: unknown) => (e as { Code?: string }).Code === 'InvalidIdentityToken',
  );
  sts.destroy();
});

test('/saml/acs/<IdP-ID> accepts the provider with that ID and refuses another ID', async () => {
  const uuid = world.emulator.iamReader.getSamlProviderByArn(providerArn(PROD))!.uuid;
  await consoleFor(
    await post(`/saml/acs/${uuid}`, { SAMLResponse: world.response({ attributes: attrs([pair(PROD, 'Admin')]) }) }),
  );
  const wrong = await post('/saml/acs/AAAAAAAAAAAAAAAAAAAAAAAA', {
    SAMLResponse: world.response({ attributes: attrs([pair(PROD, 'Admin')]) }),
  });
  assert.equal(wrong.status, 400);
});

test('a role whose trust policy forbids the user shows the STS AccessDenied error in the console form', async () => {
  const res = await post('/saml', { SAMLResponse: world.response({ attributes: attrs([pair(STAGING, 'Locked')]) }) });
  assert.equal(res.status, 403);
  assert.match(
    await res.text(),
    /Error: Not authorized to perform sts:AssumeRoleWithSAML \(Service: AWSSecurityTokenService; Status Code: 403; Error Code: AccessDenied; Request ID: [0-9a-f-]{36}\)/,
  );
});

test('the console without a session cookie says not signed in, and sign-out clears the session', async () => {
  const anonymous = await fetch(`${world.emulator.url}/console`);
  assert.equal(anonymous.status, 401);
  const res = await post('/saml', { SAMLResponse: world.response({ attributes: attrs([pair(PROD, 'ReadOnly')]) }) });
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const out = await fetch(`${world.emulator.url}/console/logout`, { headers: { cookie } });
  assert.equal(out.status, 200);
  assert.equal((await fetch(`${world.emulator.url}/console`, { headers: { cookie } })).status, 401);
});

test('a form post without SAMLResponse, or not form-encoded, gets the generic error page', async () => {
  assert.equal((await post('/saml', { RelayState: 'x' })).status, 400);
  const json = await fetch(`${world.emulator.url}/saml`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  assert.equal(json.status, 400);
  assert.match(await json.text(), GENERIC);
});
