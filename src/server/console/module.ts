/**
 * The admin console at /admin: server-rendered pages (no script needed, so keyboards, screen readers and
 * phones get the same pages) that read and change everything through the admin REST API with the signed-in
 * person's session. Anyone not signed in is sent to sign in; a signed-in person without an administrator or
 * auditor group gets a 403 page. Every form is a POST with the session's CSRF token and redirects back.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext, ServerModule } from '../deps.js';
import { html, raw, renderPage, type Html, personName } from '../html.js';
import { csrfField, requireCsrf, requireSignIn, type SignedIn } from '../session.js';
import { consoleApi, type ConsoleApi } from './client.js';
import { consolePage, errorSummary, notice } from './layout.js';

interface Me {
  readonly role: 'admin' | 'auditor';
}
interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor?: string;
  readonly total?: number;
}
interface UserView {
  readonly id: string;
  readonly userName: string;
  readonly displayName: string | null;
  readonly givenName: string | null;
  readonly familyName: string | null;
  readonly emails: readonly { readonly value: string; readonly primary?: boolean }[];
  readonly status: string;
  readonly createdAt: string;
}
interface GroupView {
  readonly id: string;
  readonly displayName: string;
  readonly description: string | null;
}
interface AppView {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly enabled: boolean;
  readonly entityId: string;
}
interface KeyView {
  readonly id: string;
  readonly state: string;
  readonly algorithm: string;
  readonly bits: number;
  readonly notAfter?: string;
  readonly fingerprintSha256?: string;
}
interface AuditView {
  readonly id: string;
  readonly at: string;
  readonly action: string;
  readonly outcome: string;
  readonly actor: { readonly kind: string; readonly id: string; readonly label?: string };
  readonly target?: { readonly kind: string; readonly id: string; readonly label?: string } | null;
  readonly reason?: string | null;
}

interface Visit {
  readonly who: SignedIn;
  readonly api: ConsoleApi;
  readonly role: Me['role'];
}

type Query = Record<string, string | undefined>;
type Form = Record<string, string | undefined>;

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const formOf = (req: FastifyRequest): Form => {
  const body = (req.body ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, text(v)]));
};
const nonEmpty = (v: string | undefined): string | undefined => (v?.trim() ? v.trim() : undefined);
const primaryEmail = (u: UserView): string | undefined => (u.emails.find((e) => e.primary) ?? u.emails[0])?.value;

/** Signs the visitor in or refuses them, then asks the API who they are to the console. */
async function visit(app: FastifyInstance, req: FastifyRequest, reply: FastifyReply, ctx: ServerContext) {
  const who = await requireSignIn(req, reply, ctx);
  if (!who) return null;
  const api = consoleApi(app, req, who);
  const me = await api.get<Me>('/me');
  if (me.status !== 200) {
    renderPage(reply, {
      status: 403,
      title: 'Not an administrator',
      signedIn: { userName: who.user.userName, displayName: personName(who.user), csrfToken: who.csrfToken },
      body: html`<h1>You cannot use the admin console</h1>
<p>Your account is not in a Keyway administrator or auditor group. Ask an administrator if you need access.</p>
<p><a href="/">Back to my apps</a></p>`,
    });
    return null;
  }
  return { who, api, role: me.body.role } satisfies Visit;
}

const pager = (base: string, query: Query, next: string | undefined): Html => {
  if (!next) return html``;
  const params = new URLSearchParams(
    Object.entries({ ...query, cursor: next }).filter(([, v]) => v) as [string, string][],
  );
  return html`<p class="pager"><a href="${base}?${params.toString()}" rel="next">Next page</a></p>`;
};

const searchForm = (action: string, label: string, value: string | undefined): Html =>
  html`<form class="search" method="get" action="${action}" role="search">
<label for="search">${label}</label>
<input type="search" id="search" name="search" value="${value ?? ''}" autocomplete="off">
<button type="submit">Search</button>
</form>`;

