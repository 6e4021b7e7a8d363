/** What the browser sees from the SAML endpoints: the auto-posting form, and clear error pages. */
import type { FastifyReply } from 'fastify';
import { buildPostForm, postFormCsp } from '../../saml/index.js';
import { html, renderPage, personName } from '../html.js';
import { csrfField, type SignedIn } from '../session.js';

export const sendPostForm = (
  reply: FastifyReply,
  action: string,
  fields: Readonly<Partial<Record<'SAMLResponse' | 'SAMLRequest' | 'RelayState', string>>>,
): FastifyReply =>
  reply
    .code(200)
    .headers({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      pragma: 'no-cache',
      'content-security-policy': postFormCsp(action),
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    })
    .send(buildPostForm({ action, fields }));

const signedInHeader = (who: SignedIn | null) =>
  who ? { signedIn: { userName: who.user.userName, displayName: personName(who.user), csrfToken: who.csrfToken } } : {};

/** A user who may not use an app: a plain explanation and what to do, never a protocol error. */
export const sendNotAllowed = (
  reply: FastifyReply,
  who: SignedIn | null,
  appName: string,
  message: string,
): FastifyReply =>
  renderPage(reply, {
    status: 403,
    title: `No access to ${appName}`,
    ...signedInHeader(who),
    body: html`<h1>You cannot use ${appName}</h1>
<div class="error-summary" role="alert" tabindex="-1"><p>${message}</p></div>
<p><a href="/">Back to my apps</a></p>`,
  });

/** A SAML message Keyway will not answer to the SP (untrusted destination): explain it to the person instead. */
export const sendSamlErrorPage = (
  reply: FastifyReply,
  status: number,
  message: string,
  code: string,
  requestId: string,
): FastifyReply =>
  renderPage(reply, {
    status,
    title: 'Sign-in request refused',
    body: html`<h1>The sign-in request was refused</h1>
<div class="error-summary" role="alert" tabindex="-1"><p>${message}</p></div>
<p>The application that sent you here made a request Keyway cannot accept (error <code>${code}</code>). Go back to the application and try again; if it keeps happening, give your administrator this reference: <code>${requestId}</code>.</p>
<p><a href="/">Go to my apps</a></p>`,
  });

/**
 * Sends the browser on to another site with a page instead of a redirect. A redirect answering a form POST is
 * still that form's navigation, which browsers check against the submitting page's CSP form-action ('self' and
 * https: on Keyway's pages), so an http SP (e.g. on localhost) would be blocked. A zero-second refresh starts a
 * new navigation; the link does the same without it.
 */
export const sendContinuePage = (reply: FastifyReply, url: string, title: string, message: string): FastifyReply =>
  renderPage(reply, {
    title,
    headExtra: html`<meta http-equiv="refresh" content="0;url=${url}">`,
    headers: { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
    body: html`<h1>${title}</h1><p>${message}</p><p><a href="${url}">Continue</a></p>`,
  });

export const sendInfoPage = (
  reply: FastifyReply,
  status: number,
  title: string,
  message: string,
  who: SignedIn | null = null,
): FastifyReply =>
  renderPage(reply, {
    status,
    title,
    ...signedInHeader(who),
    body: html`<h1>${title}</h1><p>${message}</p><p><a href="/">Go to my apps</a></p>`,
  });

/**
 * "Sign out of Keyway?": an unsigned LogoutRequest could come from any page on the web, so it ends nothing until
 * the person says so on this page (its form carries the session's CSRF token).
 */
export const sendLogoutConfirmPage = (
  reply: FastifyReply,
  who: SignedIn,
  appName: string,
  pending: string,
): FastifyReply =>
  renderPage(reply, {
    title: 'Sign out of Keyway?',
    headers: { 'cache-control': 'no-store' },
    ...signedInHeader(who),
    body: html`<h1>Sign out of Keyway?</h1>
<p>${appName} asks to sign you out of Keyway, which also signs you out of the other applications you opened from it.</p>
<form method="post" action="/saml/slo/confirm">${csrfField(who)}<input type="hidden" name="t" value="${pending}">
<button type="submit" name="decision" value="sign-out">Sign out</button>
<button type="submit" name="decision" value="stay">Stay signed in</button>
</form>`,
  });
