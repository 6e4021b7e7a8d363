/**
 * Admin API for Pattern A under /api/v1/aws: AWS accounts, group → role bindings and "explain". Registered inside
 * the admin API plugin, so token authentication, the JSON error format and the OpenAPI document apply.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { DomainError, findAccount, type Actor, type RoleBinding } from '../../core/index.js';
import type { ServerContext } from '../deps.js';
import { ErrorBody, IdParams } from '../api/schemas.js';
import { awsServices } from './context.js';
import { explainUser } from './explain-service.js';

type ActorOf = (req: FastifyRequest) => Actor;
const closed = { additionalProperties: false } as const;
const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody, 412: ErrorBody };
const tags = ['aws'];

const Account = Type.Object(
  { id: Type.String(), name: Type.String(), createdAt: Type.String(), updatedAt: Type.String() },
  closed,
);
const NewAccountBody = Type.Object(
  { id: Type.String({ description: '12-digit AWS account id' }), name: Type.String({ minLength: 1, maxLength: 50 }) },
  closed,
);
const Binding = Type.Object(
  {
    id: Type.String(),
    groupId: Type.String(),
    groupName: Type.String(),
    accountId: Type.String(),
    accountName: Type.Union([Type.String(), Type.Null()]),
    roleName: Type.String(),
    rolePath: Type.String(),
    roleArn: Type.String(),
    createdAt: Type.String(),
  },
  closed,
);
const NewBindingBody = Type.Object(
  {
    group: Type.String({ minLength: 1, maxLength: 256, description: 'Group id or display name' }),
    account: Type.String({
      minLength: 1,
      maxLength: 64,
      description: 'AWS account id or the name registered in Keyway',
    }),
    role: Type.String({ minLength: 1, maxLength: 128, description: 'IAM role name' }),
    path: Type.Optional(Type.String({ maxLength: 512, description: 'IAM role path, default /' })),
  },
  closed,
);
const BindingQuery = Type.Object(
  { group: Type.Optional(Type.String({ maxLength: 256 })), account: Type.Optional(Type.String({ maxLength: 64 })) },
  closed,
);
const ExplainQuery = Type.Object(
  {
    user: Type.String({ minLength: 1, maxLength: 256 }),
    account: Type.Optional(Type.String({ maxLength: 64 })),
    role: Type.Optional(Type.String({ maxLength: 128 })),
  },
  closed,
);
const Explanation = Type.Object(
  {
    user: Type.Object({ id: Type.String(), userName: Type.String(), status: Type.String() }, closed),
    groups: Type.Array(Type.Object({ id: Type.String(), name: Type.String() }, closed)),
    received: Type.Array(Type.Unknown()),
    notReceived: Type.Array(Type.Unknown()),
    problems: Type.Array(Type.String()),
  },
  closed,
);

export const registerAwsAdminRoutes = (api: FastifyInstance, ctx: ServerContext, actorOf: ActorOf): void => {
  const svc = awsServices(ctx);

  const groupIdOf = async (idOrName: string): Promise<string> => {
    const byName = await ctx.store.directory.findGroupByDisplayName(idOrName);
    if (byName) return byName.id;
    return (
      await ctx.store.directory.getGroup(idOrName).catch(() => {
        throw new DomainError('not_found', `no group ${JSON.stringify(idOrName)} in Keyway`, [
          { at: 'group', message: 'unknown group' },
        ]);
      })
    ).id;
  };
  const view = async (bindings: readonly RoleBinding[]) => {
    const accounts = await svc.access.listAccounts();
    const names = new Map<string, string>();
    for (const id of new Set(bindings.map((b) => b.groupId)))
      names.set(id, (await ctx.store.directory.getGroup(id)).displayName);
    return bindings.map((b) => ({
      ...b,
      groupName: names.get(b.groupId) ?? b.groupId,
      accountName: accounts.find((a) => a.id === b.accountId)?.name ?? null,
      roleArn: `arn:aws:iam::${b.accountId}:role${b.rolePath}${b.roleName}`,
    }));
  };

  api.get(
    '/aws/accounts',
    {
      schema: {
        tags,
        summary: 'AWS accounts known to Keyway',
        response: { 200: Type.Object({ items: Type.Array(Account) }, closed), 401: ErrorBody },
      },
    },
    async () => ({ items: await svc.access.listAccounts() }),
  );

  api.post<{ Body: Static<typeof NewAccountBody> }>(
    '/aws/accounts',
    {
      schema: {
        tags,
        summary: 'Register an AWS account by id and name',
        body: NewAccountBody,
        response: { 201: Account, ...errors },
      },
    },
    async (req, reply) => reply.code(201).send(await svc.access.addAccount(actorOf(req), req.body)),
  );

  api.delete<{ Params: IdParams }>(
    '/aws/accounts/:id',
    {
      schema: {
        tags,
        summary: 'Forget an AWS account (refused while bindings name it)',
        params: IdParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (req, reply) => {
      await svc.access.removeAccount(actorOf(req), req.params.id);
      return reply.code(204).send();
    },
  );

  api.get<{ Querystring: Static<typeof BindingQuery> }>(
    '/aws/bindings',
    {
      schema: {
        tags,
        summary: 'Group → IAM role bindings',
        querystring: BindingQuery,
        response: { 200: Type.Object({ items: Type.Array(Binding) }, closed), ...errors },
      },
    },
    async (req) => {
      const accountId = req.query.account
        ? findAccount(await svc.access.listAccounts(), req.query.account).id
        : undefined;
      const groupId = req.query.group ? await groupIdOf(req.query.group) : undefined;
      return {
        items: await view(
          await svc.access.listBindings({ ...(groupId ? { groupId } : {}), ...(accountId ? { accountId } : {}) }),
        ),
      };
    },
  );

  api.post<{ Body: Static<typeof NewBindingBody> }>(
    '/aws/bindings',
    {
      schema: {
        tags,
        summary: 'Let members of a group assume an IAM role in an account',
        body: NewBindingBody,
        response: { 201: Binding, ...errors },
      },
    },
    async (req, reply) => {
      const account = findAccount(await svc.access.listAccounts(), req.body.account);
      const groupId = await groupIdOf(req.body.group);
      const b = await svc.access.addBinding(actorOf(req), {
        groupId,
        accountId: account.id,
        roleName: req.body.role,
        ...(req.body.path ? { rolePath: req.body.path } : {}),
      });
      return reply.code(201).send((await view([b]))[0]);
    },
  );

  api.delete<{ Params: IdParams }>(
    '/aws/bindings/:id',
    { schema: { tags, summary: 'Remove a binding', params: IdParams, response: { 204: Type.Null(), ...errors } } },
    async (req, reply) => {
      await svc.access.removeBinding(actorOf(req), req.params.id);
      return reply.code(204).send();
    },
  );

  api.get<{ Querystring: Static<typeof ExplainQuery> }>(
    '/aws/explain',
    {
      schema: {
        tags,
        summary: 'Which roles a user receives, through which group and binding, and why not the others',
        querystring: ExplainQuery,
        response: { 200: Explanation, ...errors },
      },
    },
    async (req) =>
      explainUser(ctx, svc, {
        userName: req.query.user,
        ...(req.query.account ? { account: req.query.account } : {}),
        ...(req.query.role ? { role: req.query.role } : {}),
      }),
  );
};