const field = (
  name: string,
  label: string,
  o: { type?: string; value?: string; required?: boolean; autocomplete?: string; hint?: string } = {},
): Html =>
  html`<div class="field"><label for="${name}">${label}${o.required ? '' : html` <span class="optional">(optional)</span>`}</label>
${o.hint ? html`<p class="hint" id="${name}-hint">${o.hint}</p>` : ''}
<input type="${o.type ?? 'text'}" id="${name}" name="${name}" value="${o.value ?? ''}"${o.required ? raw(' required') : ''}${raw(` autocomplete="${o.autocomplete ?? 'off'}"`)}${o.hint ? raw(` aria-describedby="${name}-hint"`) : ''}>
</div>`;

const postButton = (who: SignedIn, action: string, label: string, cls = ''): Html =>
  html`<form method="post" action="${action}" class="inline">${csrfField(who)}<button type="submit"${cls ? html` class="${cls}"` : ''}>${label}</button></form>`;

const registerUsers = (app: FastifyInstance, ctx: ServerContext): void => {
  app.get('/admin/users', async (req, reply) => {
    const v = await visit(app, req, reply, ctx);
    if (!v) return reply;
    const q = req.query as Query;
    const page = await v.api.get<Page<UserView>>('/users', { search: q.search, cursor: q.cursor, limit: 50 });
    const rows = page.status === 200 ? page.body.items : [];
    return consolePage(reply, v.who, {
      title: 'Users',
      section: '/admin/users',
      role: v.role,
      body: html`<h1>Users</h1>
${notice(q.done)}
${page.status === 200 ? '' : errorSummary(page.body)}
<div class="toolbar">${searchForm('/admin/users', 'Search by user name, name or email', q.search)}
${v.role === 'admin' ? html`<p><a class="button" href="/admin/users/new">Create a user</a></p>` : ''}</div>
${page.body && 'total' in (page.body as object) && (page.body as Page<UserView>).total !== undefined ? html`<p>${(page.body as Page<UserView>).total} users</p>` : ''}
<div class="table-wrap" tabindex="0" role="region" aria-label="Users"><table>
<caption class="visually-hidden">Users</caption>
<thead><tr><th scope="col">User name</th><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Status</th></tr></thead>
<tbody>${rows.map(
        (u) =>
          html`<tr><td><a href="/admin/users/${encodeURIComponent(u.id)}">${u.userName}</a></td><td>${personName(u)}</td><td>${primaryEmail(u) ?? ''}</td><td>${u.status}</td></tr>`,
      )}</tbody>
</table></div>
${rows.length === 0 ? html`<p class="empty">No users match.</p>` : ''}
${page.status === 200 ? pager('/admin/users', { search: q.search }, page.body.nextCursor) : ''}`,
    });
  });

  const newUserForm = (v: Visit, reply: FastifyReply, form: Form, error?: unknown) =>
    consolePage(reply, v.who, {
      title: 'Create a user',
      section: '/admin/users',
      role: v.role,
      status: error ? 400 : 200,
      body: html`<h1>Create a user</h1>
${error ? errorSummary(error) : ''}
<form method="post" action="/admin/users/new" class="card">
${csrfField(v.who)}
${field('userName', 'User name', { value: form.userName, required: true, autocomplete: 'off' })}
${field('givenName', 'Given name', { value: form.givenName, autocomplete: 'off' })}
${field('familyName', 'Family name', { value: form.familyName, autocomplete: 'off' })}
${field('email', 'Email', { type: 'email', value: form.email, autocomplete: 'off' })}
${field('password', 'Initial password', { type: 'password', autocomplete: 'new-password', hint: 'Leave empty to set one later; the person cannot sign in until a password is set.' })}
<button type="submit">Create user</button>
</form>`,
    });

  app.get('/admin/users/new', async (req, reply) => {
    const v = await visit(app, req, reply, ctx);
    if (!v) return reply;
    return newUserForm(v, reply, {});
  });

  app.post('/admin/users/new', async (req, reply) => {
    const v = await visit(app, req, reply, ctx);
    if (!v || !(await requireCsrf(req, reply, v.who, ctx))) return reply;
    const form = formOf(req);
    const body: Record<string, unknown> = Object.fromEntries(
      (['userName', 'givenName', 'familyName'] as const).flatMap((k) => {
        const value = nonEmpty(form[k]);
        return value === undefined ? [] : [[k, value]];
      }),
    );
    const email = nonEmpty(form.email);
    if (email) body.emails = [{ value: email, primary: true }];
    const created = await v.api.send<UserView>('POST', '/users', body);
    if (created.status !== 201) return newUserForm(v, reply, form, created.body);
    const password = form.password ?? '';
    if (password !== '') {
      const set = await v.api.send('PUT', `/users/${encodeURIComponent(created.body.id)}/password`, { password });
      if (set.status !== 204) {
        return reply.redirect(
          `/admin/users/${encodeURIComponent(created.body.id)}?done=${encodeURIComponent('User created; the password was refused, set another below.')}`,
          303,
        );
      }
    }
    return reply.redirect(
      `/admin/users/${encodeURIComponent(created.body.id)}?done=${encodeURIComponent(`User ${created.body.userName} created.`)}`,
      303,
    );
  });

  app.get('/admin/users/:id', async (req, reply) => {
    const v = await visit(app, req, reply, ctx);
    if (!v) return reply;
    const id = (req.params as { id: string }).id;
    const q = req.query as Query;
    const user = await v.api.get<UserView>(`/users/${encodeURIComponent(id)}`);
    if (user.status !== 200) {
      return consolePage(reply, v.who, {
        title: 'User not found',
        section: '/admin/users',
        role: v.role,
        status: user.status,
        body: html`<h1>User not found</h1>${errorSummary(user.body)}<p><a href="/admin/users">All users</a></p>`,
      });
    }
    const u = user.body;
    const [direct, effective] = await Promise.all([
      v.api.get<{ items: GroupView[] }>(`/users/${encodeURIComponent(id)}/groups`),
      v.api.get<{ items: GroupView[] }>(`/users/${encodeURIComponent(id)}/groups`, { effective: true }),
    ]);
    const directIds = new Set((direct.body.items ?? []).map((g) => g.id));
    const base = `/admin/users/${encodeURIComponent(id)}`;
    const admin = v.role === 'admin';
    return consolePage(reply, v.who, {
      title: u.userName,
      section: '/admin/users',
      role: v.role,
      body: html`<h1>${personName(u)} <span class="subtle">(${u.userName})</span></h1>
${notice(q.done)}
${q.error ? html`<div class="error-summary" role="alert"><h2>That did not work</h2><p>${q.error}</p></div>` : ''}
<dl class="facts">
<dt>Status</dt><dd>${u.status}</dd>
<dt>Email</dt><dd>${primaryEmail(u) ?? '—'}</dd>
<dt>Created</dt><dd>${u.createdAt}</dd>
</dl>
${admin ? html`<div class="actions">${u.status === 'active' ? postButton(v.who, `${base}/suspend`, 'Suspend (signs them out everywhere)', 'danger') : postButton(v.who, `${base}/activate`, 'Activate')}</div>` : ''}
<section aria-labelledby="groups-title">
<h2 id="groups-title">Groups</h2>
<ul>${(effective.body.items ?? []).map(
        (g) =>
          html`<li><a href="/admin/groups/${encodeURIComponent(g.id)}">${g.displayName}</a>${directIds.has(g.id) ? '' : html` <span class="subtle">(through a nested group)</span>`}</li>`,
      )}</ul>
${(effective.body.items ?? []).length === 0 ? html`<p class="empty">Not in any group.</p>` : ''}
${
  admin
    ? html`<form method="post" action="${base}/groups" class="inline-form">
${csrfField(v.who)}
${field('group', 'Add to group (group name)', { required: true })}
<button type="submit">Add to group</button>
</form>`
    : ''
}
</section>
${
  admin
    ? html`<section aria-labelledby="password-title">
<h2 id="password-title">Password</h2>
<form method="post" action="${base}/password" class="inline-form">
${csrfField(v.who)}
${field('password', 'New password', { type: 'password', required: true, autocomplete: 'new-password', hint: 'Setting a password signs the person out of every session.' })}
<button type="submit">Set password</button>
</form>
<h2>Authenticator app</h2>
${postButton(v.who, `${base}/totp/reset`, 'Remove their authenticator app')}
</section>`
    : ''
}`,
    });
  });

  const userAction = (path: string, run: (api: ConsoleApi, id: string, form: Form) => Promise<[number, string]>) =>
    app.post(`/admin/users/:id/${path}`, async (req, reply) => {
      const v = await visit(app, req, reply, ctx);
      if (!v || !(await requireCsrf(req, reply, v.who, ctx))) return reply;
      const id = (req.params as { id: string }).id;
      const [ok, message] = await run(v.api, id, formOf(req));
      const key = ok ? 'done' : 'error';
      return reply.redirect(`/admin/users/${encodeURIComponent(id)}?${key}=${encodeURIComponent(message)}`, 303);
    });
  const outcome = (r: { status: number; body: unknown }, okStatus: number, done: string): [number, string] =>
    r.status === okStatus ? [1, done] : [0, (r.body as { message?: string })?.message ?? `failed (${r.status})`];

  userAction('suspend', async (api, id) =>
    outcome(await api.send('POST', `/users/${encodeURIComponent(id)}/suspend`), 200, 'Suspended and signed out.'),
  );
  userAction('activate', async (api, id) =>
    outcome(await api.send('POST', `/users/${encodeURIComponent(id)}/activate`), 200, 'Activated.'),
  );
  userAction('password', async (api, id, form) =>
    outcome(
      await api.send('PUT', `/users/${encodeURIComponent(id)}/password`, { password: form.password ?? '' }),
      204,
      'Password set; their sessions have ended.',
    ),
  );
  userAction('totp/reset', async (api, id) =>
    outcome(await api.send('DELETE', `/users/${encodeURIComponent(id)}/totp`), 204, 'Authenticator app removed.'),
  );
  userAction('groups', async (api, id, form) => {
    const name = nonEmpty(form.group);
    if (!name) return [0, 'Give the name of a group.'];
    const found = await api.get<Page<GroupView>>('/groups', { displayName: name });
    const group = found.status === 200 ? found.body.items[0] : undefined;
    if (!group) return [0, `There is no group named "${name}".`];
    return outcome(
      await api.send('POST', `/groups/${encodeURIComponent(group.id)}/members`, { kind: 'user', id }),
      204,
      `Added to ${group.displayName}.`,
    );
  });
};

