import type { ServerModule } from '../deps.js';
import { awsTiles, registerAwsBrowserRoutes } from './browser.js';
import { registerAwsCliRoutes } from './cli-api.js';

/** Pattern A over HTTP: the AWS tile and launch, device approval pages, and the JSON API of `keyway aws credentials`. */
export const awsModule: ServerModule = {
  name: 'aws',
  portalTiles: awsTiles,
  routes: async (app, ctx) => {
    await app.register(async (pages) => registerAwsBrowserRoutes(pages, ctx));
    await app.register(async (cli) => registerAwsCliRoutes(cli, ctx));
  },
};
