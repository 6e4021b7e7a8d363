/**
 * The AWS sign-in SAML endpoint (IAM User Guide, "Configure SAML assertions for the authentication response"; IAM User
 * Guide, "Enable SAML 2.0 federated principals to access the AWS Management Console"): `POST /saml` and `POST
 * /saml/acs/<IdP-ID>` take
 * the browser's HTTP-POST binding form (`SAMLResponse`, `RelayState`), validate it with the same code as STS
 * AssumeRoleWithSAML, show a role picker when the assertion carries several roles, then open a console session
 * (`GET /console`). Invalid responses get AWS's generic text; the real reason goes to the emulator's log.
 *
 * RelayState: AWS opens the console URL an IdP sends as RelayState after sign-in, but what it accepts is not
 * documented (IAM User Guide, "Enable SAML 2.0 federated principals to access the AWS Management Console";
 * docs/aws-facts.md, "Not documented by AWS"). The emulator has no console to open, so the strict choice is to follow
 * nothing and
 * show an https URL of at most 2048 characters on the console page as the destination; anything else is ignored
 * and logged.
 */
import { randomUUID } from 'node:crypto';
import type { EmulatorRequest, EmulatorResponse, RestRouteRegistration, ServiceFactory } from '../http/contract.js';
import { AwsServiceError } from '../http/contract.js';
import type { EmulatorServices } from '../world-contract.js';
import {
  parseProviderArn,
  parseRoleArn,
  rolePairs,
  sessionDuration,
  type RolePair,
} from '../sts/assume-role-with-saml-claims.js';
import {
  claimAssertion,
  findProvider,
  parseAssertionParameter,
  verifyForProvider,
  type SamlFederationDeps,
  type VerifiedFederation,
} from '../sts/assume-role-with-saml-validation.js';
import { authorizeRoleSession, issueRoleSession } from '../sts/assume-role-with-saml-session.js';
import {
  consolePage,
  invalidSamlPage,
  notSignedInPage,
  rolePickerPage,
  signedOutPage,
  stsErrorPage,
  type ConsoleView,
  type PickerAccount,
} from './pages.js';
import { ExpiringTable } from './session-tables.js';

const SAML_PATH = /^\/saml(?:\/acs\/([A-Za-z0-9]{1,64}))?$/;
const COOKIE = 'aws-emulator-console';
const PICKER_TTL_MS = 5 * 60_000;
/** Providers named by the unverified Role values that are tried as trust anchors; more is refused. */
const MAX_CANDIDATE_PROVIDERS = 10;
const MAX_RELAY_STATE = 2048;

interface PickerEntry {
  readonly verified: readonly VerifiedFederation[];
  readonly pairs: readonly RolePair[];
  /** Kept server-side with the picker token, so the picker form cannot change where the session goes. */
  readonly relayState: string | undefined;
}

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
} as const;

const pageResponse = (status: number, body: string, extra: Record<string, string> = {}): EmulatorResponse => ({
  status,
  headers: { ...PAGE_HEADERS, ...extra },
  body,
});

