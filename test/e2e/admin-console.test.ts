/**
 * The admin console in headless Chromium (Debian's /usr/bin/chromium via playwright-core) against a server on
 * an ephemeral loopback port: each page's main task done through the browser, axe-core on every page, and a
 * screenshot of every page at desktop and phone widths under test-output/screenshots/admin-console/.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { hashPassword } from '../../src/auth/index.js';
import { systemActor } from '../../src/core/index.js';
import { loadConfig, startServer } from '../../src/server/index.js';
import type { RunningServer } from '../../src/server/index.js';
import { missingPeers } from '../../src/testing/index.js';
import { axeViolations, launchChromium } from './browser.js';

const skip = missingPeers('chromium');

const shots = join(import.meta.dirname, '../../test-output/screenshots/admin-console');

let dir: string;
let server: RunningServer;
let browser: Browser;

const SP_METADATA = `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://wiki.example.org/saml">
  <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://wiki.example.org/saml/acs" index="0" isDefault="true"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>`;

before(async () => {
  if (skip) return;
  mkdirSync(shots, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'keyway-e2e-console-'));
  const config = loadConfig(
    {
      KEYWAY_PORT: '0',
      KEYWAY_LOG_LEVEL: 'silent',
      KEYWAY_MASTER_KEY: '44'.repeat(32),
      KEYWAY_DATABASE_URL: `sqlite:${join(dir, 'keyway.db')}`,
      KEYWAY_ADMIN_GROUPS: 'Admins',
      KEYWAY_AUDITOR_GROUPS: 'Auditors',
    },
    { cwd: dir },
  );
  server = await startServer(config, { handleSignals: false });
  const actor = systemActor('e2e');
  const dir_ = server.store.directory;
  const admins = await dir_.createGroup(actor, { displayName: 'Admins', description: 'Keyway administrators' });
  const auditors = await dir_.createGroup(actor, { displayName: 'Auditors' });
  await dir_.createGroup(actor, { displayName: 'Engineering', description: 'Builds the product' });
  for (const [userName, group] of [
    ['alice', admins.id],
    ['erin', auditors.id],
    ['bob', undefined],
  ] as const) {
    const u = await dir_.createUser(actor, { userName, displayName: userName[0]?.toUpperCase() + userName.slice(1) });
    await server.store.credentials.setPassword(u.id, await hashPassword(`${userName}-console-password`));
    if (group) await dir_.addMember(actor, group, { kind: 'user', id: u.id });
  }
  browser = await launchChromium();
});

after(async () => {
  if (skip) return;
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const signIn = async (userName: string, returnTo = '/admin'): Promise<Page> => {
  // The pages send a strict CSP (no inline scripts); only the context that injects axe bypasses it.
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${server.url}${returnTo}`);
  await page.getByLabel('User name').fill(userName);
  await page.getByLabel('Password').fill(`${userName}-console-password`);
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Sign in' }).click()]);
  return page;
};

const assertAccessible = async (page: Page, what: string): Promise<void> => {
  const found = (await axeViolations(page)).map((v) => `${v.id}: ${v.help} (${v.targets.join(', ')})`);
  assert.deepEqual(found, [], `axe-core finds no WCAG 2.x A/AA violations on ${what}`);
};

/** Checks the page with axe and saves it at desktop and phone widths. */
const inspect = async (page: Page, name: string): Promise<void> => {
  await assertAccessible(page, name);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: join(shots, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await assertAccessible(page, `${name} at phone width`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `${name}: no sideways scrolling at phone width (overflow ${overflow}px)`);
  await page.screenshot({ path: join(shots, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
};

describe('admin console', { skip }, () => {
  test('anyone not signed in is sent to sign in, and comes back to the console', async () => {
    const page = await signIn('alice');
    assert.equal(new URL(page.url()).pathname, '/admin/users');
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Users');
    await inspect(page, 'users');
    await page.context().close();
  });

  test('a signed-in person without an admin group gets a 403 page', async () => {
    const page = await signIn('bob', '/');
    const response = await page.goto(`${server.url}/admin/users`);
    assert.equal(response?.status(), 403);
    assert.match((await page.getByRole('heading', { level: 1 }).textContent()) ?? '', /cannot use the admin console/);
    await inspect(page, 'forbidden');
    await page.context().close();
  });

  test('an administrator creates a user and adds them to a group', async () => {
    const page = await signIn('alice');
    await page.getByRole('link', { name: 'Create a user' }).click();
    await inspect(page, 'user-new');
    await page.getByLabel('User name').fill('ada');
    await page.getByLabel('Given name').fill('Ada');
    await page.getByLabel('Family name').fill('Lovelace');
    await page.getByLabel('Email').fill('ada@example.org');
    await page.getByLabel('Initial password').fill('ada-first-password-2026');
    await Promise.all([
      page.waitForURL(/\/admin\/users\/[^/]+\?done=/),
      page.getByRole('button', { name: 'Create user' }).click(),
    ]);
    assert.match((await page.getByRole('status').textContent()) ?? '', /User ada created/);
    await page.getByLabel('Add to group (group name)').fill('Engineering');
    await Promise.all([page.waitForURL(/done=/), page.getByRole('button', { name: 'Add to group' }).click()]);
    assert.match((await page.getByRole('status').textContent()) ?? '', /Added to Engineering/);
    assert.ok(await page.getByRole('link', { name: 'Engineering' }).isVisible());
    await inspect(page, 'user-detail');

    const ada = await server.store.directory.findUserByUserName('ada');
    assert.ok(ada);
    const groups = await server.store.directory.effectiveGroupsOfUser(ada.id);
    assert.deepEqual(
      groups.map((g) => g.displayName),
      ['Engineering'],
    );

    await page.getByRole('link', { name: 'Engineering' }).click();
    assert.ok(
      await page
        .getByRole('link', { name: /Ada Lovelace|ada/ })
        .first()
        .isVisible(),
    );
    await inspect(page, 'group-detail');
    await page.getByRole('link', { name: 'Groups' }).click();
    await inspect(page, 'groups');

    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByLabel('Search by user name, name or email').fill('ad');
    await page.getByRole('button', { name: 'Search' }).click();
    const rows = await page.locator('tbody tr').count();
    assert.equal(rows, 1, 'the search finds ada only');
    await page.context().close();
  });

  test('a refused change is shown as an error summary, and nothing is created', async () => {
    const page = await signIn('alice', '/admin/users/new');
    await page.getByLabel('User name').fill('bob');
    await page.getByRole('button', { name: 'Create user' }).click();
    assert.ok(await page.getByRole('alert').isVisible());
    await inspect(page, 'user-new-error');
    await page.context().close();
  });

  test('an administrator registers a SAML application from metadata and rotates the signing key', async () => {
    const page = await signIn('alice', '/admin/apps');
    await page.getByLabel('Name').fill('Wiki');
    await page.getByLabel('Service provider metadata (XML)').fill(SP_METADATA);
    await Promise.all([page.waitForURL(/done=/), page.getByRole('button', { name: 'Register application' }).click()]);
    assert.match((await page.getByRole('status').textContent()) ?? '', /Application Wiki registered/);
    assert.ok(await page.getByRole('cell', { name: 'https://wiki.example.org/saml' }).isVisible());
    const before = await page.getByRole('cell', { name: 'next' }).count();
    await Promise.all([page.waitForURL(/done=/), page.getByRole('button', { name: /Add a next signing key/ }).click()]);
    assert.equal(await page.getByRole('cell', { name: 'next' }).count(), before + 1);
    await inspect(page, 'apps');
    await page.context().close();
  });

  test('the audit log shows what was done, filtered by action', async () => {
    const page = await signIn('alice', '/admin/audit');
    await page.getByLabel('Action').fill('user.created');
    await page.getByRole('button', { name: 'Filter' }).click();
    const actions = await page.locator('tbody tr td:nth-child(2)').allTextContents();
    assert.ok(actions.length > 0 && actions.every((a) => a === 'user.created'), actions.join(','));
    await inspect(page, 'audit');
    await page.context().close();
  });

  test("an administrator's session changes nothing through the API without the session's CSRF token", async () => {
    const page = await signIn('alice');
    const forged = await page.request.post(`${server.url}/api/v1/users`, { data: { userName: 'forged' } });
    assert.equal(forged.status(), 403);
    assert.match(((await forged.json()) as { message: string }).message, /X-CSRF-Token/);
    assert.equal(await server.store.directory.findUserByUserName('forged'), null);
    const read = await page.request.get(`${server.url}/api/v1/me`);
    assert.deepEqual(((await read.json()) as { role: string }).role, 'admin');
    await page.context().close();
  });

  test('an auditor reads but cannot change anything', async () => {
    const page = await signIn('erin');
    assert.equal(new URL(page.url()).pathname, '/admin/users');
    assert.equal(await page.getByRole('link', { name: 'Create a user' }).count(), 0);
    const response = await page.request.post(`${server.url}/api/v1/users`, {
      data: { userName: 'mallory' },
      headers: { 'x-csrf-token': 'anything' },
    });
    assert.equal(response.status(), 403);
    assert.equal(await server.store.directory.findUserByUserName('mallory'), null);
    await page.context().close();
  });
});
