/**
 * The admin REST API under /api/v1, authenticated by admin API tokens. Its own validator (strict bodies: no
 * type coercion, unknown fields refused; query strings coerced from text), its own JSON error handler, and
 * the OpenAPI document generated from the same schemas.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Ajv } from 'ajv';
import type { AnySchema } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import type { FormatsPlugin } from 'ajv-formats';
import type { Actor } from '../../core/index.js';
import type { ServerContext, ServerModule } from '../deps.js';
import { registerAuditRoutes } from './audit.js';
import { registerAwsAdminRoutes } from '../aws/admin-api.js';
import { registerSamlAdminRoutes } from '../saml/api/routes.js';
import { authenticateSession, authenticateToken, rejectSession, rejectUnauthenticated } from './auth.js';
import { mapError } from './errors.js';
import { registerGroupRoutes } from './groups.js';
import { registerUserRoutes } from './users.js';

export const apiPrefix = '/api/v1';
export const openApiPath = `${apiPrefix}/openapi.json`;

// ajv-formats is CommonJS with a default export; under NodeNext its type is the module namespace.
const addFormats = addFormatsPlugin as unknown as FormatsPlugin;

const newAjv = (coerce: boolean): Ajv => {
  const ajv = new Ajv({
    allErrors: true,
    coerceTypes: coerce,
    removeAdditional: false,
    useDefaults: true,
    strict: false,
  });
  addFormats(ajv, ['date-time', 'email', 'uri']);
  return ajv;
};

const register = async (app: FastifyInstance, ctx: ServerContext): Promise<void> => {
  await app.register(
    async (api) => {
      // The admin API speaks JSON only; forms and plain text are for the pages.
      api.removeContentTypeParser(['text/plain', 'application/x-www-form-urlencoded']);
      const strict = newAjv(false);
      const coercing = newAjv(true);
      api.setValidatorCompiler(({ schema, httpPart }) =>
        (httpPart === 'body' ? strict : coercing).compile(schema as AnySchema),
      );

      const actors = new WeakMap<FastifyRequest, Actor>();
      const actorOf = (req: FastifyRequest): Actor => {
        const actor = actors.get(req);
        if (!actor) throw new Error('admin API route reached without an authenticated actor');
        return actor;
      };
      api.addHook('onRequest', async (req, reply) => {
        if (req.url === openApiPath) return;
        const result = await authenticateToken(req, ctx);
        if (result === 'missing_token') {
          const person = await authenticateSession(req, ctx);
          if (person === 'no_session') return rejectUnauthenticated(req, reply, ctx, result);
          if (typeof person === 'string') return rejectSession(req, reply, ctx, person);
          actors.set(req, person);
          return;
        }
        if (typeof result === 'string') return rejectUnauthenticated(req, reply, ctx, result);
        actors.set(req, result);
      });

      api.setErrorHandler(async (error, req, reply) => {
        const mapped = mapError(error);
        if (mapped.internal) req.log.error({ err: error }, 'admin API request failed');
        else req.log.info({ code: mapped.body.code }, 'admin API request refused');
        return reply.code(mapped.status).header('cache-control', 'no-store').send(mapped.body);
      });
      api.setNotFoundHandler(async (req, reply) =>
        reply.code(404).send({ code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` }),
      );

      registerUserRoutes(api, ctx, actorOf);
      registerGroupRoutes(api, ctx, actorOf);
      registerAuditRoutes(api, ctx);
      registerAwsAdminRoutes(api, ctx, actorOf);
      registerSamlAdminRoutes(api, ctx, actorOf);
      api.get(
        '/me',
        {
          schema: {
            tags: ['session'],
            summary: 'Who is calling, and with which role (an API token acts as an administrator)',
            response: {
              200: {
                type: 'object',
                properties: {
                  kind: { type: 'string' },
                  id: { type: 'string' },
                  label: { type: 'string' },
                  role: { type: 'string' },
                },
                required: ['kind', 'id', 'role'],
              },
            },
          },
        },
        async (req) => {
          const actor = actorOf(req) as Actor & { role?: string };
          return { kind: actor.kind, id: actor.id, label: actor.label, role: actor.role ?? 'admin' };
        },
      );
      api.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
    },
    { prefix: apiPrefix },
  );
};

export const adminApiModule: ServerModule = { name: 'admin-api', routes: register };
