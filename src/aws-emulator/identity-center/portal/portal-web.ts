import type { EmulatorRequest, EmulatorResponse, RestRouteRegistration } from '../../http/contract.js';
import type { AccountDirectory, CredentialIssuer, EmulatorLogger, IamWriter } from '../../world-contract.js';
import type { IdcInstance } from '../instance.js';
import { SignInFailure, type IdentityCenterSp } from '../saml/sp.js';
import type { SsoAdminState } from '../sso-admin/model.js';
import { entitlementsOf } from './entitlements.js';
import { issueRoleCredentials } from './role-session.js';
import type { AccessSessions, BrowserSession } from './sessions.js';
import { baseUrl, cookie, esc, form, page, redirect, safeLocalPath } from './web.js';

/**
 * The access portal in the browser: SP metadata and ACS for the external IdP, the start page listing the
 * accounts and permission sets the user is assigned (directly or through groups), and a console page opened
 * as the `AWSReservedSSO_*` role.
 */
export const SESSION_COOKIE = 'idc_portal';
export const START_PATH = '/start';

export interface PortalWebDeps {
  readonly instance: IdcInstance;
  readonly state: SsoAdminState;
  readonly sp: IdentityCenterSp;
  readonly sessions: AccessSessions;
  readonly iam: IamWriter;
  readonly credentials: CredentialIssuer;
  readonly accounts: AccountDirectory;
  readonly log: EmulatorLogger;
}

export function spMetadataPath(inst: IdcInstance): string {
  return `/platform/saml/${inst.identityStoreId}/metadata`;
}

/** The signed-in portal session, or a redirect that starts SP-initiated SAML sign-in and comes back here. */
export function requireBrowserSession(
  deps: Pick<PortalWebDeps, 'sp' | 'sessions'>,
  req: EmulatorRequest,
): BrowserSession | EmulatorResponse {
  const s = deps.sessions.browserSession(cookie(req, SESSION_COOKIE));
  if (s) return s;
  const back = safeLocalPath(req.query.size > 0 ? `${req.path}?${req.query.toString()}` : req.path) ?? START_PATH;
  try {
    // RelayState may carry at most 80 bytes (SAML bindings §3.4.3), so it names the way back instead of holding it.
    return redirect(deps.sp.authnRequestUrl(baseUrl(req), deps.sessions.rememberReturnPath(back)));
  } catch (e) {
    if (e instanceof SignInFailure) return failurePage(e);
    throw e;
  }
}

export function failurePage(e: SignInFailure): EmulatorResponse {
  const status = e.code === 'idp_not_configured' ? 503 : 403;
  return page(
    status,
    'Sign-in failed',
    `<h1>Sign-in failed</h1><p class="error" role="alert">${esc(e.message)}</p><p>Error code: <code>${esc(e.code)}</code></p>`,
  );
}

