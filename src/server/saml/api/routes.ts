/**
 * Admin API for SAML: /api/v1/apps (applications: create from fields or SP metadata, read, change, delete, IdP
 * metadata per app), /api/v1/keys (signing keys: list, rotate, promote, retire) and /api/v1/idp-metadata. Registered inside the admin
 * API plugin, so token authentication, the JSON error format and the OpenAPI document apply.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Actor } from '../../../core/index.js';
import type { ServerContext } from '../../deps.js';
import { ErrorBody, IdParams, pageOf } from '../../api/schemas.js';
import { expectedVersion } from '../../api/versions.js';
import { appView as view, keyView, withMetadata } from '../app-views.js';
import { createSamlRuntime } from '../runtime.js';
import { testSignIn } from '../test-signin.js';
import { App, AppPatchBody, AppQuery, Key, NewAppBody, TestSignInBody, TestSignInResult } from './schemas.js';

type ActorOf = (req: FastifyRequest) => Actor;
const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody, 412: ErrorBody };

export const registerSamlAdminRoutes = (api: FastifyInstance, ctx: ServerContext, actorOf: ActorOf): void => {
  const rt = createSamlRuntime(ctx);
  const appView = (a: Parameters<typeof view>[1]) => view(rt.urls, a);
  const tags = ['applications'];

  api.get<{ Querystring: AppQuery }>(
    '/apps',
    {
      schema: {
        tags,
        summary: 'List SAML applications',
        querystring: AppQuery,
        response: { 200: pageOf(App), 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (req) => {
      const page = await rt.apps.list(req.query);
      return { ...page, items: page.items.map((a) => appView(a)) };
    },
  );

  api.post<{ Body: NewAppBody }>(
    '/apps',
    {
      schema: {
        tags,
        summary: 'Register a service provider, from fields or from its SAML metadata (metadataXml)',
        body: NewAppBody,
        response: { 201: App, ...errors },
      },
    },
    async (req, reply) => {
      const app = await rt.apps.create(actorOf(req), withMetadata(req.body));
      return reply
        .code(201)
        .header('location', `/api/v1/apps/${encodeURIComponent(app.id)}`)
        .header('etag', `"${app.version}"`)
        .send(appView(app));
    },
  );

  api.get<{ Params: IdParams }>(
    '/apps/:id',
    { schema: { tags, summary: 'Get a SAML application', params: IdParams, response: { 200: App, ...errors } } },
    async (req, reply) => {
      const app = await rt.apps.get(req.params.id);
      return reply.header('etag', `"${app.version}"`).send(appView(app));
    },
  );

  api.patch<{ Params: IdParams; Body: AppPatchBody }>(
    '/apps/:id',
    {
      schema: {
        tags,
        summary:
          'Change an application (lists replace whole; metadataXml refreshes SP fields); If-Match: "<version>" guards against lost updates',
        params: IdParams,
        body: AppPatchBody,
        response: { 200: App, ...errors },
      },
    },
    async (req, reply) => {
      const app = await rt.apps.update(actorOf(req), req.params.id, withMetadata(req.body, true), expectedVersion(req));
      return reply.header('etag', `"${app.version}"`).send(appView(app));
    },
  );

  api.delete<{ Params: IdParams }>(
    '/apps/:id',
    { schema: { tags, summary: 'Delete an application', params: IdParams, response: { 204: Type.Null(), ...errors } } },
    async (req, reply) => {
      await rt.apps.delete(actorOf(req), req.params.id);
      return reply.code(204).send();
    },
  );

  api.get<{ Params: IdParams }>(
    '/apps/:id/idp-metadata',
    {
      schema: {
        tags,
        summary: "Keyway's IdP metadata to give this service provider (XML download)",
        params: IdParams,
        response: { 200: Type.String(), ...errors },
      },
    },
    async (req, reply) => {
      const app = await rt.apps.get(req.params.id);
      const xml = await rt.metadataXml(ctx.now());
      const file = `keyway-idp-metadata-${app.name.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 60)}.xml`;
      return reply
        .type('application/samlmetadata+xml')
        .header('content-disposition', `attachment; filename="${file}"`)
        .send(xml);
    },
  );

  api.post<{ Params: IdParams; Body: TestSignInBody }>(
    '/apps/:id/test-signin',
    {
      schema: {
        tags,
        summary:
          'Test sign-in: the assertion Keyway would send for a user, or every reason it would refuse (nothing is sent)',
        params: IdParams,
        body: TestSignInBody,
        response: { 200: TestSignInResult, ...errors },
      },
    },
    async (req) => {
      const app = await rt.apps.get(req.params.id);
      const user =
        (await ctx.store.directory.findUserByUserName(req.body.user)) ??
        (await ctx.store.directory.getUser(req.body.user));
      return testSignIn(ctx, rt, actorOf(req), app, user, req.body.authMethods ?? ['pwd']);
    },
  );

  const keyTags = ['signing keys'];
  // The same document as /saml/metadata, for scripts that hold an API token rather than a browser.
  api.get(
    '/idp-metadata',
    {
      schema: {
        tags: keyTags,
        summary:
          "Keyway's IdP metadata: entity ID, SSO and SLO endpoints, every published signing certificate (XML download)",
        response: { 200: Type.String(), 401: ErrorBody },
      },
    },
    async (_req, reply) =>
      reply
        .type('application/samlmetadata+xml')
        .header('content-disposition', 'attachment; filename="keyway-idp-metadata.xml"')
        .send(await rt.metadataXml(ctx.now())),
  );
  api.get(
    '/keys',
    {
      schema: {
        tags: keyTags,
        summary: 'List SAML signing keys (private keys are never returned)',
        response: { 200: Type.Object({ items: Type.Array(Key) }), 401: ErrorBody },
      },
    },
    async () => ({
      items: (await rt.keys.list()).map(keyView),
    }),
  );
  api.post(
    '/keys/rotate',
    {
      schema: {
        tags: keyTags,
        summary: 'Add a "next" key, published in metadata beside the current one',
        response: { 201: Key, ...errors },
      },
    },
    async (req, reply) => reply.code(201).send(keyView(await rt.keys.rotate(actorOf(req)))),
  );
  api.post<{ Params: IdParams }>(
    '/keys/:id/promote',
    {
      schema: {
        tags: keyTags,
        summary: 'Make a key the signing key; the old one stays published as "previous"',
        params: IdParams,
        response: { 200: Key, ...errors },
      },
    },
    async (req) => keyView(await rt.keys.promote(actorOf(req), req.params.id)),
  );
  api.post<{ Params: IdParams }>(
    '/keys/:id/retire',
    {
      schema: {
        tags: keyTags,
        summary: 'Retire a next or previous key (removed from metadata)',
        params: IdParams,
        response: { 200: Key, ...errors },
      },
    },
    async (req) => keyView(await rt.keys.retire(actorOf(req), req.params.id)),
  );
};
