/**
 * Every HTTP feature of Keyway is one ServerModule in this list (see deps.ts for the type). To add yours,
 * export `const fooModule: ServerModule = { name, routes?, portalTiles? }` from your folder
 * (e.g. src/server/saml/module.ts) and add one line below. Each module's routes run in their own fastify
 * encapsulation context, so your hooks, parsers and error handler apply to your routes only.
 */
import type { ServerModule } from './deps.js';
import { accountModule } from './account.js';
import { adminApiModule } from './api/module.js';
import { assetsModule } from './assets.js';
import { consoleModule } from './console/module.js';
import { awsModule } from './aws/module.js';
import { oidcModule } from './oidc/module.js';
import { opsModule } from './ops/routes.js';
import { portalModule } from './portal.js';
import { samlModule } from './saml/module.js';
import { signInModule } from './signin/routes.js';

export const serverModules: readonly ServerModule[] = [
  opsModule,
  assetsModule,
  signInModule,
  portalModule,
  accountModule,
  adminApiModule,
  consoleModule,
  awsModule,
  samlModule,
  oidcModule,
];
