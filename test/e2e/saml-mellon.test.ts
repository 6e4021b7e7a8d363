/**
 * SP-initiated SSO end to end against a real HTTP service provider: Apache with mod_auth_mellon on 127.0.0.1,
 * configured from scratch in a temporary folder, registered in Keyway from its own metadata. Headless Chromium
 * opens the protected page, is sent to Keyway with a signed HTTP-Redirect AuthnRequest, signs in, and comes back
 * with a Response that mellon accepts; the protected CGI prints the NameID and the attributes Keyway sent.
 * Single logout runs both ways: started at mellon, and started from Keyway's portal (mellon's session ends too).
 * Apache is stopped by the PID it wrote, in `after` and, should the test process exit early, on exit.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { hashPassword } from '../../src/auth/index.js';
import { systemActor } from '../../src/core/index.js';
import { loadConfig, startServer, type RunningServer } from '../../src/server/index.js';
import { adminApi } from './keyway-api-helpers.js';
import { APACHE_MODULES, CHROMIUM, missingPeers } from '../../src/testing/index.js';

const skip = missingPeers('mellon', 'chromium');

/**
 * A port that was free a moment ago. Apache must bind its port itself (it cannot take over a listening socket),
 * so this is the one server in the tests not on port 0: a port taken in between makes Apache fail to bind, and
 * the caller tries again with another.
 */
const probablyFreePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

