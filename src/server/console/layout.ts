import type { FastifyReply } from 'fastify';
import { html, renderPage, type Html, personName } from '../html.js';
import type { SignedIn } from '../session.js';
import { isApiError } from './client.js';

export const SECTIONS = [
  { href: '/admin/users', label: 'Users' },
  { href: '/admin/groups', label: 'Groups' },
  { href: '/admin/apps', label: 'Applications' },
  { href: '/admin/audit', label: 'Audit log' },
] as const;

/** The console's chrome: a navigation landmark naming the current section, then the page. */
export function consolePage(
  reply: FastifyReply,
  who: SignedIn,
  o: { title: string; section?: string; body: Html; status?: number; role: string },
): FastifyReply {
  const nav = html`<nav class="console-nav" aria-label="Administration">
<ul>${SECTIONS.map(
    (s) => html`<li><a href="${s.href}"${s.href === o.section ? html` aria-current="page"` : ''}>${s.label}</a></li>`,
  )}</ul>
<p class="console-role">Role: ${o.role}</p>
</nav>`;
  return renderPage(reply, {
    title: `${o.title} · Admin`,
    status: o.status ?? 200,
    signedIn: { userName: who.user.userName, displayName: personName(who.user), csrfToken: who.csrfToken },
    body: html`<div class="console">${nav}<div class="console-main">${o.body}</div></div>`,
  });
}

/** An API refusal shown as the page's error summary, with each field problem listed. */
export function errorSummary(body: unknown): Html {
  if (!isApiError(body)) return html``;
  return html`<div class="error-summary" role="alert" tabindex="-1" id="error-summary">
<h2>That did not work</h2>
<p>${body.message}</p>
${body.problems?.length ? html`<ul>${body.problems.map((p) => html`<li>${p.at}: ${p.message}</li>`)}</ul>` : ''}
</div>`;
}

export const notice = (text: string | undefined): Html =>
  text ? html`<p class="notice" role="status">${text}</p>` : html``;