const registerGroups = (app: FastifyInstance, ctx: ServerContext): void => {
  app.get('/admin/groups', async (req, reply) => {
    const v = await visit(app, req, reply, ctx);
    if (!v) return reply;
    const q = req.query as Query;
    const page = await v.api.get<Page<GroupView>>('/groups', { search: q.search, cursor: q.cursor, limit: 50 });
    const rows = page.status === 200 ? page.body.items : [];
    return consolePage(reply, v.who, {
      title: 'Groups',
      section: '/admin/groups',
      role: v.role,
      body: html`<h1>Groups</h1>
${page.status === 200 ? '' : errorSummary(page.body)}
<div class="toolbar">${searchForm('/admin/groups', 'Search by group name', q.search)}</div>
<div class="table-wrap" tabindex="0" role="region" aria-label="Groups"><table>
<caption class="visually-hidden">Groups</caption>
<thead><tr><th scope="col">Group</th><th scope="col">Description</th></tr></thead>
<tbody>${rows.map(
        (g) =>
          html`<tr><td><a href="/admin/groups/${encodeURIComponent(g.id)}">${g.displayName}</a></td><td>${g.description ?? ''}</td></tr>`,
      )}</tbody>
</table></div>
${rows.length === 0 ? html`<p class="empty">No groups match.</p>` : ''}
${page.status === 200 ? pager('/admin/groups', { search: q.search }, page.body.nextCursor) : ''}`,
    });
  });

  app.get('/admin/groups/:id', async (req, reply) => {
    const v = await visit(app, req, reply, ctx);
    if (!v) return reply;
    const id = (req.params as { id: string }).id;
    const group = await v.api.get<GroupView>(`/groups/${encodeURIComponent(id)}`);
    if (group.status !== 200) {
      return consolePage(reply, v.who, {
        title: 'Group not found',
        section: '/admin/groups',
        role: v.role,
        status: group.status,
        body: html`<h1>Group not found</h1>${errorSummary(group.body)}`,
      });
    }
    const members = await v.api.get<{ items: { kind: 'user' | 'group'; id: string }[] }>(
      `/groups/${encodeURIComponent(id)}/members`,
    );
    const named = await Promise.all(
      (members.body.items ?? []).map(async (m) => {
        if (m.kind === 'user') {
          const u = await v.api.get<UserView>(`/users/${encodeURIComponent(m.id)}`);
          return { ...m, label: u.status === 200 ? `${personName(u.body)} (${u.body.userName})` : m.id };
        }
        const g = await v.api.get<GroupView>(`/groups/${encodeURIComponent(m.id)}`);
        return { ...m, label: g.status === 200 ? g.body.displayName : m.id };
      }),
    );
    return consolePage(reply, v.who, {
      title: group.body.displayName,
      section: '/admin/groups',
      role: v.role,
      body: html`<h1>${group.body.displayName}</h1>
<p>${group.body.description ?? ''}</p>
<h2>Direct members</h2>
<ul>${named.map(
        (m) =>
          html`<li>${m.kind === 'group' ? 'Group: ' : ''}<a href="/admin/${m.kind === 'user' ? 'users' : 'groups'}/${encodeURIComponent(m.id)}">${m.label}</a></li>`,
      )}</ul>
${named.length === 0 ? html`<p class="empty">No members.</p>` : ''}`,
    });
  });
};