function cookieValue(req: EmulatorRequest, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

export function createSignInRegistration(services: EmulatorServices): RestRouteRegistration {
  const deps: SamlFederationDeps = services;
  const pickers = new ExpiringTable<PickerEntry>(1_000);
  const consoles = new ExpiringTable<ConsoleView>(10_000);

  const invalid = (detail: string, fields: Record<string, unknown> = {}): EmulatorResponse => {
    services.log.warn('signin.invalid-saml-response', { detail, ...fields });
    return pageResponse(400, invalidSamlPage());
  };

  function destination(relayState: string | null): string | undefined {
    if (relayState === null || relayState === '') return undefined;
    if (relayState.length <= MAX_RELAY_STATE && /^https:\/\/[^\s]+$/.test(relayState) && URL.canParse(relayState))
      return relayState;
    services.log.warn('signin.relay-state-ignored', {
      detail: 'RelayState is not an https URL of at most 2048 characters',
      length: relayState.length,
    });
    return undefined;
  }

  function accountName(id: string): string {
    return services.accounts.getAccount(id)?.name ?? id;
  }

  function signIn(v: VerifiedFederation, pair: RolePair, relayState: string | undefined): EmulatorResponse {
    const role = services.iamReader.getRoleByArn(pair.roleArn);
    let requested = 3600;
    try {
      requested = sessionDuration(v.assertion) ?? 3600;
    } catch {
      // authorizeRoleSession reports the bad SessionDuration with AWS's error below.
    }
    // The console honours SessionDuration (IAM User Guide, "Configure SAML assertions for the authentication response")
    // up to the role's maximum.
    if (role) requested = Math.min(requested, role.maxSessionDuration);
    try {
      const session = authorizeRoleSession(v, { ...pair, durationSeconds: requested }, deps);
      const credentials = issueRoleSession(session, deps);
      const view: ConsoleView = {
        accountId: session.accountId,
        accountName: accountName(session.accountId),
        roleName: session.role.name,
        sessionName: session.sessionName,
        assumedRoleArn: session.assumedRoleArn,
        accessKeyId: credentials.accessKeyId,
        expiration: credentials.expiration,
        subject: session.subject,
        ...(relayState !== undefined ? { relayState } : {}),
      };
      const token = consoles.add(view, credentials.expiration, services.now());
      services.log.info('signin.console', {
        assumedRoleArn: session.assumedRoleArn,
        accessKeyId: credentials.accessKeyId,
      });
      return {
        status: 303,
        headers: {
          location: '/console',
          'cache-control': 'no-store',
          'set-cookie': `${COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax`,
        },
        body: '',
      };
    } catch (error) {
      if (!(error instanceof AwsServiceError)) throw error;
      return pageResponse(error.status, stsErrorPage(error.code, error.status, error.message, randomUUID()));
    }
  }

  function fromAssertion(
    samlResponse: string,
    acsId: string | undefined,
    relayState: string | undefined,
  ): EmulatorResponse {
    let parsed: ReturnType<typeof parseAssertionParameter>;
    try {
      parsed = parseAssertionParameter(samlResponse, deps);
    } catch (error) {
      if (error instanceof AwsServiceError) return invalid(error.message);
      throw error;
    }
    // Unsigned Role values only choose which providers' certificates to try; roles come from signed bytes below.
    const candidates = [
      ...new Set(
        parsed.unverified.roleValues
          .flatMap((v) => v.split(',').map((p) => p.trim()))
          .filter((p) => parseProviderArn(p)),
      ),
    ];
    if (candidates.length === 0) return invalid('the Role attribute names no SAML provider');
    if (candidates.length > MAX_CANDIDATE_PROVIDERS) return invalid('the Role attribute names too many SAML providers');
    const verified: VerifiedFederation[] = [];
    for (const arn of candidates) {
      const provider = findProvider(arn, deps);
      if (!provider || (acsId !== undefined && provider.uuid !== acsId)) {
        services.log.warn('signin.provider-skipped', {
          principalArn: arn,
          detail: provider ? 'not the provider of this ACS URL' : 'no such provider',
        });
        continue;
      }
      try {
        verified.push(verifyForProvider(parsed, provider, deps));
      } catch (error) {
        if (!(error instanceof AwsServiceError)) throw error;
        services.log.warn('signin.provider-rejected', { principalArn: arn, code: error.code, message: error.message });
      }
    }
    const first = verified[0];
    if (!first) return invalid('no SAML provider verified the response');
    try {
      claimAssertion(first, deps);
    } catch (error) {
      if (error instanceof AwsServiceError) return invalid(error.message);
      throw error;
    }
    const pairs = rolePairs(first.assertion).filter((p) => verified.some((v) => v.provider.arn === p.principalArn));
    const only = pairs[0];
    if (!only) return invalid('the signed Role attribute has no role for a verified provider');
    if (pairs.length === 1) return signIn(verifiedFor(verified, only), only, relayState);

    const token = pickers.add({ verified, pairs, relayState }, services.now() + PICKER_TTL_MS, services.now());
    const byAccount = new Map<string, PickerAccount['roles'][number][]>();
    for (const p of pairs) {
      const ref = parseRoleArn(p.roleArn)!;
      const list = byAccount.get(ref.accountId) ?? [];
      if (!list.some((r) => r.roleArn === p.roleArn)) list.push({ roleArn: p.roleArn, roleName: ref.name });
      byAccount.set(ref.accountId, list);
    }
    const accounts = [...byAccount].map(([id, roles]) => ({ id, name: accountName(id), roles }));
    return pageResponse(200, rolePickerPage(token, accounts));
  }

  function fromPicker(token: string, roleArn: string | null): EmulatorResponse {
    const entry = pickers.take(token, services.now());
    if (!entry) return invalid('unknown or expired role-picker token');
    // Only a role the verified assertion offered can be chosen, whatever the form says.
    const chosen = entry.pairs.find((p) => p.roleArn === roleArn);
    if (!chosen) return invalid('the chosen role was not offered by the assertion', { roleArn });
    return signIn(verifiedFor(entry.verified, chosen), chosen, entry.relayState);
  }

  return {
    kind: 'rest',
    name: 'aws-signin',
    matches: (req) =>
      (req.method === 'POST' && SAML_PATH.test(req.path)) ||
      (req.method === 'GET' && (req.path === '/console' || req.path === '/console/logout')),
    handle(req) {
      if (req.method === 'GET') {
        const token = cookieValue(req, COOKIE);
        if (req.path === '/console/logout') {
          if (token) consoles.delete(token);
          return pageResponse(200, signedOutPage(), {
            'set-cookie': `${COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`,
          });
        }
        const view = token ? consoles.get(token, services.now()) : undefined;
        return view ? pageResponse(200, consolePage(view)) : pageResponse(401, notSignedInPage());
      }
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (contentType !== 'application/x-www-form-urlencoded')
        return invalid(`content type ${contentType.slice(0, 64)} is not a form post`);
      const form = new URLSearchParams(req.body.toString('utf8'));
      const pickerToken = form.get('SAMLPickerToken');
      if (pickerToken !== null) return fromPicker(pickerToken, form.get('roleIndex'));
      const samlResponse = form.get('SAMLResponse');
      if (samlResponse === null) return invalid('the form has no SAMLResponse');
      return fromAssertion(samlResponse, SAML_PATH.exec(req.path)?.[1], destination(form.get('RelayState')));
    },
  };
}

function verifiedFor(verified: readonly VerifiedFederation[], pair: RolePair): VerifiedFederation {
  return verified.find((v) => v.provider.arn === pair.principalArn)!;
}

export const signInServiceFactory: ServiceFactory = (services) => [createSignInRegistration(services)];
