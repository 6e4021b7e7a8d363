/**
 * The effective-access matrix of a small organisation equals a hand-written expectation — including bob's
 * nested path (Developers inside Engineering) and access that exists only in AWS — and the HTML page, opened in
 * Chromium, filters by user.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CreateAccountAssignmentCommand,
  CreatePermissionSetCommand,
  DescribeAccountAssignmentCreationStatusCommand,
} from '@aws-sdk/client-sso-admin';
import { GetGroupIdCommand } from '@aws-sdk/client-identitystore';
import { chromium, type Browser } from 'playwright-core';
import { startAccessWorld, type AccessWorld } from './access-helpers.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const CHROMIUM = '/usr/bin/chromium';
const CHROME_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const browserSkip = existsSync(CHROMIUM) ? false : `${CHROMIUM} (Debian chromium) is not installed`;
if (browserSkip && process.env.CI === 'true') throw new Error(`access-matrix e2e cannot run: ${browserSkip}`);

const FILE = `version: 1
settings:
  installation: matrix-test
accounts:
  production:
    ou: /Workloads/Prod
  workloads:
    ou: /Workloads/**
permissions:
  Admin:
    managed: [AdministratorAccess]
  ReadOnly:
    managed: [ReadOnlyAccess]
grants:
  - group: Operations
    permission: Admin
    accounts: production
    reason: on call
  - group: Engineering
    permission: ReadOnly
    accounts: workloads
`;

/** user | path | grant | permission | account | source — written by hand from the file and the people. */
const EXPECTED = [
  'alice | Operations | grant #1 | Admin | Payments | file',
  'alice | Operations | grant #1 | Admin | Production | file',
  'bob | Developers → Engineering | grant #2 | ReadOnly | Development | file',
  'bob | Developers → Engineering | grant #2 | ReadOnly | Payments | file',
  'bob | Developers → Engineering | grant #2 | ReadOnly | Production | file',
  'bob | Developers → Engineering | grant #2 | ReadOnly | Sandbox | file',
  'bob | Developers → Engineering | grant #2 | ReadOnly | Staging | file',
  'carol | Engineering | grant #2 | ReadOnly | Development | file',
  'carol | Operations | grant #1 | Admin | Payments | file',
  'carol | Engineering | grant #2 | ReadOnly | Payments | file',
  'carol | Operations | grant #1 | Admin | Production | file',
  'carol | Engineering | grant #2 | ReadOnly | Production | file',
  'carol | Engineering | grant #2 | ReadOnly | Sandbox | file',
  'carol | Engineering | grant #2 | ReadOnly | Staging | file',
  'dave | Finance | assignment in AWS only | BreakGlass | Staging | aws-only',
];

interface Row {
  user: string;
  path: string[];
  grant: string;
  permission: string;
  accountName: string;
  source: string;
}

describe('keyway access matrix and explain', () => {
  let w: AccessWorld;
  let browser: Browser | undefined;
  before(async () => {
    w = await startAccessWorld();
    w.writeFile('access.yaml', FILE);
    const applied = await w.access('apply', '--yes');
    assert.equal(applied.code, 0, applied.stderr);
    // Access made in AWS by hand, outside the file: Finance gets BreakGlass in Staging.
    const ps = await w.ssoAdmin.send(
      new CreatePermissionSetCommand({ InstanceArn: w.instanceArn, Name: 'BreakGlass' }),
    );
    const group = await w.identityStore.send(
      new GetGroupIdCommand({
        IdentityStoreId: w.identityStoreId,
        AlternateIdentifier: { UniqueAttribute: { AttributePath: 'DisplayName', AttributeValue: 'Finance' } },
      }),
    );
    const created = await w.ssoAdmin.send(
      new CreateAccountAssignmentCommand({
        InstanceArn: w.instanceArn,
        TargetId: '444444444444',
        TargetType: 'AWS_ACCOUNT',
        PermissionSetArn: ps.PermissionSet?.PermissionSetArn,
        PrincipalType: 'GROUP',
        PrincipalId: group.GroupId,
      }),
    );
    for (;;) {
      const s = await w.ssoAdmin.send(
        new DescribeAccountAssignmentCreationStatusCommand({
          InstanceArn: w.instanceArn,
          AccountAssignmentCreationRequestId: created.AccountAssignmentCreationStatus?.RequestId,
        }),
      );
      if (s.AccountAssignmentCreationStatus?.Status !== 'IN_PROGRESS') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    if (!browserSkip) browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROME_ARGS, headless: true });
  });
  after(async () => {
    await browser?.close();
    await w?.close();
  });

  test('the matrix equals the hand-written expectation, with the nested path and the AWS-only access', async () => {
    const r = await w.access('matrix', '--format', 'json');
    assert.equal(r.code, 0, r.stderr);
    const rows = (JSON.parse(r.stdout) as Row[]).map(
      (x) => `${x.user} | ${x.path.join(' → ')} | ${x.grant} | ${x.permission} | ${x.accountName} | ${x.source}`,
    );
    assert.deepEqual(rows, EXPECTED);
  });

  test('the CSV has one header and one line per row', async () => {
    const r = await w.access('matrix', '--format', 'csv');
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines[0], 'user,status,path,grant,permission,account,account id,delivery,until,source');
    assert.equal(lines.length, EXPECTED.length + 1);
    assert.ok(
      lines.includes(
        'dave,active,Finance,assignment in AWS only,BreakGlass,Staging,444444444444,identity-center,,aws-only',
      ),
    );
  });

  test('explain shows one person’s paths to one account', async () => {
    const r = await w.access('explain', '--user', 'bob', '--account', 'Staging');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      'bob → Developers → Engineering → grant #2 → ReadOnly → Staging (444444444444) via identity-center\n',
    );
    const none = await w.access('explain', '--user', 'dave', '--account', 'Production');
    assert.equal(none.stdout, 'dave has no AWS access in Production.\n');
  });

  test('the HTML page works offline in Chromium: filtering by user shows exactly that user’s rows', {
    skip: browserSkip,
  }, async () => {
    const out = await w.access('matrix', '--format', 'html', '--out', 'matrix.html');
    assert.equal(out.code, 0, out.stderr);
    const context = await (browser as Browser).newContext({ offline: true });
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (req) => {
      if (!req.url().startsWith('file:')) requests.push(req.url());
    });
    await page.goto(pathToFileURL(join(w.dir, 'matrix.html')).href);
    assert.equal(await page.locator('#count').textContent(), `${EXPECTED.length} of ${EXPECTED.length} rows`);
    await page.selectOption('#user', 'bob');
    const cells = await page
      .locator('#rows tr')
      .evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent)));
    assert.equal(cells.length, 5);
    assert.ok(cells.every((c) => c[0] === 'bob' && c[2] === 'Developers → Engineering' && c[4] === 'ReadOnly'));
    await page.fill('#search', 'sandbox');
    assert.equal(await page.locator('#rows tr').count(), 1);
    await page.selectOption('#user', '');
    await page.fill('#search', 'aws-only');
    assert.equal(await page.locator('#rows tr td').first().textContent(), 'dave');
    assert.deepEqual(requests, [], 'the page loads nothing from the network');
    await context.close();
  });
});
