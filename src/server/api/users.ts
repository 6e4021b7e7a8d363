/** /api/v1/users: list (cursor pagination, filters), create, read, patch, suspend/activate, delete, set password. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { DomainError } from '../../core/index.js';
import type { Actor, NewUser, User as DomainUser } from '../../core/index.js';
import { hashPassword, passwordProblems } from '../../auth/index.js';
import { createTotpStore, type Store, type StoreTransaction } from '../../store/index.js';
import type { ServerContext } from '../deps.js';
import {
  ErrorBody,
  Group,
  IdParams,
  NewUserBody,
  PasswordBody,
  User,
  UserGroupsQuery,
  UserPatchBody,
  UserQuery,
  pageOf,
} from './schemas.js';
import { expectedVersion } from './versions.js';

type ActorOf = (req: FastifyRequest) => Actor;
const tags = ['users'];
const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody, 412: ErrorBody };

export const registerUserRoutes = (app: FastifyInstance, ctx: ServerContext, actorOf: ActorOf): void => {
  const dir = ctx.store.directory;

  app.get<{ Querystring: UserQuery }>(
    '/users',
    {
      schema: {
        tags,
        summary: 'List users',
        querystring: UserQuery,
        response: { 200: pageOf(User), 400: ErrorBody, 401: ErrorBody },
      },
    },
    async (req) => dir.listUsers(req.query),
  );

  app.post<{ Body: NewUserBody }>(
    '/users',
    { schema: { tags, summary: 'Create a user', body: NewUserBody, response: { 201: User, ...errors } } },
    async (req, reply) => {
      const user = await dir.createUser(actorOf(req), req.body);
      return reply
        .code(201)
        .header('location', `/api/v1/users/${encodeURIComponent(user.id)}`)
        .header('etag', `"${user.version}"`)
        .send(user);
    },
  );

  app.get<{ Params: IdParams }>(
    '/users/:id',
    { schema: { tags, summary: 'Get a user', params: IdParams, response: { 200: User, ...errors } } },
    async (req, reply) => {
      const user = await dir.getUser(req.params.id);
      return reply.header('etag', `"${user.version}"`).send(user);
    },
  );

  app.patch<{ Params: IdParams; Body: UserPatchBody }>(
    '/users/:id',
    {
      schema: {
        tags,
        summary: 'Change some fields of a user (If-Match: "<version>" guards against lost updates)',
        params: IdParams,
        body: UserPatchBody,
        response: { 200: User, ...errors },
      },
    },
    async (req, reply) => {
      const user = await dir.updateUser(actorOf(req), req.params.id, req.body, expectedVersion(req));
      return reply.header('etag', `"${user.version}"`).send(user);
    },
  );

  for (const [action, status] of [
    ['suspend', 'suspended'],
    ['activate', 'active'],
  ] as const) {
    app.post<{ Params: IdParams }>(
      `/users/:id/${action}`,
      {
        schema: {
          tags,
          summary: `${action[0]?.toUpperCase()}${action.slice(1)} a user`,
          params: IdParams,
          response: { 200: User, ...errors },
        },
      },
      async (req) => {
        const user = await dir.setUserStatus(actorOf(req), req.params.id, status);
        // A suspended user is signed out everywhere at once.
        if (status === 'suspended') await ctx.store.sessions.deleteForUser(user.id);
        return user;
      },
    );
  }

  app.delete<{ Params: IdParams }>(
    '/users/:id',
    { schema: { tags, summary: 'Delete a user', params: IdParams, response: { 204: Type.Null(), ...errors } } },
    async (req, reply) => {
      // The user, its audit record and outbox event, and its sessions go together.
      await ctx.store.transaction(async (trx) => {
        await ctx.store.directoryIn(trx).deleteUser(actorOf(req), req.params.id);
        await ctx.store.identityIn(trx).sessions.deleteForUser(req.params.id);
      });
      return reply.code(204).send();
    },
  );

  app.put<{ Params: IdParams; Body: PasswordBody }>(
    '/users/:id/password',
    {
      schema: {
        tags,
        summary: "Set a user's password (ends their sessions)",
        params: IdParams,
        body: PasswordBody,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (req, reply) => {
      await setPassword(ctx, actorOf(req), req.params.id, req.body.password);
      return reply.code(204).send();
    },
  );

  app.delete<{ Params: IdParams }>(
    '/users/:id/totp',
    {
      schema: {
        tags,
        summary: "Remove a user's authenticator app (when they lost it); they can set up a new one after signing in",
        params: IdParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (req, reply) => {
      await resetTotp(ctx, actorOf(req), req.params.id);
      return reply.code(204).send();
    },
  );

  app.get<{ Params: IdParams; Querystring: { effective?: boolean } }>(
    '/users/:id/groups',
    {
      schema: {
        tags,
        summary: "A user's groups, direct or (effective=true) including nested ones",
        params: IdParams,
        querystring: UserGroupsQuery,
        response: { 200: Type.Object({ items: Type.Array(Group) }), ...errors },
      },
    },
    async (req) => {
      await dir.getUser(req.params.id);
      const items = req.query.effective
        ? await dir.effectiveGroupsOfUser(req.params.id)
        : await dir.directGroupsOfUser(req.params.id);
      return { items };
    },
  );
};

/** The password's problems as a DomainError, checked before anything is hashed or written. */
export const checkNewPassword = (password: string): void => {
  const problems = passwordProblems(password);
  if (problems.length)
    throw new DomainError(
      'invalid_input',
      'the password does not meet the policy',
      problems.map((message) => ({ at: 'password', message })),
    );
};

