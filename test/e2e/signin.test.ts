/**
 * Black-box: the real sign-in page in headless Chromium (Debian's /usr/bin/chromium via playwright-core),
 * against a server listening on an ephemeral loopback port with its own SQLite database.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { systemActor } from '../../src/core/index.js';
import { hashPassword, totpCode } from '../../src/auth/index.js';
import { loadConfig, startServer } from '../../src/server/index.js';
import { axeViolations, launchChromium } from './browser.js';
import type { RunningServer } from '../../src/server/index.js';
import { missingPeers } from '../../src/testing/index.js';

const skip = missingPeers('chromium');

let dir: string;
let server: RunningServer;
let browser: Browser;

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'keyway-e2e-signin-'));
  const config = loadConfig(
    {
      KEYWAY_PORT: '0',
      KEYWAY_LOG_LEVEL: 'silent',
      KEYWAY_MASTER_KEY: '33'.repeat(32),
      KEYWAY_DATABASE_URL: `sqlite:${join(dir, 'keyway.db')}`,
    },
    { cwd: dir },
  );
  server = await startServer(config, { handleSignals: false });
  const user = await server.store.directory.createUser(systemActor('e2e'), {
    userName: 'alice',
    givenName: 'Alice',
    familyName: 'Anders',
    displayName: 'Alice Anders',
  });
  await server.store.credentials.setPassword(user.id, await hashPassword('alice-e2e-password'));
  const carol = await server.store.directory.createUser(systemActor('e2e'), {
    userName: 'carol',
    displayName: 'Carol Chen',
  });
  await server.store.credentials.setPassword(carol.id, await hashPassword('carol-e2e-password'));
  browser = await launchChromium();
});

after(async () => {
  if (skip) return;
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const assertAccessible = async (page: Page, what: string): Promise<void> => {
  assert.deepEqual(await axeViolations(page), [], `axe-core finds no WCAG 2.x A/AA violations on ${what}`);
};

const activeId = (page: Page) =>
  page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName || '');

describe('sign-in in a real browser', { skip }, () => {
  test('names the port chosen for KEYWAY_PORT=0 in the public base URL', async () => {
    const doc = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as { servers: { url: string }[] };
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
    assert.equal(doc.servers[0]?.url, server.url);
  });

  test('signs in through the real page using only the keyboard and sees the signed-in page', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    assert.match(page.url(), /\/signin\?returnTo=%2F$/);
    assert.equal(await page.title(), 'Sign in · Keyway');
    assert.equal(await activeId(page), 'userName', 'the user name field has focus on load');
    await page.keyboard.type('alice');
    await page.keyboard.press('Tab');
    assert.equal(await activeId(page), 'password', 'Tab moves to the password');
    await page.keyboard.type('alice-e2e-password');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Sign in', 'Tab reaches the button');
    await Promise.all([page.waitForURL(`${server.url}/`), page.keyboard.press('Enter')]);
    assert.equal(await page.locator('h1').textContent(), 'Welcome, Alice Anders');
    assert.match((await page.locator('header').textContent()) ?? '', /Signed in as Alice Anders/);
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'keyway_session');
    assert.equal(session?.httpOnly, true);
    assert.equal(session?.sameSite, 'Lax');

    await Promise.all([
      page.waitForURL(/\/signin\?signedOut=1$/),
      page.getByRole('button', { name: 'Sign out' }).click(),
    ]);
    assert.equal(await page.getByRole('status').textContent(), 'You have signed out.');
    await page.goto(`${server.url}/`);
    assert.match(page.url(), /\/signin/);
    await context.close();
  });

  test('fails a wrong password with a visible, focused error summary and keeps the user name', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/signin`);
    await page.getByLabel('User name').fill('alice');
    await page.getByLabel('Password').fill('not-the-password');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Sign in' }).click()]);
    const alert = page.getByRole('alert');
    assert.equal(await alert.isVisible(), true);
    assert.match((await alert.textContent()) ?? '', /The user name or password is incorrect\./);
    assert.equal(await activeId(page), 'error-summary', 'the error summary takes focus');
    assert.equal(await page.getByLabel('User name').inputValue(), 'alice');
    assert.equal(await page.getByLabel('Password').inputValue(), '');
    assert.equal(await page.getByLabel('Password').getAttribute('aria-invalid'), 'true');
    assert.ok(!(await context.cookies()).some((c) => c.name === 'keyway_session'));
    await context.close();
  });

  test('turns on an authenticator app from account security and then signs in with password and code', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/signin`);
    await page.getByLabel('User name').fill('alice');
    await page.getByLabel('Password').fill('alice-e2e-password');
    await Promise.all([page.waitForURL(`${server.url}/`), page.getByRole('button', { name: 'Sign in' }).click()]);
    await page.getByRole('link', { name: 'Account security' }).click();
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    const seed = ((await page.locator('#totp-secret').textContent()) ?? '').replace(/\s/g, '');
    await page.getByLabel('Code from your app').fill(totpCode(seed, new Date()));
    await page.getByRole('button', { name: 'Turn on' }).click();
    assert.match((await page.getByRole('status').textContent()) ?? '', /authenticator app is on/);
    await page.getByRole('button', { name: 'Sign out' }).click();

    await page.getByLabel('User name').fill('alice');
    await page.getByLabel('Password').fill('alice-e2e-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    assert.equal(await page.locator('h1').textContent(), 'Enter your code');
    assert.equal(await activeId(page), 'code', 'the code field has focus');
    assert.equal(await page.getByLabel('One-time code').getAttribute('autocomplete'), 'one-time-code');
    // The enrolment used this 30-second step; the next one is accepted with the one-step skew allowance.
    await page.keyboard.type(totpCode(seed, new Date(Date.now() + 30_000)));
    await Promise.all([page.waitForURL(`${server.url}/`), page.keyboard.press('Enter')]);
    assert.equal(await page.locator('h1').textContent(), 'Welcome, Alice Anders');
    await context.close();
  });
  test('works with JavaScript turned off: a wrong password shows the error, the right one reaches the portal, sign-out works', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${server.url}/signin`);
    await page.getByLabel('User name').fill('carol');
    await page.getByLabel('Password').fill('wrong-password-here');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Sign in' }).click()]);
    assert.match((await page.getByRole('alert').textContent()) ?? '', /The user name or password is incorrect\./);
    await page.getByLabel('Password').fill('carol-e2e-password');
    await Promise.all([page.waitForURL(`${server.url}/`), page.getByRole('button', { name: 'Sign in' }).click()]);
    assert.equal(await page.locator('h1').textContent(), 'Welcome, Carol Chen');
    await Promise.all([
      page.waitForURL(/\/signin\?signedOut=1$/),
      page.getByRole('button', { name: 'Sign out' }).click(),
    ]);
    assert.equal(await page.getByRole('status').textContent(), 'You have signed out.');
    await context.close();
  });

  test('has no WCAG 2.x A/AA violations found by axe-core on the sign-in page (with and without errors), the portal, account security and the code step (WCAG 2.1 level AA)', async () => {
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    const submit = async (name: string | RegExp) => {
      await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name }).click()]);
    };
    // The checker itself finds a known violation, so an empty list below means something.
    await page.setContent(
      '<!doctype html><html lang="en"><title>t</title><main><img src="data:,"><input type="text"></main></html>',
    );
    assert.deepEqual((await axeViolations(page)).map((v) => v.id).sort(), ['image-alt', 'label']);
    await page.goto(`${server.url}/signin`);
    await assertAccessible(page, 'the sign-in page');
    await page.getByLabel('User name').fill('carol');
    await submit('Sign in');
    assert.equal(await page.getByRole('alert').isVisible(), true, 'the missing-password error is shown');
    await assertAccessible(page, 'the sign-in page with its error summary (missing password)');
    await page.getByLabel('Password').fill('not-the-password');
    await submit('Sign in');
    assert.match((await page.getByRole('alert').textContent()) ?? '', /incorrect/);
    await assertAccessible(page, 'the sign-in page with its error summary (wrong password)');

    await page.getByLabel('Password').fill('carol-e2e-password');
    await Promise.all([page.waitForURL(`${server.url}/`), page.getByRole('button', { name: 'Sign in' }).click()]);
    await assertAccessible(page, 'the portal (My apps)');
    await page.getByRole('link', { name: 'Account security' }).click();
    await assertAccessible(page, 'account security');
    await submit('Set up an authenticator app');
    const seed = ((await page.locator('#totp-secret').textContent()) ?? '').replace(/\s/g, '');
    await assertAccessible(page, 'the authenticator set-up step');
    await page.getByLabel('Code from your app').fill(totpCode(seed, new Date()));
    await submit('Turn on');
    await assertAccessible(page, 'account security with the app on');
    await Promise.all([
      page.waitForURL(/\/signin\?signedOut=1$/),
      page.getByRole('button', { name: 'Sign out' }).click(),
    ]);
    await assertAccessible(page, 'the signed-out page');

    await page.getByLabel('User name').fill('carol');
    await page.getByLabel('Password').fill('carol-e2e-password');
    await submit('Sign in');
    assert.equal(await page.locator('h1').textContent(), 'Enter your code');
    await assertAccessible(page, 'the code step');
    await page.getByLabel('One-time code').fill('000000');
    await submit('Verify');
    assert.equal(await page.getByRole('alert').isVisible(), true, 'the wrong-code error is shown');
    await assertAccessible(page, 'the code step with its error');
    await context.close();
  });
});
