/**
 * A browser signs in through the emulator's AWS sign-in endpoint (issue 4 "Done when"): an IdP page auto-posts a
 * multi-role SAMLResponse to `/saml` (HTTP-POST binding), the user picks a role on the picker, and lands on the
 * console page showing that role and account. Headless Chromium via playwright-core, never downloaded.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { escapeHtml } from '../../src/aws-emulator/signin/html.js';
import { ROLE_ATTR, SESSION_ATTR, pair, startFederationWorld, type FederationWorld } from './emulator-signin-setup.js';
import { CHROMIUM, missingPeers } from '../../src/testing/index.js';

const PROD = '333333333333';
const STAGING = '444444444444';
const EC2_CONSOLE = 'https://console.aws.amazon.com/ec2/home?region=us-east-1';

const skip = missingPeers('chromium');

let world: FederationWorld;
let idp: Server;
let idpUrl: string;
let browser: Browser;

before(async () => {
  if (skip) return;
  world = await startFederationWorld(
    [PROD, STAGING],
    [
      { account: PROD, name: 'Admin' },
      { account: STAGING, name: 'Developer' },
    ],
  );
  // The IdP's side of the HTTP-POST binding (SAML bindings §3.5): a page whose form posts itself to the ACS.
  idp = createServer((_req, res) => {
    const samlResponse = world.response({
      attributes: [
        [ROLE_ATTR, [pair(PROD, 'Admin'), pair(STAGING, 'Developer')]],
        [SESSION_ATTR, ['erin']],
      ],
    });
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!DOCTYPE html><html><body onload="document.forms[0].submit()">
<form method="post" action="${escapeHtml(`${world.emulator.url}/saml`)}">
<input type="hidden" name="SAMLResponse" value="${escapeHtml(samlResponse)}">
<input type="hidden" name="RelayState" value="${escapeHtml(EC2_CONSOLE)}">
<noscript><button type="submit">Continue</button></noscript>
</form></body></html>`);
  });
  await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
  idpUrl = `http://127.0.0.1:${(idp.address() as AddressInfo).port}/launch`;
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
  if (idp) await new Promise<void>((resolve) => idp.close(() => resolve()));
  if (world) await world.close();
});

test('a multi-role SAMLResponse posted by the browser shows the role picker; picking a role lands on the console page showing it and the RelayState destination', {
  skip,
}, async () => {
  const page = await browser.newPage();
  try {
    await page.goto(idpUrl);
    await page.waitForSelector('form#saml_form', { timeout: 15_000 });
    const headings = await page.locator('.saml-account-name').allTextContents();
    assert.deepEqual(headings, [`Account: Production (${PROD})`, `Account: Staging (${STAGING})`]);
    await page.getByLabel('Developer').check();
    await Promise.all([page.waitForURL(/\/console$/, { timeout: 15_000 }), page.click('#signin_button')]);
    assert.equal(await page.locator('#role').textContent(), 'Developer');
    assert.equal(await page.locator('#account').textContent(), `Staging (${STAGING})`);
    assert.equal(await page.locator('#federated-user').textContent(), 'Developer/erin');
    assert.match((await page.locator('#signed-in').textContent()) ?? '', /Signed in as federated user/);
    assert.equal(await page.locator('#relay-state').textContent(), EC2_CONSOLE);
  } finally {
    await page.close();
  }
});
