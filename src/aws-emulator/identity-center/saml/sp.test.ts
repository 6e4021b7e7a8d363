import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryStateStore } from '../../state/state-store.js';
import {
  ASSERTION_XPATH,
  fixtureMetadata,
  fixtureResponseXml,
  makeFixtureKey,
  signElement,
  toBase64,
  type FixtureResponseOptions,
} from '../../saml-sp/fixture-idp.js';
import { IdentityStore } from '../store.js';
import { IdentityCenterSp, parseIdpMetadata, SignInFailure } from './sp.js';

const IDP = 'https://idp.example.test/saml';
const BASE = 'http://127.0.0.1:4566';
const SP = 'https://us-east-1.signin.aws.amazon.com/platform/saml/d-0123456789';
const ACS_PATH = '/platform/saml/acs/abc';
const ACS = `${BASE}${ACS_PATH}`;
const EMAIL = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
const key = makeFixtureKey('sp-test');
const other = makeFixtureKey('other');

function setup() {
  let clock = Date.now();
  const store = new IdentityStore('d-0123456789', () => clock, createMemoryStateStore());
  store.createUser(
    {
      userName: 'ann@example.com',
      name: { givenName: 'A', familyName: 'B' },
      displayName: 'Ann',
      active: true,
      emails: [],
      addresses: [],
      phoneNumbers: [],
      roles: [],
    },
    'test',
  );
  store.createUser(
    {
      userName: 'off@example.com',
      name: { givenName: 'O', familyName: 'F' },
      displayName: 'Off',
      active: false,
      emails: [],
      addresses: [],
      phoneNumbers: [],
      roles: [],
    },
    'test',
  );
  const sp = new IdentityCenterSp(SP, ACS_PATH, store, () => clock);
  sp.configure(fixtureMetadata(IDP, [key], 'https://idp.example.test/sso'));
  return {
    sp,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

const response = (o: Partial<FixtureResponseOptions> = {}, signer = key): string =>
  toBase64(
    fixtureResponseXml(
      {
        issuer: IDP,
        nameId: 'ann@example.com',
        nameIdFormat: EMAIL,
        recipient: ACS,
        destination: ACS,
        audiences: [SP],
        sign: 'both',
        ...o,
      },
      signer,
    ),
  );

const refused = (fn: () => unknown, code: SignInFailure['code'], detail: RegExp): void => {
  assert.throws(fn, (e: unknown) => e instanceof SignInFailure && e.code === code && detail.test(e.message));
};

test('accepts a signed Response for a provisioned user and maps the NameID to that user', () => {
  const { sp } = setup();
  assert.equal(sp.consume(response(), BASE).userName, 'ann@example.com');
});

test('refuses each broken binding of the assertion to this SP (SAML profiles 4.1.4.3, 4.1.4.2)', () => {
  const { sp } = setup();
  refused(() => sp.consume(response({ audiences: ['urn:amazon:webservices'] }), BASE), 'invalid_saml', /Audience/);
  refused(() => sp.consume(response({ recipient: 'http://elsewhere/acs' }), BASE), 'invalid_saml', /Recipient/);
  refused(() => sp.consume(response({ destination: 'http://elsewhere/acs' }), BASE), 'invalid_saml', /Destination/);
  refused(() => sp.consume(response({ issuer: 'https://evil.example/idp' }), BASE), 'invalid_saml', /Issuer/);
  refused(() => sp.consume(response({ sign: 'none' }), BASE), 'invalid_saml', /signed/);
  refused(() => sp.consume(response({}, other), BASE), 'invalid_saml', /./);
  refused(
    () =>
      sp.consume(
        response({ notOnOrAfter: Date.now() - 10 * 60_000, subjectNotOnOrAfter: Date.now() - 10 * 60_000 }),
        BASE,
      ),
    'invalid_saml',
    /expired/,
  );
  refused(() => sp.consume(response({ notBefore: Date.now() + 10 * 60_000 }), BASE), 'invalid_saml', /not yet valid/);
  refused(
    () => sp.consume(response({ nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent' }), BASE),
    'invalid_saml',
    /emailAddress/,
  );
  refused(() => sp.consume(response({ nameId: null }), BASE), 'invalid_saml', /NameID/);
  refused(() => sp.consume('not base64 at all!', BASE), 'invalid_saml', /./);
  refused(() => sp.consume('A'.repeat(70_000), BASE), 'invalid_saml', /50,000/);
});

test('refuses a NameID that is not exactly a provisioned userName, and a disabled user', () => {
  const { sp } = setup();
  refused(
    () => sp.consume(response({ nameId: 'Ann@example.com' }), BASE),
    'user_not_provisioned',
    /exact and case-sensitive/,
  );
  refused(() => sp.consume(response({ nameId: 'nobody@example.com' }), BASE), 'user_not_provisioned', /does not match/);
  refused(() => sp.consume(response({ nameId: 'off@example.com' }), BASE), 'user_disabled', /disabled/);
});

test('accepts each assertion once, and InResponseTo only for a request this SP sent', () => {
  const { sp } = setup();
  const once = response();
  sp.consume(once, BASE);
  refused(() => sp.consume(once, BASE), 'invalid_saml', /already used/);
  const url = new URL(sp.authnRequestUrl(BASE, 'rs_x'));
  assert.equal(url.searchParams.get('RelayState'), 'rs_x');
  const withUnknown = toBase64(
    fixtureResponseXml(
      {
        issuer: IDP,
        nameId: 'ann@example.com',
        nameIdFormat: EMAIL,
        recipient: ACS,
        destination: ACS,
        audiences: [SP],
        sign: 'none',
      },
      key,
    ).replace('<saml:SubjectConfirmationData ', '<saml:SubjectConfirmationData InResponseTo="_unknown" '),
  );
  // Signed after the edit, so only the InResponseTo check can refuse it.
  const xml = Buffer.from(withUnknown, 'base64').toString('utf8');
  refused(() => sp.consume(toBase64(signElement(xml, ASSERTION_XPATH, key)), BASE), 'invalid_saml', /InResponseTo/);
});

test('refuses IdP metadata that is too large, unsigned-only or without a SingleSignOnService ([doc] SSOUG other-idps)', () => {
  refused(() => parseIdpMetadata(`<x>${' '.repeat(75_001)}</x>`), 'invalid_saml', /75000/);
  refused(
    () => parseIdpMetadata(fixtureMetadata(IDP, [], 'https://idp.example.test/sso')),
    'invalid_saml',
    /certificate/,
  );
  refused(
    () => parseIdpMetadata(fixtureMetadata(IDP, [key], 'javascript:alert(1)')),
    'invalid_saml',
    /SingleSignOnService/,
  );
  refused(() => parseIdpMetadata('<!DOCTYPE x [<!ENTITY a "b">]><x/>'), 'invalid_saml', /./);
  const sp = new IdentityCenterSp(
    SP,
    ACS_PATH,
    new IdentityStore('d-0123456789', Date.now, createMemoryStateStore()),
    Date.now,
  );
  refused(() => sp.authnRequestUrl(BASE, '/start'), 'idp_not_configured', /No external identity provider/);
});