const apacheConf = (dir: string, port: number, prefix: string) => `ServerRoot ${dir}
ServerName 127.0.0.1
Listen 127.0.0.1:${port}
PidFile ${dir}/httpd.pid
ErrorLog ${dir}/error.log
LogLevel info
DefaultRuntimeDir ${dir}
Mutex file:${dir} default
${process.getuid?.() === 0 ? 'User www-data\nGroup www-data' : ''}
LoadModule mpm_prefork_module ${APACHE_MODULES}/mod_mpm_prefork.so
LoadModule authz_core_module ${APACHE_MODULES}/mod_authz_core.so
LoadModule authn_core_module ${APACHE_MODULES}/mod_authn_core.so
LoadModule authz_user_module ${APACHE_MODULES}/mod_authz_user.so
LoadModule alias_module ${APACHE_MODULES}/mod_alias.so
LoadModule cgi_module ${APACHE_MODULES}/mod_cgi.so
LoadModule env_module ${APACHE_MODULES}/mod_env.so
LoadModule auth_mellon_module ${APACHE_MODULES}/mod_auth_mellon.so
StartServers 1
MinSpareServers 1
MaxSpareServers 2
DocumentRoot ${dir}
ScriptAlias /protected/ ${dir}/cgi/
# mellon forces SameSite=None on its login cookie, which Chrome drops when not Secure (plain http here); Keyway and
# the SP share the site 127.0.0.1, so the browser's default (Lax) still carries it on the POST back.
SetEnv MELLON_DISABLE_SAMESITE 1
<Location />
  MellonEnable info
  MellonEndpointPath /mellon
  MellonSPPrivateKeyFile ${dir}/${prefix}.key
  MellonSPCertFile ${dir}/${prefix}.cert
  MellonSPMetadataFile ${dir}/${prefix}.xml
  MellonIdPMetadataFile ${dir}/idp.xml
  MellonSecureCookie Off
  MellonCookieSameSite lax
</Location>
<Location /protected/>
  MellonEnable auth
  AuthType Mellon
  Require valid-user
</Location>
`;

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Stops the Apache parent (which stops its children) by PID: TERM, then KILL after five seconds. */
const stopApache = async (pid: number): Promise<void> => {
  if (!alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
};

describe('SP-initiated SSO into Apache mod_auth_mellon (SAML profiles 4.1, bindings 3.4 and 3.5)', { skip }, () => {
  let dir: string;
  let keyway: RunningServer;
  let browser: Browser;
  let spUrl: string;
  let apachePid: number | undefined;
  const conf = () => join(dir, 'httpd.conf');
  const killOnExit = () => {
    if (apachePid !== undefined && alive(apachePid)) process.kill(apachePid, 'SIGKILL');
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keyway-mellon-'));
    chmodSync(dir, 0o755);

    const config = loadConfig(
      {
        KEYWAY_MASTER_KEY: '22'.repeat(32),
        KEYWAY_LOG_LEVEL: 'silent',
        KEYWAY_HOST: '127.0.0.1',
        KEYWAY_PORT: '0',
        KEYWAY_DATABASE_URL: `sqlite:${join(dir, 'keyway.db')}`,
        KEYWAY_DATA_DIR: join(dir, 'data'),
      },
      { cwd: dir },
    );
    keyway = await startServer(config, { handleSignals: false });
    const api = await adminApi(keyway);
    const ada = await api('POST', '/users', {
      userName: 'ada',
      displayName: 'Ada Lovelace',
      emails: [{ value: 'ada@example.org', primary: true }],
    });
    await keyway.store.credentials.setPassword(String(ada.id), await hashPassword('analytical engine 1843'));
    const staff = await api('POST', '/groups', { displayName: 'staff' });
    const wiki = await api('POST', '/groups', { displayName: 'wiki-editors' });
    await api('POST', `/groups/${String(wiki.id)}/members`, { kind: 'group', id: String(staff.id) });
    await api('POST', `/groups/${String(staff.id)}/members`, { kind: 'user', id: String(ada.id) });

    writeFileSync(join(dir, 'idp.xml'), await (await fetch(`${keyway.url}/saml/metadata`)).text());
    execFileSync('mkdir', ['-p', join(dir, 'cgi')]);
    writeFileSync(
      join(dir, 'cgi', 'whoami'),
      "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\nenv | grep '^MELLON_' | sort\n",
      { mode: 0o755 },
    );
    process.once('exit', killOnExit);
    let spMetadata = '';
    for (let attempt = 1; ; attempt++) {
      const spPort = await probablyFreePort();
      spUrl = `http://127.0.0.1:${spPort}`;
      const spDir = join(dir, `sp-${spPort}`);
      execFileSync('mkdir', ['-p', spDir]);
      execFileSync('mellon_create_metadata', [`${spUrl}/mellon/metadata`, `${spUrl}/mellon`], {
        cwd: spDir,
        stdio: 'ignore',
      });
      const prefix = readdirSync(spDir)
        .find((f) => f.endsWith('.xml'))
        ?.replace(/\.xml$/, '');
      assert.ok(prefix, 'mellon_create_metadata wrote the SP metadata');
      // mellon asks for the first NameIDFormat of its metadata (transient when none); ask for userName-style NameIDs.
      spMetadata = join(spDir, `${prefix}.xml`);
      writeFileSync(
        spMetadata,
        readFileSync(spMetadata, 'utf8').replace(
          '<AssertionConsumerService',
          '<NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified</NameIDFormat>\n    <AssertionConsumerService',
        ),
      );
      writeFileSync(conf(), apacheConf(dir, spPort, `sp-${spPort}/${prefix}`));
      const started = spawnSync('apache2', ['-f', conf(), '-k', 'start'], { encoding: 'utf8' });
      if (started.status === 0) break;
      // Another process took the port between the probe and Apache's bind: try another one.
      if (attempt < 5 && /could not bind|Address already in use/.test(started.stderr)) continue;
      throw new Error(`Apache did not start: ${started.stderr}`);
    }
    await api('POST', '/apps', {
      name: 'Mellon test SP',
      metadataXml: readFileSync(spMetadata, 'utf8'),
      nameIdSource: 'user.userName',
      allowedGroupIds: [String(wiki.id)],
      attributes: [
        { name: 'memberOf', source: 'groups' },
        { name: 'mail', source: 'user.email' },
        { name: 'displayName', source: 'user.displayName' },
      ],
    });
    const pidFile = join(dir, 'httpd.pid');
    for (let i = 0; i < 50 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 100));
    apachePid = Number(readFileSync(pidFile, 'utf8').trim());
    assert.ok(Number.isSafeInteger(apachePid) && apachePid > 1, `Apache wrote its PID: ${String(apachePid)}`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  after(async () => {
    await browser?.close();
    if (apachePid !== undefined) await stopApache(apachePid);
    process.removeListener('exit', killOnExit);
    await keyway?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a member of an allowed (nested) group signs in, reaches the protected page with the NameID and attributes Keyway sent, and signs out from the SP', async () => {
    const page = await browser.newPage();
    const ssoRequests: string[] = [];
    page.on('request', (r) => {
      if (r.url().startsWith(`${keyway.url}/saml/sso?`)) ssoRequests.push(r.url());
    });
    await page.goto(`${spUrl}/protected/whoami`);
    assert.match(
      page.url(),
      /\/signin\?returnTo=/,
      `an unauthenticated user is sent to the sign-in page; last audit record: ${JSON.stringify((await keyway.store.audit.query({ limit: 1 })).items[0]?.details)}`,
    );
    assert.equal(ssoRequests.length, 1);
    const sso = new URL(ssoRequests[0] ?? '');
    assert.ok(
      sso.searchParams.get('SAMLRequest') && sso.searchParams.get('Signature') && sso.searchParams.get('SigAlg'),
      'mellon sent a signed HTTP-Redirect AuthnRequest',
    );
    await page.fill('#userName', 'ada');
    await page.fill('#password', 'analytical engine 1843');
    await Promise.all([
      page.waitForURL(`${spUrl}/protected/whoami`, { timeout: 15_000 }),
      page.click('button[type=submit]'),
    ]).catch(async (e: unknown) => {
      throw new Error(
        `mellon did not accept the response: ${String(e)}\n${await page.content()}\n--- Apache error.log ---\n${readFileSync(join(dir, 'error.log'), 'utf8').split('\n').slice(-15).join('\n')}`,
      );
    });
    const text = await page.locator('body').innerText();
    assert.match(text, /^MELLON_NAME_ID=ada$/m, text);
    assert.match(text, /^MELLON_mail=ada@example\.org$/m);
    assert.match(text, /^MELLON_displayName=Ada Lovelace$/m);
    assert.match(
      text,
      /^MELLON_memberOf_0=staff$/m,
      'multi-valued groups arrive as separate values, nested ones included',
    );
    assert.match(text, /^MELLON_memberOf_1=wiki-editors$/m);
    const audit = await keyway.store.audit.query({ action: 'saml.sso' });
    assert.equal(audit.items[0]?.outcome, 'success');

    // Single logout started at the SP (SAML profiles 4.4): mellon sends a signed LogoutRequest, Keyway ends its
    // session and answers with a signed LogoutResponse that mellon accepts before sending the user on.
    await page.goto(`${spUrl}/mellon/logout?ReturnTo=${encodeURIComponent(`${spUrl}/signed-out`)}`);
    assert.equal(page.url(), `${spUrl}/signed-out`, 'mellon accepted the LogoutResponse');
    assert.equal(
      (await keyway.store.audit.query({ action: 'saml.slo' })).items[0]?.details?.initiator,
      `sp:${spUrl}/mellon/metadata`,
    );
    await page.goto(`${keyway.url}/`);
    assert.match(page.url(), /\/signin/, 'the Keyway session has ended');
    await page.close();
  });

  test("IdP-initiated logout from the Keyway portal (the tile, and the header's Sign out) notifies mellon, whose session ends too (SAML profiles 4.4)", async () => {
    const page = await browser.newPage();
    const sloRequests: string[] = [];
    page.on('request', (r) => {
      if (r.url().startsWith(`${spUrl}/mellon/logout?`)) sloRequests.push(r.url());
    });
    for (const button of [/^Sign out of all apps/, /^Sign out$/]) {
      await page.goto(`${spUrl}/protected/whoami`);
      await page.fill('#userName', 'ada');
      await page.fill('#password', 'analytical engine 1843');
      await Promise.all([
        page.waitForURL(`${spUrl}/protected/whoami`, { timeout: 15_000 }),
        page.click('button[type=submit]'),
      ]);
      assert.match(await page.locator('body').innerText(), /^MELLON_NAME_ID=ada$/m);

      await page.goto(`${keyway.url}/`);
      sloRequests.length = 0;
      await Promise.all([
        page.waitForURL(/\/signin\?signedOut=1$/, { timeout: 15_000 }),
        page.getByRole('button', { name: button }).click(),
      ]).catch(async (e: unknown) => {
        throw new Error(
          `single logout (${String(button)}) did not come back to Keyway: ${String(e)}\n${page.url()}\n${await page.content()}\n--- Apache error.log ---\n${readFileSync(join(dir, 'error.log'), 'utf8').split('\n').slice(-15).join('\n')}`,
        );
      });
      assert.equal(sloRequests.length, 1, `${String(button)}: Keyway sent mellon one LogoutRequest`);
      const toMellon = new URL(sloRequests[0] ?? '');
      assert.ok(
        toMellon.searchParams.get('SAMLRequest') && toMellon.searchParams.get('Signature'),
        'a signed HTTP-Redirect LogoutRequest',
      );
      assert.equal(
        (await keyway.store.audit.query({ action: 'saml.slo', limit: 1 })).items[0]?.details?.initiator,
        'portal',
      );

      // mellon's own session is gone: the protected page sends the browser back to Keyway, which asks to sign in.
      await page.goto(`${spUrl}/protected/whoami`);
      assert.match(
        page.url(),
        /\/signin\?returnTo=%2Fsaml%2Fsso%2Fresume/,
        `${String(button)}: mellon asked Keyway again, and Keyway has no session`,
      );
    }
    await page.close();
  });

  test('a user outside the allowed groups sees a clear 403 page and the refusal is audited', async () => {
    const bob = await keyway.store.directory.createUser(systemActor('e2e'), { userName: 'bob' });
    await keyway.store.credentials.setPassword(bob.id, await hashPassword('difference engine 1822'));
    const page = await browser.newPage();
    await page.goto(`${spUrl}/protected/whoami`);
    await page.fill('#userName', 'bob');
    await page.fill('#password', 'difference engine 1822');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/saml/sso/resume')),
      page.click('button[type=submit]'),
    ]);
    assert.equal(response.status(), 403);
    assert.match(await page.locator('h1').innerText(), /You cannot use Mellon test SP/);
    const audit = await keyway.store.audit.query({ action: 'saml.sso', actorId: bob.id });
    assert.equal(audit.items[0]?.reason, 'not_allowed');
    await page.close();
  });
});