function startPage(deps: PortalWebDeps, session: BrowserSession): EmulatorResponse {
  const user = deps.instance.store.getUser(session.userId);
  if (!user) return page(401, 'Signed out', '<p>Your user no longer exists.</p>');
  const rows = entitlementsOf(deps.instance, deps.state, user.id).map((e) => {
    const account = deps.accounts.getAccount(e.accountId);
    return (
      `<tr><td>${esc(account?.name ?? e.accountId)}</td><td>${esc(e.accountId)}</td><td>${esc(account?.email ?? '')}</td><td>` +
      `<form method="post" action="${START_PATH}/console"><input type="hidden" name="csrf" value="${esc(session.csrf)}">` +
      `<input type="hidden" name="account_id" value="${esc(e.accountId)}"><input type="hidden" name="role_name" value="${esc(e.permissionSet.name)}">` +
      `<button type="submit">${esc(e.permissionSet.name)}</button></form></td></tr>`
    );
  });
  const table =
    rows.length === 0
      ? '<p>You do not have any applications or accounts assigned.</p>'
      : `<table><thead><tr><th>Account</th><th>Id</th><th>Email</th><th>Permission set</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
  return page(
    200,
    'AWS access portal',
    `<h1>AWS access portal</h1><p>Signed in as <strong id="user">${esc(user.userName)}</strong>.</p><h2>AWS accounts</h2>${table}<p><a href="${START_PATH}/logout">Sign out</a></p>`,
  );
}

function openConsole(deps: PortalWebDeps, req: EmulatorRequest, session: BrowserSession): EmulatorResponse {
  const f = form(req);
  if (!f || f.get('csrf') !== session.csrf)
    return page(
      403,
      'Forbidden',
      '<p class="error" role="alert">The request could not be verified; reload the portal and try again.</p>',
    );
  const user = deps.instance.store.getUser(session.userId);
  const e =
    user &&
    entitlementsOf(deps.instance, deps.state, user.id).find(
      (x) => x.accountId === f.get('account_id') && x.permissionSet.name === f.get('role_name'),
    );
  if (!user || !e)
    return page(
      403,
      'No access',
      '<p class="error" role="alert">You are not assigned this permission set in this account.</p>',
    );
  const issued = issueRoleCredentials(deps, user, e);
  if (!issued)
    return page(
      404,
      'Not provisioned',
      '<p class="error" role="alert">The permission set is not provisioned in this account.</p>',
    );
  deps.log.info('identity-center.console', {
    accountId: e.accountId,
    assumedRoleArn: issued.assumedRoleArn,
    accessKeyId: issued.credentials.accessKeyId,
  });
  const account = deps.accounts.getAccount(e.accountId);
  return page(
    200,
    'AWS Management Console',
    `<h1>AWS Management Console (emulated)</h1>` +
      `<p>Account: <strong>${esc(account?.name ?? e.accountId)}</strong> (${esc(e.accountId)})</p>` +
      `<p>Assumed role: <code id="assumed-role-arn">${esc(issued.assumedRoleArn)}</code></p>` +
      `<p>Session expires: ${esc(new Date(issued.credentials.expiration).toISOString())}</p>` +
      (e.permissionSet.relayState ? `<p>Relay state: ${esc(e.permissionSet.relayState)}</p>` : '') +
      `<p><a href="${START_PATH}">Back to the access portal</a></p>`,
  );
}

function acs(deps: PortalWebDeps, req: EmulatorRequest): EmulatorResponse {
  const f = form(req);
  const saml = f?.get('SAMLResponse');
  if (!f || !saml) return failurePage(new SignInFailure('invalid_saml', 'The request carries no SAMLResponse.'));
  try {
    const user = deps.sp.consume(saml, baseUrl(req));
    const token = deps.sessions.startBrowserSession(user.id);
    deps.log.info('identity-center.signin', { userId: user.id });
    const relay = f.get('RelayState');
    const back = deps.sessions.takeReturnPath(relay) ?? safeLocalPath(relay) ?? START_PATH;
    return redirect(back, { 'set-cookie': `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax` });
  } catch (e) {
    if (e instanceof SignInFailure) {
      deps.log.warn('identity-center.signin-failed', { code: e.code, detail: e.message });
      return failurePage(e);
    }
    throw e;
  }
}

export function createPortalWebRoute(deps: PortalWebDeps): RestRouteRegistration {
  const metadataPath = spMetadataPath(deps.instance);
  const paths = new Set([
    START_PATH,
    `${START_PATH}/`,
    `${START_PATH}/console`,
    `${START_PATH}/logout`,
    metadataPath,
    deps.sp.acsPath,
  ]);
  function handle(req: EmulatorRequest): EmulatorResponse {
    const m = req.method.toUpperCase();
    if (req.path === metadataPath && m === 'GET') {
      return {
        status: 200,
        headers: { 'content-type': 'application/samlmetadata+xml' },
        body: deps.sp.metadata(baseUrl(req)),
      };
    }
    if (req.path === deps.sp.acsPath && m === 'POST') return acs(deps, req);
    if (req.path === `${START_PATH}/logout`) {
      deps.sessions.endBrowserSession(cookie(req, SESSION_COOKIE));
      return page(200, 'Signed out', '<p>You have signed out of the AWS access portal.</p>', {
        'set-cookie': `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`,
      });
    }
    const session = requireBrowserSession(deps, req);
    if (!('userId' in session)) return session;
    if (req.path === `${START_PATH}/console` && m === 'POST') return openConsole(deps, req, session);
    if (m === 'GET' && (req.path === START_PATH || req.path === `${START_PATH}/`)) return startPage(deps, session);
    return page(405, 'Method not allowed', '<p>Method not allowed.</p>');
  }
  return { kind: 'rest', name: 'identity-center-portal', matches: (req) => paths.has(req.path), handle };
}
