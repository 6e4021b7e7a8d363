/**
 * buildServer: the fastify app from its dependencies (no listening, so tests use app.inject).
 * startServer: opens the store, builds, listens, and shuts down gracefully on SIGINT/SIGTERM.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo, type Server } from 'node:net';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifySwagger from '@fastify/swagger';
import type { Logger } from 'pino';
import { openStore } from '../store/index.js';
import type { Store } from '../store/index.js';
import type { ServerConfig } from './config.js';
import type { ServerContext, ServerDeps, ServerModule } from './deps.js';
import { html, renderPage } from './html.js';
import { mapError } from './api/errors.js';
import { createLogger } from './ops/logging.js';
import { createMetrics } from './ops/metrics.js';
import { startRetention } from './ops/retention.js';
import { serverModules } from './routes.js';
import { buildManagementApp } from './ops/routes.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The management listener's app (KEYWAY_MANAGEMENT_PORT), listened on by startServer; closed with this one. */
    management?: FastifyInstance;
  }
}

export interface BuildOptions {
  /** A logger to use instead of a new pino instance writing to stdout at config.logLevel. */
  readonly logger?: Logger;
}

const requestIdPattern = /^[A-Za-z0-9._:-]{1,64}$/;

const wantsJson = (req: FastifyRequest): boolean =>
  !/text\/html/.test(req.headers.accept ?? '') || req.url.startsWith('/api/');

const errorPage = (reply: FastifyReply, status: number, title: string, message: string) =>
  renderPage(reply, {
    status,
    title,
    body: html`<h1>${title}</h1><p>${message}</p><p><a href="/">Back to my apps</a></p>`,
  });

