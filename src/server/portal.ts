/**
 * The signed-in home page: "My apps", built from every ServerModule's `portalTiles` provider
 * (SAML applications, AWS accounts, …). A provider that fails is logged and skipped so that one broken
 * integration never hides the others.
 */
import type { FastifyInstance } from 'fastify';
import type { PortalTile, ServerContext, ServerModule } from './deps.js';
import { html, renderPage, personName } from './html.js';
import type { Html } from './html.js';
import { csrfField, requireSignIn } from './session.js';
import type { SignedIn } from './session.js';

const tileView = (tile: PortalTile, who: SignedIn): Html => {
  const inner = html`<span class="tile-title">${tile.title}</span>${tile.kind ? html`<span class="tile-kind">${tile.kind}</span>` : ''}${tile.description ? html`<span class="tile-desc">${tile.description}</span>` : ''}`;
  return tile.method === 'POST'
    ? html`<li class="tile"><form method="post" action="${tile.href}">${csrfField(who)}<button type="submit" class="tile-button">${inner}</button></form></li>`
    : html`<li class="tile"><a href="${tile.href}">${inner}</a></li>`;
};

const register = (app: FastifyInstance, ctx: ServerContext): void => {
  app.get('/', { schema: { hide: true } }, async (req, reply) => {
    const who = await requireSignIn(req, reply, ctx);
    if (!who) return reply;
    const tiles: PortalTile[] = [];
    for (const provider of ctx.tileProviders) {
      try {
        tiles.push(...(await provider.tilesFor(who.user, ctx)));
      } catch (e) {
        req.log.error({ err: e, provider: provider.id }, 'portal tile provider failed');
      }
    }
    const name = personName(who.user);
    return renderPage(reply, {
      title: 'My apps',
      signedIn: { userName: who.user.userName, displayName: personName(who.user), csrfToken: who.csrfToken },
      body: html`<h1>Welcome, ${name}</h1>
<section aria-labelledby="apps-title">
<h2 id="apps-title">My apps</h2>
${tiles.length ? html`<ul class="tiles">${tiles.map((t) => tileView(t, who))}</ul>` : html`<p class="empty">No applications have been assigned to you yet.</p>`}
</section>`,
    });
  });
};

export const portalModule: ServerModule = { name: 'portal', routes: register };
