/**
 * Command-line sign-in for `keyway aws credentials` (JSON under /aws/cli): a password sign-in or a device-code
 * approval in a signed-in browser (RFC 8628 shape) yields a bearer token; with it the CLI fetches the AWS IAM
 * application's signed assertion and calls STS itself. Never a scraped page. Every step is audited.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { DomainError, isDomainError, type Actor, type CliToken, type User } from '../../core/index.js';
import { randomSecret, sha256Hex } from '../../auth/index.js';
import type { ServerContext } from '../deps.js';
import { mapError } from '../api/errors.js';
import {
  attemptPasswordSignIn,
  countSecondFactorFailure,
  failureKeyOf,
  forgetFailures,
  newDeviceToken,
  secondFactorAllowed,
} from '../signin/attempt.js';
import { createSecondFactor } from '../signin/second-factor.js';
import { awsServices, type AwsServices } from './context.js';
import { issueAwsAssertion, roleViewOf, rolesOf, type RoleView } from './issue.js';

const closed = { additionalProperties: false } as const;
const SignInBody = Type.Object(
  {
    userName: Type.String({ minLength: 1, maxLength: 256 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    otp: Type.Optional(Type.String({ maxLength: 32 })),
    /** This CLI installation's device token from an earlier sign-in (device-trust.ts). */
    deviceToken: Type.Optional(Type.String({ maxLength: 512 })),
  },
  closed,
);
const TokenBody = Type.Object({ deviceCode: Type.String({ minLength: 1, maxLength: 128 }) }, closed);
const AssertionBody = Type.Object(
  { account: Type.Optional(Type.String({ maxLength: 64 })), role: Type.Optional(Type.String({ maxLength: 128 })) },
  closed,
);

export const CLI_TOKEN_PREFIX = 'kwc_';
const TOKEN_PATTERN = /^kwc_[A-Za-z0-9_-]{43}$/;
const DEVICE_TTL_SECONDS = 600;
const POLL_INTERVAL_SECONDS = 2;
/** Consonants only: no vowels, so no words; no look-alikes (RFC 8628 6.1). */
const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';

const newUserCode = (): string => {
  const c = Array.from({ length: 8 }, () => USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)]).join('');
  return `${c.slice(0, 4)}-${c.slice(4)}`;
};

class CliError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const actorOf = (req: FastifyRequest, user?: User): Actor =>
  user
    ? { kind: 'cli', id: user.id, label: user.userName, ip: req.ip, requestId: req.id }
    : { kind: 'anonymous', id: req.ip, ip: req.ip, requestId: req.id };

async function issueToken(
  ctx: ServerContext,
  svc: AwsServices,
  user: User,
  authMethods: string[],
): Promise<{ token: string; expiresAt: string }> {
  const token = `${CLI_TOKEN_PREFIX}${randomSecret(32)}`;
  const now = ctx.now();
  const expiresAt = new Date(now.getTime() + ctx.config.sessionMaxHours * 3_600_000).toISOString();
  const t: CliToken = {
    idHash: sha256Hex(token),
    userId: user.id,
    createdAt: now.toISOString(),
    expiresAt,
    authMethods,
    revokedAt: null,
    revokedReason: null,
  };
  await svc.cli.createToken(t);
  return { token, expiresAt };
}

/** Bearer token → user, with the exact reason when refused, so the CLI can print one clear line. */
async function authenticate(
  req: FastifyRequest,
  ctx: ServerContext,
  svc: AwsServices,
): Promise<{ user: User; token: CliToken }> {
  const m = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
  if (!m || !TOKEN_PATTERN.test(m[1]!))
    throw new CliError(401, 'unauthenticated', 'not signed in to Keyway; run keyway aws login');
  const idHash = sha256Hex(m[1]!);
  const token = await svc.cli.getToken(idHash);
  const now = ctx.now();
  if (!token || new Date(token.expiresAt).getTime() <= now.getTime())
    throw new CliError(401, 'unauthenticated', 'the Keyway sign-in has expired; run keyway aws login');
  const user = await ctx.store.directory.getUser(token.userId).catch(() => null);
  if (!user) throw new CliError(401, 'unauthenticated', 'the Keyway account no longer exists');
  if (user.status !== 'active' || token.revokedReason === 'user_suspended') {
    if (!token.revokedAt) await svc.cli.revokeToken(idHash, now.toISOString(), 'user_suspended');
    await ctx.store.audit.record({
      action: 'aws.cli.assertion',
      actor: actorOf(req, user),
      outcome: 'failure',
      reason: 'suspended',
      target: { type: 'user', id: user.id, label: user.userName },
    });
    throw new CliError(
      403,
      'user_suspended',
      `your Keyway account ${user.userName} is suspended; ask an administrator`,
    );
  }
  if (token.revokedAt)
    throw new CliError(401, 'unauthenticated', 'this Keyway sign-in was revoked; run keyway aws login');
  return { user, token };
}