export const buildServer = async (deps: ServerDeps, options: BuildOptions = {}): Promise<FastifyInstance> => {
  const { registry, metrics } = createMetrics();
  const modules: readonly ServerModule[] = [...serverModules, ...(deps.extraModules ?? [])];
  const ctx: ServerContext = {
    ...deps,
    now: deps.now ?? (() => new Date()),
    metrics,
    registry,
    tileProviders: modules.flatMap((m) => (m.portalTiles ? [m.portalTiles] : [])),
  };

  const app = Fastify({
    loggerInstance: options.logger ?? createLogger(deps.config),
    bodyLimit: deps.config.bodyLimitBytes,
    trustProxy: deps.config.trustProxy,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && requestIdPattern.test(given) ? given : randomUUID();
    },
    routerOptions: { maxParamLength: 512 },
    return503OnClosing: true,
  }) as unknown as FastifyInstance;

  await app.register(fastifyCookie);
  await app.register(fastifyFormbody, { bodyLimit: deps.config.bodyLimitBytes });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Keyway admin API',
        version: '1',
        description:
          'Users, groups, memberships and the audit log. Authenticate with an admin API token: `Authorization: Bearer kw_…` (create one with `keyway tokens create`).',
      },
      servers: [{ url: deps.config.baseUrl }],
      components: {
        securitySchemes: { adminToken: { type: 'http', scheme: 'bearer', description: 'Admin API token (kw_…)' } },
      },
      security: [{ adminToken: [] }],
    },
    // Only the admin API belongs in this document; every other route (pages, SAML, SCIM) is hidden.
    transform: ({ schema, url }) => ({
      schema: url.startsWith('/api/v1/') ? schema : { ...(schema ?? {}), hide: true },
      url,
    }),
  });

  // Callback-style hooks: they run on every request, and an async hook costs a promise each time.
  // RFC 6797: only over https, and then on every response, so the first answer already pins the scheme.
  const hsts = deps.config.secureCookies ? `max-age=${deps.config.hstsMaxAgeSeconds}` : null;
  app.addHook('onSend', (req, reply, payload, done) => {
    reply.header('x-request-id', req.id);
    if (hsts) reply.header('strict-transport-security', hsts);
    done(null, payload);
  });
  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ method: req.method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
    done();
  });

  // Default for every module that does not set its own: JSON for API clients, an HTML page for browsers.
  app.setErrorHandler(async (error, req, reply) => {
    const mapped = mapError(error);
    // A database busy beyond its bounded wait (an import holding SQLite's write lock): ask to come back.
    if (mapped.status === 503) reply.header('retry-after', '1');
    if (mapped.internal) req.log.error({ err: error }, 'request failed');
    if (wantsJson(req)) return reply.code(mapped.status).send(mapped.body);
    return errorPage(
      reply,
      mapped.status,
      mapped.internal ? 'Something went wrong' : 'The request could not be processed',
      mapped.internal ? `Please try again. Reference: ${req.id}` : mapped.body.message,
    );
  });
  app.setNotFoundHandler(async (req, reply) => {
    if (wantsJson(req))
      return reply.code(404).send({ code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` });
    return errorPage(reply, 404, 'Page not found', 'There is nothing at this address.');
  });

  for (const m of modules) {
    const routes = m.routes;
    if (routes) await app.register(async (scope) => routes(scope, ctx));
  }
  if (deps.config.managementPort !== null) {
    const management = await buildManagementApp(ctx, app.log);
    app.decorate('management', management);
    app.addHook('onClose', async () => management.close());
  }
  return app;
};

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly store: Store;
  /** The address actually listened on, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  /** Where the management listener (metrics, probes) listens, when KEYWAY_MANAGEMENT_PORT is set. */
  readonly managementUrl?: string;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Use this open store instead of opening config.databaseUrl (it is still closed on shutdown). */
  readonly store?: Store;
  /** Install SIGINT/SIGTERM handlers that close the server and the store (default true). */
  readonly handleSignals?: boolean;
  readonly extraModules?: readonly ServerModule[];
  readonly logger?: Logger;
  /** A socket from listenOnFreePort to serve on; its port replaces config.port (and a derived base URL's). */
  readonly socket?: Server;
  /** Sweep expired sessions and apply retention (default true; one process of a cluster does it for all). */
  readonly housekeeping?: boolean;
}

const sessionSweepMinutes = 10;

/**
 * A socket listening on a port the system chose. Whoever needs the port before the routes are built (a derived
 * base URL names it, and links, cookies and SAML metadata use the base URL) reserves it this way and hands the
 * socket to startServer, which serves on it: no other process can take the port in between.
 */
export const listenOnFreePort = (host: string): Promise<Server> =>
  new Promise((resolve, reject) => {
    const socket = createServer();
    socket.once('error', reject);
    socket.listen(0, host, () => resolve(socket));
  });

const serveOn = async (app: FastifyInstance, socket: Server): Promise<void> => {
  await app.ready();
  await new Promise<void>((resolve, reject) => {
    app.server.once('error', reject);
    app.server.listen(socket, () => {
      app.server.off('error', reject);
      resolve();
    });
  });
};

const urlOf = (host: string, port: number): string => `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

export const startServer = async (given: ServerConfig, options: StartOptions = {}): Promise<RunningServer> => {
  let config = given;
  const socket = options.socket ?? (config.port === 0 ? await listenOnFreePort(config.host) : undefined);
  if (socket) {
    const { port } = socket.address() as AddressInfo;
    config = { ...config, port, baseUrl: config.baseUrlConfigured ? config.baseUrl : urlOf(config.host, port) };
  }
  let store: Store | undefined;
  let app: FastifyInstance;
  try {
    store = options.store ?? (await openStore(config.databaseUrl, { backgroundCheckpoints: true }));
    app = await buildServer(
      { config, store, ...(options.extraModules ? { extraModules: options.extraModules } : {}) },
      options.logger ? { logger: options.logger } : {},
    );
  } catch (e) {
    socket?.close();
    if (store && !options.store) await store.close();
    throw e;
  }
  for (const w of config.warnings) app.log.warn(w);
  let address: string;
  try {
    if (socket) {
      await serveOn(app, socket);
      address = urlOf(config.host, config.port);
    } else address = await app.listen({ host: config.host, port: config.port });
  } catch (e) {
    socket?.close();
    await app.close();
    await store.close();
    throw e;
  }
  let managementUrl: string | undefined;
  if (app.management && config.managementPort !== null) {
    try {
      managementUrl = await app.management.listen({ host: config.managementHost, port: config.managementPort });
    } catch (e) {
      await app.close();
      await store.close();
      throw e;
    }
  }
  app.log.info({ address, managementUrl, baseUrl: config.baseUrl, database: store.describe }, 'keyway listening');

  const housekeeping = options.housekeeping !== false;
  const sweep = setInterval(() => {
    if (!housekeeping) return;
    store.sessions
      .deleteExpired(new Date().toISOString())
      .catch((e: unknown) => app.log.warn({ err: e }, 'expired session sweep failed'));
  }, sessionSweepMinutes * 60_000);
  sweep.unref();
  const stopRetention = housekeeping ? startRetention(store, config, app.log) : () => undefined;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      clearInterval(sweep);
      stopRetention();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await app.close();
      await store.close();
    })();
    return closing;
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    close().then(
      () => process.exit(0),
      (e: unknown) => {
        app.log.error({ err: e }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  if (options.handleSignals !== false) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  return { app, store, url: address, ...(managementUrl ? { managementUrl } : {}), close };
};
