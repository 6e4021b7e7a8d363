import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testKeyPair } from '../../saml/test-support/keys.js';
import { runCliCaptured } from '../testing.js';

let dir: string;
let env: Record<string, string>;

const run = (...args: string[]) => runCliCaptured(args, env, dir);

describe('keyway apps and keyway keys', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'keyway-apps-cli-'));
    env = {
      KEYWAY_DATABASE_URL: `sqlite:${join(dir, 'keyway.db')}`,
      KEYWAY_MASTER_KEY: '33'.repeat(32),
      KEYWAY_BASE_URL: 'https://idp.example',
    };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('apps create from fields, list, show, update and delete, with groups by name', async () => {
    assert.equal((await run('groups', 'create', 'engineers')).code, 0);
    writeFileSync(join(dir, 'sp.pem'), testKeyPair('sp').certificatePem);
    const created = await run(
      'apps',
      'create',
      '--name',
      'Wiki',
      '--entity-id',
      'https://wiki.example/sp',
      '--acs',
      'https://wiki.example/acs#3!',
      '--sp-cert-file',
      'sp.pem',
      '--require-signed-requests',
      '--attr',
      'memberOf=groups',
      '--attr',
      'mail=user.email',
      '--group',
      'engineers',
      '--json',
    );
    assert.equal(created.code, 0, created.stderr);
    const app = JSON.parse(created.stdout);
    assert.deepEqual(app.acs, [{ url: 'https://wiki.example/acs', index: 3, isDefault: true }]);
    assert.equal(app.requireSignedRequests, true);
    assert.equal(app.attributes.length, 2);
    const list = await run('apps', 'list');
    assert.match(list.stdout, /Wiki\s+saml\s+yes\s+https:\/\/wiki\.example\/sp/);
    const show = await run('apps', 'show', 'https://wiki.example/sp');
    assert.match(show.stdout, /groups:\s+engineers/);
    assert.match(show.stdout, /sign-in URL:\s+https:\/\/idp\.example\/saml\/apps\//);
    const updated = await run('apps', 'update', 'Wiki', '--sign', 'assertion', '--disabled');
    assert.equal(updated.code, 0, updated.stderr);
    assert.match((await run('apps', 'show', 'Wiki')).stdout, /enabled:\s+false[\s\S]*signed:\s+assertion\n/);
    assert.equal((await run('apps', 'delete', 'Wiki')).code, 2, 'deleting needs --yes');
    assert.equal((await run('apps', 'delete', 'Wiki', '--yes')).code, 0);
    assert.equal((await run('apps', 'show', 'Wiki')).code, 1);
  });

  test('apps test-signin explains the decision for a user and exits 1 when it would be refused', async () => {
    assert.equal((await run('users', 'create', 'lin', '--email', 'lin@example.org')).code, 0);
    assert.equal(
      (
        await run(
          'apps',
          'create',
          '--name',
          'Docs',
          '--entity-id',
          'urn:docs',
          '--acs',
          'https://docs.example/acs',
          '--group',
          'engineers',
          '--attr',
          'mail=user.email',
        )
      ).code,
      0,
    );
    const refused = await run('apps', 'test-signin', 'Docs', '--user', 'lin');
    assert.equal(refused.code, 1);
    assert.match(refused.stdout, /lin may NOT sign in to Docs:\n {2}- lin is not a member/);
    assert.equal((await run('groups', 'add-member', 'engineers', 'lin')).code, 0);
    const ok = await run('apps', 'test-signin', 'Docs', '--user', 'lin', '--xml');
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /lin may sign in to Docs \(through engineers\)/);
    assert.match(ok.stdout, /mail\s+lin@example\.org/);
    assert.match(ok.stdout, /<samlp:Response /);
  });

  test('apps create refuses bad input with the field named and exit code 1', async () => {
    const bad = await run('apps', 'create', '--name', 'X', '--entity-id', 'urn:x', '--acs', 'ftp://nope');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /acs\[0\]\.url: must be an http or https URL/);
    const usage = await run('apps', 'create', '--name', 'Y');
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /give --metadata-file or --metadata-url, or --entity-id and --acs/);
    assert.equal((await run('apps', 'create', '--metadata-file', 'missing.xml')).code, 2);
  });

  test('apps create --metadata-url fetches the SP metadata; non-https, HTTP errors, oversized and unusable bodies are refused and nothing is created', async () => {
    const metadata = `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://fetched.example/sp"><md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://fetched.example/acs" index="0"/></md:SPSSODescriptor></md:EntityDescriptor>`;
    const bodies: Record<string, [number, string]> = {
      '/sp.xml': [200, metadata],
      '/gone': [404, 'not here'],
      '/html': [200, '<html><body>login</body></html>'],
      '/doctype': [200, `<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>${metadata}`],
      '/huge': [200, `<!--${'x'.repeat(1100 * 1024)}-->`],
    };
    const server: Server = createServer((req, res) => {
      const [status, body] = bodies[req.url ?? ''] ?? [404, ''];
      res.writeHead(status, { 'content-type': 'application/samlmetadata+xml' }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const created = await run('apps', 'create', '--metadata-url', `${base}/sp.xml`, '--name', 'Fetched', '--json');
      assert.equal(created.code, 0, created.stderr);
      const app = JSON.parse(created.stdout) as { entityId: string; acs: { url: string }[] };
      assert.equal(app.entityId, 'https://fetched.example/sp');
      assert.equal(app.acs[0]?.url, 'https://fetched.example/acs');
      const refusals: [string, number, RegExp][] = [
        ['http://sp.example/metadata', 2, /must be https \(plain http only on localhost\)/],
        ['file:///etc/passwd', 2, /must be https/],
        ['not a url', 2, /not a URL/],
        [`${base}/gone`, 1, /HTTP 404/],
        [`${base}/huge`, 1, /larger than 1024 KiB/],
        [`${base}/html`, 1, /metadata/],
        [`${base}/doctype`, 1, /DOCTYPE|DTD|entity/i],
      ];
      for (const [url, code, message] of refusals) {
        const res = await run('apps', 'create', '--metadata-url', url, '--name', 'Refused');
        assert.equal(res.code, code, `${url}: ${res.stderr}`);
        assert.match(res.stderr, message, url);
      }
      assert.doesNotMatch((await run('apps', 'list')).stdout, /Refused/, 'nothing half-written');
      assert.equal(
        (await run('apps', 'create', '--metadata-url', `${base}/sp.xml`, '--metadata-file', 'x.xml')).code,
        2,
      );
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  test('keys rotate, promote and retire, and apps metadata shows the published certificates', async () => {
    const list = await run('keys', 'list', '--json');
    const [first] = JSON.parse(list.stdout) as { id: string; state: string }[];
    assert.equal(first?.state, 'current');
    const next = JSON.parse((await run('keys', 'rotate', '--json')).stdout) as { id: string };
    assert.equal((await run('keys', 'rotate')).code, 1, 'a second rotation waits for the first');
    assert.equal((await run('apps', 'metadata', '--out', 'idp.xml')).code, 0);
    assert.equal(readFileSync(join(dir, 'idp.xml'), 'utf8').match(/<ds:X509Certificate>/g)?.length, 2);
    assert.equal((await run('keys', 'promote', next.id)).code, 0);
    assert.equal((await run('keys', 'retire', first?.id ?? '')).code, 0);
    const table = (await run('keys', 'list')).stdout;
    assert.match(table, new RegExp(`${next.id}\\s+current`));
    assert.match(table, new RegExp(`${first?.id}\\s+retired`));
    assert.equal((await run('apps', 'metadata')).stdout.match(/<ds:X509Certificate>/g)?.length, 1);
    const retireCurrent = await run('keys', 'retire', next.id);
    assert.equal(retireCurrent.code, 1);
    assert.match(retireCurrent.stderr, /is current; promote another key before retiring it/);
  });
});
