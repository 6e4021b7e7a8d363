/**
 * The HTTP-POST binding's auto-submitting form (SAML bindings 3.5.4). It works without JavaScript: the Continue
 * button is always visible. The one inline script is a constant, so a strict CSP can allow it by hash
 * (`POST_FORM_CSP`) or by a per-response nonce the caller supplies.
 */
import { createHash } from 'node:crypto';
import { SamlError } from '../errors.js';

export interface PostFormOptions {
  /** Where the browser posts: a registered ACS or SLO URL (http or https only). */
  readonly action: string;
  /** `SAMLResponse` or `SAMLRequest` (base64), plus `RelayState` when there is one. */
  readonly fields: Readonly<Partial<Record<'SAMLResponse' | 'SAMLRequest' | 'RelayState', string>>>;
  /** CSP nonce for the auto-submit script; without one, allow the script by `POST_FORM_SCRIPT_HASH`. */
  readonly nonce?: string;
}

const SCRIPT = "document.getElementById('saml-post').submit();";

/** `'sha256-…'` source expression for the auto-submit script. */
export const POST_FORM_SCRIPT_HASH = `'sha256-${createHash('sha256').update(SCRIPT).digest('base64')}'`;

/** A Content-Security-Policy suited to the form page; `form-action` must allow the destination. */
export function postFormCsp(action: string, nonce?: string): string {
  const origin = new URL(action).origin;
  const script = nonce ? `'nonce-${nonce}'` : POST_FORM_SCRIPT_HASH;
  return `default-src 'none'; script-src ${script}; style-src 'unsafe-inline'; form-action ${origin}; base-uri 'none'; frame-ancestors 'none'`;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

export function buildPostForm(opts: PostFormOptions): string {
  let url: URL;
  try {
    url = new URL(opts.action);
  } catch {
    throw new SamlError('invalid_field', 'The form destination is not a URL.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new SamlError('invalid_field', 'The form destination must be an http or https URL.');
  }
  if (opts.nonce !== undefined && !/^[A-Za-z0-9+/=_-]{16,128}$/.test(opts.nonce)) {
    throw new SamlError('invalid_field', 'The CSP nonce is malformed.');
  }
  const inputs = (['SAMLRequest', 'SAMLResponse', 'RelayState'] as const)
    .filter((name) => opts.fields[name] !== undefined)
    .map((name) => `<input type="hidden" name="${name}" value="${escapeHtml(opts.fields[name]!)}">`)
    .join('\n');
  const nonce = opts.nonce ? ` nonce="${opts.nonce}"` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Signing in…</title>
</head>
<body>
<form id="saml-post" method="post" action="${escapeHtml(opts.action)}">
${inputs}
<noscript><p>JavaScript is disabled. Press Continue to finish signing in.</p></noscript>
<button type="submit">Continue</button>
</form>
<script${nonce}>${SCRIPT}</script>
</body>
</html>
`;
}