export const registerAwsCliRoutes = (app: FastifyInstance, ctx: ServerContext): void => {
  const svc = awsServices(ctx);
  const secondFactor = createSecondFactor(ctx);

  app.setErrorHandler(async (error, req, reply: FastifyReply) => {
    if (error instanceof CliError)
      return reply
        .code(error.status)
        .header('cache-control', 'no-store')
        .send({ code: error.code, message: error.message });
    const mapped = mapError(error);
    if (mapped.internal) req.log.error({ err: error }, 'AWS CLI request failed');
    return reply.code(mapped.status).header('cache-control', 'no-store').send(mapped.body);
  });

  app.post<{ Body: Static<typeof SignInBody> }>(
    '/aws/cli/sign-in',
    { schema: { body: SignInBody } },
    async (req, reply) => {
      const subject = { userName: req.body.userName, ip: req.ip, deviceToken: req.body.deviceToken };
      const result = await attemptPasswordSignIn(ctx, { ...subject, password: req.body.password, requestId: req.id });
      if (!result.ok) {
        if (result.reason === 'suspended')
          throw new CliError(
            403,
            'user_suspended',
            `your Keyway account ${req.body.userName} is suspended; ask an administrator`,
          );
        if (result.reason === 'locked_out')
          throw new CliError(
            429,
            'locked_out',
            `too many failed sign-ins; try again after ${result.retryAt?.toISOString() ?? 'a while'}`,
          );
        throw new CliError(401, 'unauthenticated', 'The user name or password is incorrect.');
      }
      const user = result.user;
      const methods = ['pwd'];
      // The same second factor as the sign-in page: a user with a confirmed authenticator needs its code here too.
      if (await secondFactor.confirmedSeed(user.id)) {
        if (!req.body.otp)
          throw new CliError(401, 'otp_required', 'this account needs the 6-digit code from your authenticator app');
        const input = { ...subject, userName: user.userName };
        const limits = await secondFactorAllowed(ctx, input);
        if (!limits.allowed)
          throw new CliError(
            429,
            'locked_out',
            `too many failed sign-ins; try again after ${limits.retryAt.toISOString()}`,
          );
        const target = { type: 'user', id: user.id, label: user.userName };
        if (!(await secondFactor.check(user.id, req.body.otp, ctx.now()))) {
          await countSecondFactorFailure(ctx, input);
          await ctx.store.audit.record({
            action: 'signin.otp',
            actor: actorOf(req, user),
            outcome: 'failure',
            reason: 'bad_otp',
            target,
          });
          throw new CliError(401, 'bad_otp', 'that authenticator code is not right; enter the code your app shows now');
        }
        await ctx.store.audit.record({ action: 'signin.otp', actor: actorOf(req, user), outcome: 'success', target });
        methods.push('otp');
      }
      await forgetFailures(ctx, methods.includes('otp') ? failureKeyOf(ctx, subject) : result.forgetKey);
      const issued = await issueToken(ctx, svc, user, methods);
      await ctx.store.audit.record({
        action: 'aws.cli.signin',
        actor: actorOf(req, user),
        outcome: 'success',
        target: { type: 'user', id: user.id, label: user.userName },
        details: { method: 'password', authMethods: methods },
      });
      return reply
        .header('cache-control', 'no-store')
        .send({ ...issued, userName: user.userName, deviceToken: newDeviceToken(ctx, user.userName) });
    },
  );

  app.post('/aws/cli/device', async (_req, reply) => {
    const deviceCode = randomBytes(32).toString('base64url');
    const now = ctx.now();
    // Expired grants and tokens are swept here, so the tables stay as small as the live requests.
    await svc.cli.deleteExpired(now.toISOString());
    const expiresAt = new Date(now.getTime() + DEVICE_TTL_SECONDS * 1000).toISOString();
    let userCode = newUserCode();
    for (let attempt = 0; ; attempt++) {
      try {
        await svc.cli.createDeviceGrant({
          deviceCodeHash: sha256Hex(deviceCode),
          userCode,
          status: 'pending',
          userId: null,
          createdAt: now.toISOString(),
          expiresAt,
        });
        break;
      } catch (e) {
        if (!(isDomainError(e) && e.code === 'conflict') || attempt >= 3) throw e;
        userCode = newUserCode();
      }
    }
    const verificationUri = `${ctx.config.baseUrl}/aws/cli/approve`;
    return reply.header('cache-control', 'no-store').send({
      deviceCode,
      userCode,
      verificationUri,
      verificationUriComplete: `${verificationUri}?code=${encodeURIComponent(userCode)}`,
      expiresIn: DEVICE_TTL_SECONDS,
      interval: POLL_INTERVAL_SECONDS,
    });
  });

  app.post<{ Body: Static<typeof TokenBody> }>(
    '/aws/cli/device/token',
    { schema: { body: TokenBody } },
    async (req, reply) => {
      const hash = sha256Hex(req.body.deviceCode);
      const grant = await svc.cli.getDeviceGrant(hash);
      if (!grant) throw new CliError(400, 'invalid_grant', 'unknown device code; start again');
      if (new Date(grant.expiresAt).getTime() <= ctx.now().getTime())
        throw new CliError(400, 'expired_token', 'the approval request expired; start again');
      if (grant.status === 'pending')
        throw new CliError(400, 'authorization_pending', 'waiting for approval in the browser');
      if (grant.status === 'denied') throw new CliError(400, 'access_denied', 'the request was denied in the browser');
      if (grant.status === 'redeemed' || !grant.userId || !(await svc.cli.redeemDeviceGrant(hash)))
        throw new CliError(400, 'invalid_grant', 'this device code was already used; start again');
      const user = await ctx.store.directory.getUser(grant.userId);
      if (user.status !== 'active')
        throw new CliError(
          403,
          'user_suspended',
          `your Keyway account ${user.userName} is suspended; ask an administrator`,
        );
      const issued = await issueToken(ctx, svc, user, ['device']);
      await ctx.store.audit.record({
        action: 'aws.cli.signin',
        actor: actorOf(req, user),
        outcome: 'success',
        target: { type: 'user', id: user.id, label: user.userName },
        details: { method: 'device' },
      });
      return reply.header('cache-control', 'no-store').send({ ...issued, userName: user.userName });
    },
  );

  app.get('/aws/cli/roles', async (req, reply) => {
    const { user } = await authenticate(req, ctx, svc);
    const { app: awsApp, roles } = await rolesOf(ctx, svc, user);
    return reply
      .header('cache-control', 'no-store')
      .send({ app: { id: awsApp.id, name: awsApp.name }, userName: user.userName, roles });
  });

  app.post<{ Body: Static<typeof AssertionBody> }>(
    '/aws/cli/assertion',
    { schema: { body: AssertionBody } },
    async (req, reply) => {
      const { user, token } = await authenticate(req, ctx, svc);
      const target = { type: 'user', id: user.id, label: user.userName };
      try {
        const issued = await issueAwsAssertion(ctx, svc, user, token.authMethods);
        // Account names are read only to find a requested role by name.
        const wanted =
          req.body.account && req.body.role
            ? pick(
                issued.roleValues,
                new Map((await svc.access.listAccounts()).map((a) => [a.id, a.name])),
                req.body.account,
                req.body.role,
              )
            : null;
        await ctx.store.audit.record({
          action: 'aws.cli.assertion',
          actor: actorOf(req, user),
          outcome: 'success',
          target,
          details: { app: issued.app.id, roles: issued.roleValues.length, ...(wanted ? { role: wanted.roleArn } : {}) },
        });
        return reply
          .header('cache-control', 'no-store')
          .type('application/json; charset=utf-8')
          .send(
            assertionAnswerJson(issued.samlResponse, {
              notOnOrAfter: issued.notOnOrAfter.toISOString(),
              role: wanted,
              roleCount: issued.roleValues.length,
              sessionDuration: issued.sessionDuration,
            }),
          );
      } catch (e) {
        if (isDomainError(e) || e instanceof CliError) {
          await ctx.store.audit.record({
            action: 'aws.cli.assertion',
            actor: actorOf(req, user),
            outcome: 'failure',
            reason: isDomainError(e) ? e.code : e.code,
            target,
            details: { message: e.message },
          });
        }
        throw e;
      }
    },
  );

  app.post('/aws/cli/sign-out', async (req, reply) => {
    const m = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
    if (m && TOKEN_PATTERN.test(m[1]!))
      await svc.cli.revokeToken(sha256Hex(m[1]!), ctx.now().toISOString(), 'signed_out');
    return reply.code(204).send();
  });
};

