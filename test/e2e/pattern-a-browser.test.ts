/**
 * Pattern A in the browser (issue 5 "Done when"): headless Chromium signs in to Keyway as carol (Operations and
 * Engineering), opens the AWS tile on the portal, Keyway signs and auto-posts the Response to the AWS sign-in
 * endpoint (the emulator), AWS's role picker lists roles in several accounts, and after picking one the console
 * page shows that account and role. Built by the same steps as `npm start`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { systemActor } from '../../src/core/index.js';
import { startPatternA, type PatternAWorld } from './pattern-a-fixture.js';
import { CHROMIUM, missingPeers } from '../../src/testing/index.js';

const BIN = fileURLToPath(new URL('../../bin/keyway.js', import.meta.url));

const skip = missingPeers('chromium');

describe('the AWS tile opens AWS with a role picker across accounts', { skip }, () => {
  let world: PatternAWorld;
  let browser: Browser;

  before(async () => {
    world = await startPatternA();
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
    await world?.close();
  });

  const signIn = async (userName: string, password: string) => {
    const page = await browser.newPage();
    await page.goto(`${world.keywayUrl}/signin`);
    await page
      .getByLabel('User name')
      .fill(userName)
      .catch(async () => page.fill('#userName', userName));
    await page.fill('#password', password);
    await Promise.all([page.waitForURL(`${world.keywayUrl}/`), page.click('button[type=submit]')]);
    return page;
  };

  test('carol picks Operator in Production on the role picker and lands on the console as Operator/carol', async () => {
    const page = await signIn('carol', 'carol-keyway-demo');
    try {
      const tile = page.locator('.tile', { hasText: 'AWS' });
      assert.match((await tile.textContent()) ?? '', /4 roles in 3 accounts/);
      await Promise.all([page.waitForSelector('form#saml_form', { timeout: 20_000 }), tile.locator('button').click()]);
      assert.ok(
        page.url().startsWith(`${world.emulator.url}/saml`),
        `the browser posted to the emulator, now at ${page.url()}`,
      );
      const headings = await page.locator('.saml-account-name').allTextContents();
      assert.deepEqual(headings, [
        'Account: Production (333333333333)',
        'Account: Staging (444444444444)',
        'Account: Development (555555555555)',
      ]);
      const staging = page.locator('.saml-account', { hasText: 'Staging' });
      assert.deepEqual(await staging.locator('label').allTextContents(), ['Operator', 'ReadOnly']);
      await page.locator('.saml-account', { hasText: 'Production' }).getByLabel('Operator').check();
      await Promise.all([page.waitForURL(/\/console$/, { timeout: 20_000 }), page.click('#signin_button')]);
      assert.equal(await page.locator('#account').textContent(), 'Production (333333333333)');
      assert.equal(await page.locator('#role').textContent(), 'Operator');
      assert.equal(await page.locator('#federated-user').textContent(), 'Operator/carol');
      assert.equal(
        await page.locator('#assumed-role-arn').textContent(),
        'arn:aws:sts::333333333333:assumed-role/Operator/carol',
      );
    } finally {
      await page.close();
    }
  });

  test('keyway aws login --device is approved in the signed-in browser, then keyway aws configure sees the roles', async () => {
    const home = join(world.dir, 'device-home');
    mkdirSync(home, { recursive: true });
    const env = { PATH: process.env.PATH, HOME: home, KEYWAY_URL: world.keywayUrl };
    const child = spawn(process.execPath, [BIN, 'aws', 'login', '--device'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no verification URL in: ${stderr}`)), 30_000);
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const m = /open (\S+\/aws\/cli\/approve\?code=[A-Z-]+)/.exec(stderr);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    const page = await signIn('bob', 'bob-keyway-demo');
    try {
      await page.goto(url);
      const code = /code=([A-Z-]+)/.exec(url)![1]!;
      assert.equal(await page.inputValue('#code'), code);
      await page.click('button[value=approve]');
      await page.waitForSelector('text=Command line signed in');
    } finally {
      await page.close();
    }
    assert.equal(await exited, 0, stderr);
    assert.match(stderr, /signed in to http:\/\/127\.0\.0\.1:\d+ as bob/);
    const configure = spawn(process.execPath, [BIN, 'aws', 'configure', '--diff'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    configure.stdout.on('data', (d: Buffer) => (out += d.toString()));
    assert.equal(await new Promise<number>((resolve) => configure.on('exit', (c) => resolve(c ?? 1))), 0);
    assert.deepEqual(
      [...out.matchAll(/\[profile ([^\]]+)\]/g)].map((m) => m[1]),
      ['keyway-development-developer', 'keyway-development-readonly', 'keyway-staging-readonly'],
    );
  });

  test('a user whose groups are bound to no role sees no AWS tile', async () => {
    const dave = (await world.store.directory.findUserByUserName('dave'))!;
    const finance = (await world.store.directory.findGroupByDisplayName('Finance'))!;
    await world.store.directory.removeMember(systemActor('test'), finance.id, { kind: 'user', id: dave.id });
    const page = await signIn('dave', 'dave-keyway-demo');
    try {
      assert.equal(await page.locator('.tile', { hasText: 'AWS' }).count(), 0);
    } finally {
      await page.close();
    }
  });
});