/**
 * Stores a hash, ends the user's sessions and writes `user.password.set`, all on `trx`: a crash between the
 * statements leaves either the old password with its sessions or the new one with its audit record.
 */
export const writePassword = async (
  store: Store,
  trx: StoreTransaction,
  actor: Actor,
  user: DomainUser,
  hash: string,
): Promise<void> => {
  const w = store.identityIn(trx);
  await w.credentials.setPassword(user.id, hash);
  await w.sessions.deleteForUser(user.id);
  await w.audit.record({
    action: 'user.password.set',
    actor,
    outcome: 'success',
    target: { type: 'user', id: user.id, label: user.userName },
  });
};

/** Shared by the API and the CLI; one transaction (writePassword), audited as `user.password.set`. */
export const setPassword = async (
  ctx: Pick<ServerContext, 'store'>,
  actor: Actor,
  userId: string,
  password: string,
): Promise<void> => {
  checkNewPassword(password);
  const user = await ctx.store.directory.getUser(userId);
  const hash = await hashPassword(password);
  await ctx.store.transaction(async (trx) => {
    // Read again inside: the user may have been deleted while the hash was computed.
    const current = await ctx.store.directoryIn(trx).getUser(user.id);
    await writePassword(ctx.store, trx, actor, current, hash);
  });
};

/**
 * Creates a user and, when given, their password in one transaction: the user, its `user.created` audit record
 * and outbox event, and the password with its `user.password.set` record commit together or not at all.
 */
export const createUserWithPassword = async (
  ctx: Pick<ServerContext, 'store'>,
  actor: Actor,
  input: NewUser,
  password: string | undefined,
): Promise<DomainUser> => {
  if (password === undefined) return ctx.store.directory.createUser(actor, input);
  checkNewPassword(password);
  const hash = await hashPassword(password);
  return ctx.store.transaction(async (trx) => {
    const user = await ctx.store.directoryIn(trx).createUser(actor, input);
    await writePassword(ctx.store, trx, actor, user, hash);
    return user;
  });
};

/** Removes the user's TOTP factor; audited as `totp.reset`. not_found when they have none. */
export const resetTotp = async (ctx: Pick<ServerContext, 'store'>, actor: Actor, userId: string): Promise<void> => {
  await ctx.store.transaction(async (trx) => {
    const user = await ctx.store.directoryIn(trx).getUser(userId);
    if (!(await createTotpStore(trx).remove(user.id)))
      throw new DomainError('not_found', `${user.userName} has no authenticator app set up`);
    await ctx.store.identityIn(trx).audit.record({
      action: 'totp.reset',
      actor,
      outcome: 'success',
      target: { type: 'user', id: user.id, label: user.userName },
    });
  });
};
