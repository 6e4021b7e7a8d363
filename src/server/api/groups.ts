/** /api/v1/groups and their members (users or nested groups; cycles are refused with membership_cycle). */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Actor } from '../../core/index.js';
import type { ServerContext } from '../deps.js';
import {
  ErrorBody,
  Group,
  GroupPatchBody,
  GroupQuery,
  IdParams,
  Member,
  MemberList,
  MemberParams,
  NewGroupBody,
  pageOf,
} from './schemas.js';
import { expectedVersion } from './versions.js';

type ActorOf = (req: FastifyRequest) => Actor;
const tags = ['groups'];
const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody, 412: ErrorBody };

export const registerGroupRoutes = (app: FastifyInstance, ctx: ServerContext, actorOf: ActorOf): void => {
  const dir = ctx.store.directory;

  app.get<{ Querystring: GroupQuery }>(
    '/groups',
    {
      schema: {
        tags,
        summary: 'List groups',
        querystring: GroupQuery,
        response: { 200: pageOf(Group), 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (req) => dir.listGroups(req.query),
  );

  app.post<{ Body: NewGroupBody }>(
    '/groups',
    { schema: { tags, summary: 'Create a group', body: NewGroupBody, response: { 201: Group, ...errors } } },
    async (req, reply) => {
      const group = await dir.createGroup(actorOf(req), req.body);
      return reply
        .code(201)
        .header('location', `/api/v1/groups/${encodeURIComponent(group.id)}`)
        .header('etag', `"${group.version}"`)
        .send(group);
    },
  );

  app.get<{ Params: IdParams }>(
    '/groups/:id',
    { schema: { tags, summary: 'Get a group', params: IdParams, response: { 200: Group, ...errors } } },
    async (req, reply) => {
      const group = await dir.getGroup(req.params.id);
      return reply.header('etag', `"${group.version}"`).send(group);
    },
  );

  app.patch<{ Params: IdParams; Body: GroupPatchBody }>(
    '/groups/:id',
    {
      schema: {
        tags,
        summary: 'Change some fields of a group (If-Match: "<version>" guards against lost updates)',
        params: IdParams,
        body: GroupPatchBody,
        response: { 200: Group, ...errors },
      },
    },
    async (req, reply) => {
      const group = await dir.updateGroup(actorOf(req), req.params.id, req.body, expectedVersion(req));
      return reply.header('etag', `"${group.version}"`).send(group);
    },
  );

  app.delete<{ Params: IdParams }>(
    '/groups/:id',
    { schema: { tags, summary: 'Delete a group', params: IdParams, response: { 204: Type.Null(), ...errors } } },
    async (req, reply) => {
      await dir.deleteGroup(actorOf(req), req.params.id);
      return reply.code(204).send();
    },
  );

  app.get<{ Params: IdParams }>(
    '/groups/:id/members',
    {
      schema: {
        tags,
        summary: 'Direct members of a group',
        params: IdParams,
        response: { 200: MemberList, ...errors },
      },
    },
    async (req) => {
      await dir.getGroup(req.params.id);
      return { items: await dir.listMembers(req.params.id) };
    },
  );

  app.post<{ Params: IdParams; Body: Member }>(
    '/groups/:id/members',
    {
      schema: {
        tags,
        summary: 'Add a user or a group as a member',
        params: IdParams,
        body: Member,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (req, reply) => {
      await dir.addMember(actorOf(req), req.params.id, req.body);
      return reply.code(204).send();
    },
  );

  app.delete<{ Params: MemberParams }>(
    '/groups/:id/members/:kind/:memberId',
    { schema: { tags, summary: 'Remove a member', params: MemberParams, response: { 204: Type.Null(), ...errors } } },
    async (req, reply) => {
      await dir.removeMember(actorOf(req), req.params.id, { kind: req.params.kind, id: req.params.memberId });
      return reply.code(204).send();
    },
  );
};