const registerApps = (app: FastifyInstance, ctx: ServerContext): void => {
  const appsPage = async (req: FastifyRequest, reply: FastifyReply, v: Visit, error?: unknown, form: Form = {}) => {
    const q = req.query as Query;
    const apps = await v.api.get<Page<AppView>>('/apps', { limit: 100 });
    const keys = await v.api.get<{ items: KeyView[] }>('/keys');
    const admin = v.role === 'admin';
    return consolePage(reply, v.who, {
      title: 'Applications',
      section: '/admin/apps',
      role: v.role,
      status: error ? 400 : 200,
      body: html`<h1>Applications</h1>
${notice(q.done)}
${error ? errorSummary(error) : ''}
<div class="table-wrap" tabindex="0" role="region" aria-label="Applications"><table>
<caption class="visually-hidden">Applications</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Entity ID</th><th scope="col">Enabled</th></tr></thead>
<tbody>${(apps.body.items ?? []).map(
        (a) =>
          html`<tr><td>${a.name}</td><td>${a.type}</td><td class="wrap">${a.entityId}</td><td>${a.enabled ? 'yes' : 'no'}</td></tr>`,
      )}</tbody>
</table></div>
${
  admin
    ? html`<section aria-labelledby="register-title" class="card">
<h2 id="register-title">Register a SAML application from its metadata</h2>
<form method="post" action="/admin/apps/new">
${csrfField(v.who)}
${field('name', 'Name', { value: form.name, required: true })}
<div class="field"><label for="metadataXml">Service provider metadata (XML)</label>
<p class="hint" id="metadataXml-hint">Paste the EntityDescriptor the service provider publishes.</p>
<textarea id="metadataXml" name="metadataXml" rows="8" required aria-describedby="metadataXml-hint">${form.metadataXml ?? ''}</textarea></div>
<button type="submit">Register application</button>
</form>
</section>`
    : ''
}
<section aria-labelledby="keys-title">
<h2 id="keys-title">Signing keys</h2>
<div class="table-wrap" tabindex="0" role="region" aria-label="Signing keys"><table>
<caption class="visually-hidden">Signing keys</caption>
<thead><tr><th scope="col">State</th><th scope="col">Algorithm</th><th scope="col">Key</th></tr></thead>
<tbody>${(keys.body.items ?? []).map(
        (k) =>
          html`<tr><td>${k.state}</td><td>${k.algorithm} ${k.bits}</td><td class="wrap"><code>${k.id}</code></td></tr>`,
      )}</tbody>
</table></div>
${admin ? postButton(v.who, '/admin/keys/rotate', 'Add a next signing key (published beside the current one)') : ''}
</section>`,
    });
  };

  app.get('/admin/apps', async (req, reply) => {
    const v = await visit(app, req, reply, ctx);
    if (!v) return reply;
    return appsPage(req, reply, v);
  });

  app.post('/admin/apps/new', async (req, reply) => {
    const v = await visit(app, req, reply, ctx);
    if (!v || !(await requireCsrf(req, reply, v.who, ctx))) return reply;
    const form = formOf(req);
    const created = await v.api.send<AppView>('POST', '/apps', {
      name: nonEmpty(form.name),
      metadataXml: form.metadataXml ?? '',
    });
    if (created.status !== 201) return appsPage(req, reply, v, created.body, form);
    return reply.redirect(
      `/admin/apps?done=${encodeURIComponent(`Application ${created.body.name} registered.`)}`,
      303,
    );
  });

  app.post('/admin/keys/rotate', async (req, reply) => {
    const v = await visit(app, req, reply, ctx);
    if (!v || !(await requireCsrf(req, reply, v.who, ctx))) return reply;
    const r = await v.api.send('POST', '/keys/rotate');
    const message =
      r.status < 300 ? 'A next signing key was added.' : ((r.body as { message?: string }).message ?? 'failed');
    return reply.redirect(`/admin/apps?done=${encodeURIComponent(message)}`, 303);
  });
};

