/**
 * What the HTTP server is built from, and the extension points other engineers plug into.
 *
 * - ServerDeps: everything buildServer needs. Add optional fields here (small additive edits) when your
 *   routes need more; startServer fills them from the config and the store.
 * - ServerContext: ServerDeps plus what buildServer creates (metrics, clock). Every ServerModule receives it.
 * - ServerModule: one entry in src/server/routes.ts. `routes` is registered as an encapsulated fastify plugin
 *   (your own hooks, content-type parsers and error handler stay inside it); `portalTiles` contributes
 *   tiles to the signed-in home page's "My apps".
 */
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { User } from '../core/index.js';
import type { Store } from '../store/index.js';
import type { ServerConfig } from './config.js';
import type { ServerMetrics } from './ops/metrics.js';

export type { ServerConfig };

export interface ServerDeps {
  readonly config: ServerConfig;
  /** The open store (directory, audit, credentials, sessions, apiTokens, throttle, outbox, ping, …). */
  readonly store: Store;
  /** Clock for tests; defaults to the system clock. */
  readonly now?: () => Date;
  /** Extra modules after the built-in list in routes.ts; tests use this to mount throwaway routes. */
  readonly extraModules?: readonly ServerModule[];
}

export interface ServerContext extends ServerDeps {
  readonly now: () => Date;
  readonly metrics: ServerMetrics;
  readonly registry: Registry;
  /** Tiles for the portal, collected from every module's `portalTiles`. */
  readonly tileProviders: readonly PortalTileProvider[];
}

export interface PortalTile {
  /** Shown as the tile's heading. */
  readonly title: string;
  /** Where the tile leads; a relative path on Keyway (e.g. /apps/saml/<id>/launch) or an absolute URL. */
  readonly href: string;
  readonly description?: string;
  /** Small label such as "SAML app" or "AWS account 123456789012". */
  readonly kind?: string;
  /** When set, the tile is a POST form button (needs the session's CSRF token) instead of a link. */
  readonly method?: 'GET' | 'POST';
}

export interface PortalTileProvider {
  readonly id: string;
  /** The tiles this user may open; should read only the user's own groups and grants. */
  tilesFor(user: User, ctx: ServerContext): Promise<readonly PortalTile[]>;
}

export interface ServerModule {
  readonly name: string;
  readonly routes?: (app: FastifyInstance, ctx: ServerContext) => Promise<void> | void;
  readonly portalTiles?: PortalTileProvider;
}
