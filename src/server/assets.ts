/** Static files from web/ (stylesheet); read once at start, served with long-lived caching disabled for simplicity. */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { ServerModule } from './deps.js';

const assets: Record<string, { file: string; type: string }> = {
  'keyway.css': { file: 'keyway.css', type: 'text/css; charset=utf-8' },
};

const register = (app: FastifyInstance): void => {
  for (const [name, a] of Object.entries(assets)) {
    const body = readFileSync(new URL(`../../web/${a.file}`, import.meta.url));
    app.get(`/assets/${name}`, { schema: { hide: true } }, async (_req, reply) =>
      reply
        .header('content-type', a.type)
        .header('cache-control', 'public, max-age=300')
        .header('x-content-type-options', 'nosniff')
        .send(body),
    );
  }
};

export const assetsModule: ServerModule = { name: 'assets', routes: register };
