/**
 * Server-rendered HTML for every page Keyway shows (sign-in, portal, SAML post forms, …).
 *
 * Extension point for other route files:
 *   html`<p>${userValue}</p>`       → Html; every interpolated value is HTML-escaped unless it is itself Html
 *   raw(trustedMarkup)              → Html that is inserted as is (only for markup you built, never user input)
 *   renderPage(reply, { title, body, signedIn?, status?, headExtra? })  → sends a full page in the common layout
 *   layout({ ... })                 → the same page as a string, e.g. for tests
 * Arrays of Html (or of strings) are concatenated, so `${items.map((i) => html`<li>${i}</li>`)}` works.
 * Pages work without JavaScript; the only script-free styling is /assets/keyway.css (web/keyway.css).
 */
import type { FastifyReply } from 'fastify';

export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const entities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};
export const escapeHtml = (value: string): string => value.replace(/[&<>"'`]/g, (c) => entities[c] ?? c);

export const raw = (trusted: string): Html => new Html(trusted);

type Interpolation = Html | string | number | boolean | null | undefined | readonly Interpolation[];

const render = (v: Interpolation): string => {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(String(v));
};

export const html = (strings: TemplateStringsArray, ...values: Interpolation[]): Html =>
  new Html(strings.reduce((out, s, i) => out + s + (i < values.length ? render(values[i] as Interpolation) : ''), ''));

/** What a page calls a person: their display name, else their given and family names, else their user name. */
export const personName = (u: {
  readonly userName: string;
  readonly displayName?: string | null;
  readonly givenName?: string | null;
  readonly familyName?: string | null;
}): string => u.displayName || [u.givenName, u.familyName].filter(Boolean).join(' ') || u.userName;

export interface PageOptions {
  readonly title: string;
  readonly body: Html;
  /** Shows the signed-in header with the user's name and a sign-out button (needs the session's CSRF token). */
  readonly signedIn?: { readonly userName: string; readonly displayName?: string | null; readonly csrfToken: string };
  readonly status?: number;
  readonly headExtra?: Html;
  /** Replaces or adds response headers, e.g. a wider Content-Security-Policy for a SAML auto-post page. */
  readonly headers?: Readonly<Record<string, string>>;
}

export const layout = (o: PageOptions): string =>
  html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${o.title} · Keyway</title>
<link rel="stylesheet" href="/assets/keyway.css">
${o.headExtra}
</head>
<body>
<header class="site">
<a class="brand" href="/">Keyway</a>
${
  o.signedIn
    ? html`<form class="signout" method="post" action="/signout">
<span class="who">Signed in as <strong>${o.signedIn.displayName || o.signedIn.userName}</strong></span>
<a href="/account/security">Account security</a>
<input type="hidden" name="csrf" value="${o.signedIn.csrfToken}">
<button type="submit">Sign out</button>
</form>`
    : ''
}
</header>
<main id="main">
${o.body}
</main>
</body>
</html>
`.value;

/** Security headers for every HTML page: no framing (clickjacking), no inline script, nothing cached. */
export const pageHeaders = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy':
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self' https:; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
} as const;

export const renderPage = (reply: FastifyReply, options: PageOptions): FastifyReply =>
  reply
    .code(options.status ?? 200)
    .headers({ ...pageHeaders, ...options.headers })
    .send(layout(options));