/**
 * The assertion answer as JSON text. `samlResponse` is Buffer#toString('base64') output, whose alphabet
 * (A-Z a-z 0-9 + / =) JSON never escapes, so it is placed between quotes as is: JSON.stringify would scan and copy
 * the whole response again (about 40 KB for a user with 200 roles) only to find nothing to escape.
 */
function assertionAnswerJson(
  samlResponse: string,
  rest: { notOnOrAfter: string; role: RoleView | null; roleCount: number; sessionDuration: number | null },
): string {
  return `{"samlResponse":"${samlResponse}",${JSON.stringify(rest).slice(1)}`;
}

/** The requested role among the signed Role values, by account id or name and role name (case-insensitive). */
function pick(
  values: readonly string[],
  accountNames: ReadonlyMap<string, string>,
  account: string,
  role: string,
): RoleView {
  const a = account.toLowerCase();
  const r = role.toLowerCase();
  for (const value of values) {
    const v = roleViewOf(value, accountNames);
    if (v && (v.accountId === account || v.accountName?.toLowerCase() === a) && v.roleName.toLowerCase() === r)
      return v;
  }
  const offered =
    values
      .flatMap((value) => {
        const v = roleViewOf(value, accountNames);
        return v ? [`${v.accountName ?? v.accountId}/${v.roleName}`] : [];
      })
      .join(', ') || 'none';
  throw new DomainError(
    'forbidden',
    `you may not assume role ${role} in account ${account}; your roles: ${offered}. Ask an administrator, or run keyway aws explain`,
  );
}
