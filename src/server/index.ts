/**
 * The composition root's public surface (for src/cli, src/demo, tests and benchmarks).
 * Extension points inside src/server: routes.ts (ServerModule list), deps.ts (ServerDeps, ServerModule,
 * PortalTileProvider), session.ts (sign-in and CSRF helpers), html.ts (escaping templates, page layout).
 */
export { buildServer, listenOnFreePort, startServer } from './build.js';
export { HOUSEKEEPING_ENV, reportListening, startCluster, workerCount } from './cluster.js';
export type { RunningCluster } from './cluster.js';
export type { BuildOptions, RunningServer, StartOptions } from './build.js';
export { ConfigError, deriveKey, loadConfig, parseEnvFile, renderDefaultsFile, settings } from './config.js';
export type { Env, LoadOptions, ServerConfig } from './config.js';
export type { PortalTile, PortalTileProvider, ServerContext, ServerDeps, ServerModule } from './deps.js';
export { createUserWithPassword, resetTotp, setPassword } from './api/users.js';
export { issueApiToken, revokeApiToken } from './api/tokens.js';
export type { IssuedToken } from './api/tokens.js';
export { mapError } from './api/errors.js';
export { createLogger } from './ops/logging.js';
export { createSamlRuntimeFrom, idpUrls } from './saml/runtime.js';
export type { SamlRuntime, IdpUrls } from './saml/runtime.js';
export { appView, keyView, withMetadata } from './saml/app-views.js';
export { testSignIn } from './saml/test-signin.js';
export type { TestSignInResult } from './saml/test-signin.js';
