/**
 * The provider's own pages (device code entry and confirmation, logout confirmation, errors), written into the
 * page frame the server gives. Every value from a request is escaped here; `form` markup comes from the library.
 */
import type { KoaContextWithOIDC } from 'oidc-provider';

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeText = (v: unknown): string => String(v).replace(/[&<>"']/g, (c) => entities[c] ?? c);

/** Wraps a body (already safe markup) into Keyway's page layout. */
export type PageFrame = (title: string, body: string) => string;

export const setPage = (ctx: KoaContextWithOIDC, frame: PageFrame, title: string, body: string): void => {
  ctx.type = 'html';
  ctx.set('cache-control', 'no-store');
  ctx.set('x-frame-options', 'DENY');
  ctx.body = frame(title, `<div class="card narrow">${body}</div>`);
};

export const deviceInputBody = (form: string, err: unknown): string => {
  const e = err as { name?: string; userCode?: unknown } | undefined;
  const problem = !e
    ? ''
    : e.userCode || e.name === 'NoCodeError'
      ? 'That code is not right or has expired. Check the code your device shows and try again.'
      : e.name === 'AbortedError'
        ? 'The sign-in was cancelled.'
        : 'The code could not be checked. Try again.';
  return `<h1>Connect a device</h1>
${problem ? `<div class="error-summary" role="alert" tabindex="-1" autofocus><h2>There is a problem</h2><p>${escapeText(problem)}</p></div>` : ''}
<p>Enter the code your device or command line shows.</p>
${form.replace('<input ', '<input id="user_code_input" aria-label="Code" autocomplete="off" autocapitalize="characters" ')}
<button type="submit" form="op.deviceInputForm">Continue</button>`;
};

export const deviceConfirmBody = (
  form: string,
  clientName: string,
  userCode: string,
): string => `<h1>Allow ${escapeText(clientName)}?</h1>
<p>Check that your device shows this code: <code id="confirm-user-code">${escapeText(userCode)}</code></p>
<p>If you did not start this, or the code differs, choose Cancel.</p>
${form}
<button type="submit" form="op.deviceConfirmForm">Allow</button>
<button type="submit" form="op.deviceConfirmForm" value="yes" name="abort" class="secondary">Cancel</button>`;

export const deviceSuccessBody = (clientName: string): string =>
  `<h1>Device connected</h1><p role="status">${escapeText(clientName)} is signed in. You can close this window and return to your device.</p>`;

export const logoutConfirmBody = (form: string, host: string): string => `<h1>Sign out</h1>
<p>Do you want to sign out of Keyway at ${escapeText(host)}?</p>
${form}
<button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm" class="secondary">No, stay signed in</button>`;

export const loggedOutBody = (clientName: string | undefined): string =>
  `<h1>You have signed out</h1><p role="status">You have signed out${clientName ? ` of ${escapeText(clientName)}` : ''} and of Keyway.</p><p><a href="/signin">Sign in again</a></p>`;

export const errorBody = (out: { readonly error?: string; readonly error_description?: string }): string =>
  `<h1>The sign-in request could not be processed</h1>
<div class="error-summary" role="alert"><p><strong>${escapeText(out.error ?? 'error')}</strong>: ${escapeText(out.error_description ?? '')}</p></div>
<p>Go back to the application and try again. <a href="/">Back to my apps</a></p>`;
