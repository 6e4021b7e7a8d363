/**
 * The sign-in page (WCAG 2.2: 3.3.8 accessible authentication — paste and password managers work, no puzzle;
 * an error summary that takes focus; labelled inputs; works without JavaScript).
 */
import { html } from '../html.js';
import type { Html } from '../html.js';

export interface SignInFormView {
  readonly csrf: string;
  readonly returnTo: string;
  readonly userName?: string;
  readonly error?: string;
  readonly notice?: string;
}

export const signInForm = (v: SignInFormView): Html => html`<div class="card narrow">
<h1>Sign in</h1>
${
  v.error
    ? html`<div class="error-summary" id="error-summary" role="alert" tabindex="-1" autofocus aria-labelledby="error-summary-title">
<h2 id="error-summary-title">There is a problem</h2>
<p>${v.error}</p>
</div>`
    : ''
}
${v.notice ? html`<p class="notice" role="status">${v.notice}</p>` : ''}
<form method="post" action="/signin" novalidate>
<input type="hidden" name="csrf" value="${v.csrf}">
<input type="hidden" name="returnTo" value="${v.returnTo}">
<div class="field">
<label for="userName">User name</label>
<input id="userName" name="userName" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="256" value="${v.userName ?? ''}"${v.error ? html` aria-invalid="true" aria-describedby="error-summary"` : html` autofocus`}>
</div>
<div class="field">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="256"${v.error ? html` aria-invalid="true" aria-describedby="error-summary"` : ''}>
</div>
<button type="submit">Sign in</button>
</form>
</div>`;

export interface OtpFormView {
  readonly csrf: string;
  readonly error?: string;
}

/** The second step: a one-time code from the authenticator app (autocomplete one-time-code, numeric keyboard). */
export const otpForm = (v: OtpFormView): Html => html`<div class="card narrow">
<h1>Enter your code</h1>
${
  v.error
    ? html`<div class="error-summary" id="error-summary" role="alert" tabindex="-1" autofocus aria-labelledby="error-summary-title">
<h2 id="error-summary-title">There is a problem</h2>
<p>${v.error}</p>
</div>`
    : ''
}
<p id="otp-hint">Open your authenticator app and enter the 6-digit code it shows for Keyway.</p>
<form method="post" action="/signin/otp" novalidate>
<input type="hidden" name="csrf" value="${v.csrf}">
<div class="field">
<label for="code">One-time code</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]*" maxlength="12" required aria-describedby="otp-hint"${v.error ? html` aria-invalid="true"` : html` autofocus`}>
</div>
<button type="submit">Verify</button>
</form>
<p><a href="/signin">Start again</a></p>
</div>`;
