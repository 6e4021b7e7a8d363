/**
 * Browser side of Pattern A: the portal's AWS tile, IdP-initiated SSO to the AWS sign-in URL (signed Response,
 * auto-submitting form; AWS shows its role picker when there are several roles), and the page where a signed-in
 * user approves a `keyway aws login --device` request.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { isDomainError, mayUse, type User } from '../../core/index.js';
import type { PortalTile, PortalTileProvider, ServerContext } from '../deps.js';
import { html, renderPage, personName } from '../html.js';
import { csrfField, requireCsrf, requireSignIn } from '../session.js';
import { sendInfoPage, sendNotAllowed, sendPostForm } from '../saml/pages.js';
import { issueResponse } from '../saml/sso/issue-response.js';
import { awsServices } from './context.js';
import { rolesOf } from './issue.js';

const LaunchParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);
const ApproveQuery = Type.Object({ code: Type.Optional(Type.String({ maxLength: 16 })) });
const ApproveBody = Type.Object({
  csrf: Type.Optional(Type.String({ maxLength: 256 })),
  code: Type.String({ maxLength: 16 }),
  decision: Type.Union([Type.Literal('approve'), Type.Literal('deny')]),
});

export const launchPath = (appId: string): string => `/aws/apps/${encodeURIComponent(appId)}/launch`;

export const awsTiles: PortalTileProvider = {
  id: 'aws-iam',
  async tilesFor(user: User, ctx: ServerContext): Promise<readonly PortalTile[]> {
    const svc = awsServices(ctx);
    const apps = (await svc.awsApps()).filter((a) => a.enabled);
    if (apps.length === 0) return [];
    const groups = await ctx.store.directory.effectiveGroupsOfUser(user.id);
    const tiles: PortalTile[] = [];
    for (const app of apps.filter((a) => mayUse(a, groups))) {
      const { roles } = await rolesOf(ctx, svc, user, app.id);
      if (roles.length === 0) continue;
      const accounts = new Set(roles.map((r) => r.accountId)).size;
      tiles.push({
        title: app.name,
        href: launchPath(app.id),
        method: 'POST',
        kind: 'AWS IAM',
        description: `${roles.length} role${roles.length === 1 ? '' : 's'} in ${accounts} account${accounts === 1 ? '' : 's'}`,
      });
    }
    return tiles;
  },
};

export const registerAwsBrowserRoutes = (app: FastifyInstance, ctx: ServerContext): void => {
  const svc = awsServices(ctx);

  app.post<{ Params: Static<typeof LaunchParams> }>(
    '/aws/apps/:id/launch',
    { schema: { params: LaunchParams } },
    async (req, reply) => {
      const who = await requireSignIn(req, reply, ctx);
      if (!who) return reply;
      if (!(await requireCsrf(req, reply, who, ctx))) return reply;
      let target: Awaited<ReturnType<typeof svc.awsApp>>;
      try {
        target = await svc.awsApp(req.params.id);
      } catch (e) {
        if (isDomainError(e))
          return sendInfoPage(
            reply,
            404,
            'No such AWS application',
            'This AWS application does not exist any more.',
            who,
          );
        throw e;
      }
      const outcome = await issueResponse({
        ctx,
        rt: svc.rt,
        who,
        app: target.app,
        pending: { appId: target.app.id, acsUrl: target.config.signInUrl },
        ip: req.ip,
        requestId: req.id,
      });
      if (outcome.kind === 'denied') return sendNotAllowed(reply, who, target.app.name, outcome.message);
      // Addressed to signInUrl (Recipient, SAML:aud), delivered to the ACS URL; the two differ only before an emulator.
      return sendPostForm(reply, target.config.acsUrl, outcome.fields);
    },
  );

  app.get<{ Querystring: Static<typeof ApproveQuery> }>(
    '/aws/cli/approve',
    { schema: { querystring: ApproveQuery } },
    async (req, reply) => {
      const who = await requireSignIn(req, reply, ctx);
      if (!who) return reply;
      const code = (req.query.code ?? '').toUpperCase();
      return renderPage(reply, {
        title: 'Approve command-line sign-in',
        signedIn: { userName: who.user.userName, displayName: personName(who.user), csrfToken: who.csrfToken },
        headers: { 'cache-control': 'no-store' },
        body: html`<h1>Sign in on the command line?</h1>
<p>A terminal asked to sign in to Keyway as <strong>${who.user.userName}</strong> to get AWS credentials. Approve only if you started it and the code below matches the one it shows.</p>
<form method="post" action="/aws/cli/approve">
${csrfField(who)}
<label for="code">Code shown in the terminal</label>
<input id="code" name="code" type="text" value="${code}" autocomplete="off" spellcheck="false" required pattern="[A-Za-z]{4}-?[A-Za-z]{4}">
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>`,
      });
    },
  );

  app.post<{ Body: Static<typeof ApproveBody> }>(
    '/aws/cli/approve',
    { schema: { body: ApproveBody } },
    async (req, reply) => {
      const who = await requireSignIn(req, reply, ctx);
      if (!who) return reply;
      if (!(await requireCsrf(req, reply, who, ctx))) return reply;
      const raw = req.body.code.toUpperCase().replace(/[^A-Z]/g, '');
      const code = `${raw.slice(0, 4)}-${raw.slice(4, 8)}`;
      const decision = req.body.decision === 'approve' ? 'approved' : 'denied';
      const ok = await svc.cli.decideDeviceGrant(code, decision, who.user.id, ctx.now().toISOString());
      await ctx.store.audit.record({
        action: 'aws.cli.device',
        actor: { kind: 'user', id: who.user.id, label: who.user.userName, ip: req.ip, requestId: req.id },
        outcome: ok ? 'success' : 'failure',
        ...(ok ? {} : { reason: 'unknown_or_expired_code' }),
        details: { decision },
      });
      if (!ok)
        return sendInfoPage(
          reply,
          400,
          'Code not accepted',
          'That code is unknown, already used or expired. Start again in the terminal.',
          who,
        );
      return sendInfoPage(
        reply,
        200,
        decision === 'approved' ? 'Command line signed in' : 'Request denied',
        decision === 'approved'
          ? 'You can close this page and return to the terminal.'
          : 'The terminal will not be signed in.',
        who,
      );
    },
  );
};
