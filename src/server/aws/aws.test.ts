import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { newSessionSecrets, hashPassword, newTotpSecret, seal, totpCode, totpStep } from '../../auth/index.js';
import { createTotpStore } from '../../store/index.js';
import { deriveKey } from '../config.js';
import { AWS_ATTR, systemActor, type Group, type User } from '../../core/index.js';
import { startTestServer, type TestServer } from '../testing.js';
import { createSamlRuntimeFrom } from '../saml/runtime.js';
import { applicationTypeFactories } from '../saml/app-types.js';

const actor = systemActor('test');
const SIGNIN = 'http://127.0.0.1:4566/saml';

const roleValues = (b64: string): string[] => {
  const xml = Buffer.from(b64, 'base64').toString('utf8');
  const attr = new RegExp(
    `<saml:Attribute Name="${AWS_ATTR.role.replace(/[/.]/g, '\\$&')}"[^>]*>(.*?)</saml:Attribute>`,
  ).exec(xml);
  return attr
    ? [...attr[1]!.matchAll(/<saml:AttributeValue[^>]*>([^<]*)<\/saml:AttributeValue>/g)].map((m) => m[1]!)
    : [];
};

describe('Pattern A over HTTP: admin API, CLI sign-in and assertion, portal tile', () => {
  let s: TestServer;
  let alice: User;
  let backend: Group;
  let developers: Group;
  let appId: string;
  const auth = () => ({ authorization: `Bearer ${s.token}` });
  const api = async (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) =>
    s.app.inject({ method, url, headers: auth(), ...(payload ? { payload: payload as object } : {}) });

  before(async () => {
    s = await startTestServer({ KEYWAY_BASE_URL: 'http://127.0.0.1:8080' });
    const dir = s.store.directory;
    alice = await dir.createUser(actor, { userName: 'alice', emails: [{ value: 'alice@example.com', primary: true }] });
    await s.store.credentials.setPassword(alice.id, await hashPassword('correct horse battery'));
    developers = await dir.createGroup(actor, { displayName: 'Developers' });
    backend = await dir.createGroup(actor, { displayName: 'Backend' });
    const ops = await dir.createGroup(actor, { displayName: 'Operators' });
    // alice reaches Developers only through the nested Backend group.
    await dir.addMember(actor, developers.id, { kind: 'group', id: backend.id });
    await dir.addMember(actor, backend.id, { kind: 'user', id: alice.id });
    await dir.addMember(actor, ops.id, { kind: 'user', id: alice.id });
    const rt = createSamlRuntimeFrom({
      config: s.config,
      store: s.store,
      types: applicationTypeFactories.map((f) => f({ store: s.store, config: s.config })),
    });
    const app = await rt.apps.create(actor, {
      type: 'aws-iam',
      name: 'AWS',
      acs: [{ url: SIGNIN }],
      allowedGroupIds: [developers.id, ops.id],
    });
    appId = app.id;
  });
  after(async () => s.close());

  test('accounts and bindings through the admin API, by name, with errors naming the bad value', async () => {
    assert.equal((await api('POST', '/api/v1/aws/accounts', { id: '444444444444', name: 'Staging' })).statusCode, 201);
    assert.equal(
      (await api('POST', '/api/v1/aws/accounts', { id: '333333333333', name: 'Production' })).statusCode,
      201,
    );
    const bad = await api('POST', '/api/v1/aws/accounts', { id: '12', name: 'x' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().message, /"12" must be exactly 12 digits/);
    const created = await api('POST', '/api/v1/aws/bindings', {
      group: 'Developers',
      account: 'staging',
      role: 'Developer',
    });
    assert.equal(created.statusCode, 201);
    assert.equal(created.json().roleArn, 'arn:aws:iam::444444444444:role/Developer');
    assert.equal(
      (await api('POST', '/api/v1/aws/bindings', { group: 'Operators', account: '333333333333', role: 'ReadOnly' }))
        .statusCode,
      201,
    );
    const badRole = await api('POST', '/api/v1/aws/bindings', {
      group: 'Developers',
      account: 'Staging',
      role: 'Read Only',
    });
    assert.equal(badRole.statusCode, 400);
    assert.match(badRole.json().message, /IAM role name "Read Only" must match/);
    const unknown = await api('POST', '/api/v1/aws/bindings', { group: 'Developers', account: 'qa', role: 'X' });
    assert.equal(unknown.statusCode, 404);
    assert.match(
      unknown.json().message,
      /unknown AWS account "qa"; known accounts: Production \(333333333333\), Staging \(444444444444\)/,
    );
    const list = await api('GET', '/api/v1/aws/bindings?account=Staging');
    assert.deepEqual(
      list.json().items.map((b: { groupName: string; roleName: string }) => `${b.groupName}:${b.roleName}`),
      ['Developers:Developer'],
    );
    const events = await s.store.audit.query({ action: 'aws.binding.created' });
    assert.equal(events.items.length, 2);
  });

  test('explain names the group and binding behind each role, and why a role is not received', async () => {
    const r = await api('GET', '/api/v1/aws/explain?user=alice&account=Production&role=Admin');
    assert.equal(r.statusCode, 200);
    const e = r.json();
    assert.deepEqual(
      e.received.map(
        (x: { roleName: string; via: { groupName: string }[] }) =>
          `${x.roleName}<-${x.via.map((v) => v.groupName).join(',')}`,
      ),
      ['ReadOnly<-Operators', 'Developer<-Developers'],
    );
    assert.deepEqual(
      e.notReceived.map(
        (x: { roleName: string; reasons: { code: string }[] }) =>
          `${x.roleName}:${x.reasons.map((c) => c.code).join(',')}`,
      ),
      ['Admin:no_binding'],
    );
    assert.equal((await api('GET', '/api/v1/aws/explain?user=nobody')).statusCode, 404);
  });

  let token = '';
  test('the CLI signs in with a password and gets a signed assertion with one Role value per reachable role (IAM User Guide, "Configure SAML assertions for the authentication response")', async () => {
    const wrong = await s.app.inject({
      method: 'POST',
      url: '/aws/cli/sign-in',
      payload: { userName: 'alice', password: 'nope' },
    });
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.json().message, 'The user name or password is incorrect.');
    const ok = await s.app.inject({
      method: 'POST',
      url: '/aws/cli/sign-in',
      payload: { userName: 'alice', password: 'correct horse battery' },
    });
    assert.equal(ok.statusCode, 200);
    token = ok.json().token;
    assert.match(token, /^kwc_/);
    const a = await s.app.inject({
      method: 'POST',
      url: '/aws/cli/assertion',
      headers: { authorization: `Bearer ${token}` },
      payload: { account: 'Staging', role: 'developer' },
    });
    assert.equal(a.statusCode, 200, a.body);
    const body = a.json();
    assert.equal(body.role.roleArn, 'arn:aws:iam::444444444444:role/Developer');
    assert.deepEqual(roleValues(body.samlResponse), [
      'arn:aws:iam::333333333333:role/ReadOnly,arn:aws:iam::333333333333:saml-provider/Keyway',
      'arn:aws:iam::444444444444:role/Developer,arn:aws:iam::444444444444:saml-provider/Keyway',
    ]);
    const xml = Buffer.from(body.samlResponse, 'base64').toString('utf8');
    assert.match(xml, new RegExp(`Recipient="${SIGNIN}"`));
    assert.match(xml, /<saml:Audience>urn:amazon:webservices<\/saml:Audience>/);
    const notMine = await s.app.inject({
      method: 'POST',
      url: '/aws/cli/assertion',
      headers: { authorization: `Bearer ${token}` },
      payload: { account: 'Production', role: 'Admin' },
    });
    assert.equal(notMine.statusCode, 403);
    assert.match(
      notMine.json().message,
      /you may not assume role Admin in account Production; your roles: Production\/ReadOnly, Staging\/Developer/,
    );
  });

  test('removing the user from the group removes the role from the next assertion', async () => {
    await s.store.directory.removeMember(actor, backend.id, { kind: 'user', id: alice.id });
    const a = await s.app.inject({
      method: 'POST',
      url: '/aws/cli/assertion',
      headers: { authorization: `Bearer ${token}` },
      payload: {},
    });
    assert.deepEqual(roleValues(a.json().samlResponse), [
      'arn:aws:iam::333333333333:role/ReadOnly,arn:aws:iam::333333333333:saml-provider/Keyway',
    ]);
    await s.store.directory.addMember(actor, backend.id, { kind: 'user', id: alice.id });
  });

  test('the portal shows the AWS tile; launching it posts a signed Response to the AWS sign-in URL', async () => {
    const { id, idHash } = newSessionSecrets();
    const at = new Date().toISOString();
    await s.store.sessions.create({
      idHash,
      userId: alice.id,
      createdAt: at,
      lastSeenAt: at,
      expiresAt: new Date(Date.now() + 3600_000).toISOString(),
      authMethods: ['pwd'],
      csrfSecret: 'csrf-secret-for-test',
      data: {},
    });
    const cookie = `keyway_session=${id}`;
    const home = await s.app.inject({ method: 'GET', url: '/', headers: { cookie } });
    assert.match(home.body, new RegExp(`action="/aws/apps/${appId}/launch"`));
    assert.match(home.body, /2 roles in 2 accounts/);
    const launch = await s.app.inject({
      method: 'POST',
      url: `/aws/apps/${appId}/launch`,
      headers: { cookie },
      payload: { csrf: 'csrf-secret-for-test' },
    });
    assert.equal(launch.statusCode, 200, launch.body);
    assert.match(launch.body, new RegExp(`action="${SIGNIN}"`));
    const b64 = /name="SAMLResponse" value="([^"]+)"/.exec(launch.body)?.[1] ?? '';
    assert.equal(roleValues(b64).length, 2);
    const noCsrf = await s.app.inject({
      method: 'POST',
      url: `/aws/apps/${appId}/launch`,
      headers: { cookie },
      payload: {},
    });
    assert.equal(noCsrf.statusCode, 403);
  });

  test('a device-code sign-in is approved in the signed-in browser and redeemed once (RFC 8628)', async () => {
    const start = (await s.app.inject({ method: 'POST', url: '/aws/cli/device' })).json();
    assert.match(start.userCode, /^[B-Z]{4}-[B-Z]{4}$/);
    const pending = await s.app.inject({
      method: 'POST',
      url: '/aws/cli/device/token',
      payload: { deviceCode: start.deviceCode },
    });
    assert.equal(pending.json().code, 'authorization_pending');
    const { id, idHash } = newSessionSecrets();
    const at = new Date().toISOString();
    await s.store.sessions.create({
      idHash,
      userId: alice.id,
      createdAt: at,
      lastSeenAt: at,
      expiresAt: new Date(Date.now() + 3600_000).toISOString(),
      authMethods: ['pwd'],
      csrfSecret: 'csrf2',
      data: {},
    });
    const page = await s.app.inject({
      method: 'GET',
      url: `/aws/cli/approve?code=${start.userCode}`,
      headers: { cookie: `keyway_session=${id}` },
    });
    assert.match(
      page.body,
      new RegExp(`type="text" value="${start.userCode}"`),
      'a text field, styled like the sign-in fields',
    );
    const approve = await s.app.inject({
      method: 'POST',
      url: '/aws/cli/approve',
      headers: { cookie: `keyway_session=${id}` },
      payload: { csrf: 'csrf2', code: start.userCode.toLowerCase(), decision: 'approve' },
    });
    assert.equal(approve.statusCode, 200);
    const redeemed = await s.app.inject({
      method: 'POST',
      url: '/aws/cli/device/token',
      payload: { deviceCode: start.deviceCode },
    });
    assert.equal(redeemed.statusCode, 200);
    assert.equal(redeemed.json().userName, 'alice');
    const again = await s.app.inject({
      method: 'POST',
      url: '/aws/cli/device/token',
      payload: { deviceCode: start.deviceCode },
    });
    assert.equal(again.json().code, 'invalid_grant');
  });

  test('a denied device code is refused to the CLI (access_denied) and cannot be approved afterwards (RFC 8628 3.5)', async () => {
    const start = (await s.app.inject({ method: 'POST', url: '/aws/cli/device' })).json();
    const { id, idHash } = newSessionSecrets();
    const at = new Date().toISOString();
    await s.store.sessions.create({
      idHash,
      userId: alice.id,
      createdAt: at,
      lastSeenAt: at,
      expiresAt: new Date(Date.now() + 3600_000).toISOString(),
      authMethods: ['pwd'],
      csrfSecret: 'csrf3',
      data: {},
    });
    const decide = (decision: string) =>
      s.app.inject({
        method: 'POST',
        url: '/aws/cli/approve',
        headers: { cookie: `keyway_session=${id}` },
        payload: { csrf: 'csrf3', code: start.userCode, decision },
      });
    assert.equal((await decide('deny')).statusCode, 200);
    const token = await s.app.inject({
      method: 'POST',
      url: '/aws/cli/device/token',
      payload: { deviceCode: start.deviceCode },
    });
    assert.equal(token.statusCode, 400);
    assert.deepEqual(token.json(), { code: 'access_denied', message: 'the request was denied in the browser' });
    const late = await decide('approve');
    assert.equal(late.statusCode, 400);
    assert.match(late.body, /unknown, already used or expired/);
    assert.equal(
      (
        await s.app.inject({ method: 'POST', url: '/aws/cli/device/token', payload: { deviceCode: start.deviceCode } })
      ).json().code,
      'access_denied',
    );
    assert.equal(
      (
        await s.app.inject({ method: 'POST', url: '/aws/cli/device/token', payload: { deviceCode: 'x'.repeat(43) } })
      ).json().code,
      'invalid_grant',
    );
  });

  test('a user name AWS refuses as RoleSessionName stops the assertion with a message naming it; a user outside the app is told so', async () => {
    const sign = async (userName: string, password: string) => {
      const r = await s.app.inject({ method: 'POST', url: '/aws/cli/sign-in', payload: { userName, password } });
      assert.equal(r.statusCode, 200, r.body);
      return r.json().token as string;
    };
    const joran = await s.store.directory.createUser(actor, { userName: 'jöran' });
    await s.store.credentials.setPassword(joran.id, await hashPassword('joran password 123'));
    await s.store.directory.addMember(actor, backend.id, { kind: 'user', id: joran.id });
    const refused = await s.app.inject({
      method: 'POST',
      url: '/aws/cli/assertion',
      headers: { authorization: `Bearer ${await sign('jöran', 'joran password 123')}` },
      payload: {},
    });
    assert.equal(refused.statusCode, 403);
    assert.match(
      refused.json().message,
      /AWS would refuse this sign-in: RoleSessionName \(from userName\) "jöran" must match \[\\w\+=,\.@-\]\{2,64\}/,
    );
    const outsider = await s.store.directory.createUser(actor, { userName: 'outsider' });
    await s.store.credentials.setPassword(outsider.id, await hashPassword('outsider password 1'));
    const out = await s.app.inject({
      method: 'POST',
      url: '/aws/cli/assertion',
      headers: { authorization: `Bearer ${await sign('outsider', 'outsider password 1')}` },
      payload: {},
    });
    assert.equal(out.statusCode, 403);
    assert.match(out.json().message, /outsider is not in a group that may use AWS; ask an administrator/);
    const failures = await s.store.audit.query({ action: 'aws.cli.assertion', targetId: joran.id });
    assert.equal(failures.items[0]?.outcome, 'failure');
  });

  test('suspending the user stops the CLI flow with a clear message, every time', async () => {
    await s.store.directory.setUserStatus(actor, alice.id, 'suspended');
    for (let i = 0; i < 2; i++) {
      const a = await s.app.inject({
        method: 'POST',
        url: '/aws/cli/assertion',
        headers: { authorization: `Bearer ${token}` },
        payload: {},
      });
      assert.equal(a.statusCode, 403);
      assert.deepEqual(a.json(), {
        code: 'user_suspended',
        message: 'your Keyway account alice is suspended; ask an administrator',
      });
    }
    const signIn = await s.app.inject({
      method: 'POST',
      url: '/aws/cli/sign-in',
      payload: { userName: 'alice', password: 'correct horse battery' },
    });
    assert.equal(signIn.statusCode, 403);
    assert.match(signIn.json().message, /suspended/);
  });

  test('a user with an authenticator gives its code on the command line too (same second factor as the sign-in page)', async () => {
    const otto = await s.store.directory.createUser(actor, { userName: 'otto' });
    await s.store.credentials.setPassword(otto.id, await hashPassword('otto password 123'));
    await s.store.directory.addMember(actor, developers.id, { kind: 'user', id: otto.id });
    const seed = newTotpSecret();
    const totp = createTotpStore(s.store.db);
    await totp.begin(
      otto.id,
      seal(deriveKey(s.config, 'totp-seal'), seed, `totp:${otto.id}`),
      new Date().toISOString(),
    );
    await totp.confirm(otto.id, new Date().toISOString(), totpStep(new Date(Date.now() - 120_000)));
    const signIn = (otp?: string) =>
      s.app.inject({
        method: 'POST',
        url: '/aws/cli/sign-in',
        payload: { userName: 'otto', password: 'otto password 123', ...(otp ? { otp } : {}) },
      });
    const none = await signIn();
    assert.equal(none.statusCode, 401);
    assert.equal(none.json().code, 'otp_required');
    const wrong = await signIn('000000' === totpCode(seed, new Date()) ? '111111' : '000000');
    assert.equal(wrong.json().code, 'bad_otp');
    const ok = await signIn(totpCode(seed, new Date()));
    assert.equal(ok.statusCode, 200, ok.body);
    const a = await s.app.inject({
      method: 'POST',
      url: '/aws/cli/assertion',
      headers: { authorization: `Bearer ${ok.json().token}` },
      payload: {},
    });
    assert.match(
      Buffer.from(a.json().samlResponse, 'base64').toString('utf8'),
      /<saml:AuthnContextClassRef>https:\/\/refeds\.org\/profile\/mfa<\/saml:AuthnContextClassRef>/,
    );
  });

  test('a missing or malformed CLI token is refused with 401 and a hint', async () => {
    const r = await s.app.inject({
      method: 'POST',
      url: '/aws/cli/assertion',
      headers: { authorization: 'Bearer nope' },
      payload: {},
    });
    assert.equal(r.statusCode, 401);
    assert.match(r.json().message, /keyway aws login/);
  });
});
