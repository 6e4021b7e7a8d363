/**
 * The sign-in endpoint's pages, shaped like AWS's (IAM User Guide, "Enable SAML 2.0 federated principals to access the
 * AWS Management Console"): the role picker (`form#saml_form`, one
 * `div.saml-account` per account headed "Account: <name> (<id>)", a `div.saml-role` with a radio and a label per
 * role, a "Sign In" button), the console landing page, and the generic error page.
 */
import { html, type SafeHtml } from './html.js';

export interface PickerAccount {
  readonly id: string;
  readonly name: string;
  readonly roles: ReadonlyArray<{ readonly roleArn: string; readonly roleName: string }>;
}

const STYLE = html`<style>
body{font-family:Arial,Helvetica,sans-serif;background:#f2f3f3;color:#16191f;margin:0}
header{background:#232f3e;color:#fff;padding:12px 24px;font-weight:bold}
main{max-width:720px;margin:32px auto;background:#fff;padding:24px;border-radius:4px}
.saml-account{margin:16px 0;border-top:1px solid #eaeded;padding-top:12px}
.saml-account-name{font-weight:bold;margin-bottom:8px}
.saml-role{margin:6px 0 6px 16px}
dt{font-weight:bold;margin-top:8px}
.emulator-note{color:#687078;font-size:12px;margin-top:24px}
</style>`;

function page(title: string, body: SafeHtml): string {
  return html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>${STYLE}</head>
<body><header>Amazon Web Services Sign-In <small>(Keyway AWS emulator)</small></header><main>${body}</main></body></html>`
    .value;
}

export function rolePickerPage(pickerToken: string, accounts: readonly PickerAccount[]): string {
  let index = 0;
  return page(
    'Amazon Web Services Sign-In',
    html`<p>Select a role:</p>
<form id="saml_form" name="saml_form" action="/saml" method="post">
<input type="hidden" name="SAMLPickerToken" value="${pickerToken}">
<fieldset>${accounts.map(
      (account) => html`
<div class="saml-account"><div class="saml-account-name">Account: ${account.name} (${account.id})</div>${account.roles.map(
        (role) => {
          const id = `role-${index++}`;
          return html`
<div class="saml-role"><input type="radio" class="clickable-radio" name="roleIndex" id="${id}" value="${role.roleArn}"><label for="${id}" class="saml-role-description">${role.roleName}</label></div>`;
        },
      )}
</div>`,
    )}
</fieldset>
<input type="submit" id="signin_button" value="Sign In">
</form>`,
  );
}

export interface ConsoleView {
  readonly accountId: string;
  readonly accountName: string;
  readonly roleName: string;
  readonly sessionName: string;
  readonly assumedRoleArn: string;
  readonly accessKeyId: string;
  readonly expiration: number;
  readonly subject: string;
  /** Where AWS would send the browser next (the IdP's RelayState); shown, never followed. */
  readonly relayState?: string;
}

export function consolePage(v: ConsoleView): string {
  return page(
    'AWS Management Console',
    html`<h1>AWS Management Console</h1>
<p id="signed-in">Signed in as federated user <strong id="federated-user">${v.roleName}/${v.sessionName}</strong></p>
<dl>
<dt>Account</dt><dd id="account">${v.accountName} (${v.accountId})</dd>
<dt>Role</dt><dd id="role">${v.roleName}</dd>
<dt>Session name</dt><dd id="session-name">${v.sessionName}</dd>
<dt>Assumed-role ARN</dt><dd id="assumed-role-arn">${v.assumedRoleArn}</dd>
<dt>SAML subject</dt><dd id="subject">${v.subject}</dd>
<dt>Session credentials</dt><dd id="access-key-id">${v.accessKeyId}</dd>
<dt>Session expires</dt><dd id="expiration">${new Date(v.expiration).toISOString()}</dd>
${v.relayState !== undefined ? html`<dt>Destination (RelayState, not followed by the emulator)</dt><dd id="relay-state">${v.relayState}</dd>` : undefined}
</dl>
<p><a href="/console/logout">Sign out</a></p>
<p class="emulator-note">This is the Keyway AWS emulator, not AWS.</p>`,
  );
}

/** [doc] troubleshoot_saml: the console's text for a SAML Response it cannot use. */
export const INVALID_SAML_TEXT = 'Your request included an invalid SAML response. To logout, click here.';

export function invalidSamlPage(): string {
  return page(
    'Amazon Web Services Sign-In',
    html`<p id="error">Your request included an invalid SAML response. To logout, click <a href="/console/logout">here</a>.</p>`,
  );
}

/** A role-level refusal, in the form the console shows STS errors (troubleshoot_saml: "Error: … (Service: …)"). */
export function stsErrorPage(code: string, status: number, message: string, requestId: string): string {
  return page(
    'Amazon Web Services Sign-In',
    html`<p id="error">Error: ${message} (Service: AWSSecurityTokenService; Status Code: ${status}; Error Code: ${code}; Request ID: ${requestId})</p>`,
  );
}

export function signedOutPage(): string {
  return page('Amazon Web Services Sign-In', html`<p id="signed-out">You have signed out.</p>`);
}

export function notSignedInPage(): string {
  return page(
    'Amazon Web Services Sign-In',
    html`<p id="not-signed-in">You are not signed in. Sign in through your identity provider.</p>`,
  );
}