const registerAudit = (app: FastifyInstance, ctx: ServerContext): void => {
  app.get('/admin/audit', async (req, reply) => {
    const v = await visit(app, req, reply, ctx);
    if (!v) return reply;
    const q = req.query as Query;
    const page = await v.api.get<Page<AuditView>>('/audit', {
      action: nonEmpty(q.action),
      actor: nonEmpty(q.actor),
      cursor: q.cursor,
      limit: 50,
    });
    const rows = page.status === 200 ? page.body.items : [];
    return consolePage(reply, v.who, {
      title: 'Audit log',
      section: '/admin/audit',
      role: v.role,
      body: html`<h1>Audit log</h1>
${page.status === 200 ? '' : errorSummary(page.body)}
<form method="get" action="/admin/audit" class="filters">
${field('action', 'Action', { value: q.action, hint: 'Exact action, e.g. user.created' })}
${field('actor', 'Actor id', { value: q.actor })}
<button type="submit">Filter</button>
</form>
<div class="table-wrap" tabindex="0" role="region" aria-label="Audit events, newest first"><table>
<caption class="visually-hidden">Audit events, newest first</caption>
<thead><tr><th scope="col">When</th><th scope="col">Action</th><th scope="col">Outcome</th><th scope="col">Actor</th><th scope="col">Target</th></tr></thead>
<tbody>${rows.map(
        (e) =>
          html`<tr><td>${e.at}</td><td>${e.action}</td><td>${e.outcome}${e.reason ? ` (${e.reason})` : ''}</td><td>${e.actor.label ?? e.actor.id}</td><td>${e.target ? (e.target.label ?? e.target.id) : ''}</td></tr>`,
      )}</tbody>
</table></div>
${page.status === 200 ? pager('/admin/audit', { action: q.action, actor: q.actor }, page.body.nextCursor) : ''}`,
    });
  });
};

const register = (app: FastifyInstance, ctx: ServerContext): void => {
  app.get('/admin', async (req, reply) => {
    const v = await visit(app, req, reply, ctx);
    if (!v) return reply;
    return reply.redirect('/admin/users', 303);
  });
  registerUsers(app, ctx);
  registerGroups(app, ctx);
  registerApps(app, ctx);
  registerAudit(app, ctx);
};

export const consoleModule: ServerModule = { name: 'admin-console', routes: register };
