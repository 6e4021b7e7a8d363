/** keyway tokens create|list|revoke — admin API tokens (shown once; only their SHA-256 is stored). */
import { issueApiToken, revokeApiToken } from '../../server/index.js';
import type { CliCommand } from '../command.js';
import { json, table } from '../render.js';

export const tokensCommand: CliCommand = {
  name: 'tokens',
  register(program, ctx) {
    const tokens = program.command('tokens').description('manage admin API tokens');

    tokens
      .command('create')
      .description('create an admin API token and print it once')
      .argument('<name>', 'what the token is for, e.g. "terraform" or "hr-sync"')
      .option('--json', 'print { id, name, token } as JSON')
      .action(async (name: string, o: { json?: boolean }) => {
        const store = await ctx.store();
        const { token, record } = await issueApiToken(store, ctx.actor, name);
        if (o.json) return ctx.out(json({ id: record.id, name: record.name, token }));
        ctx.out(token);
        ctx.err(
          `created token "${record.name}" (${record.id}). Store it now: it is shown only once. Use it as "Authorization: Bearer <token>".`,
        );
      });

    tokens
      .command('list')
      .description('list tokens (never their secrets)')
      .option('--json', 'print JSON')
      .action(async (o: { json?: boolean }) => {
        const list = await (await ctx.store()).apiTokens.list();
        const view = list.map(({ hash: _hash, ...t }) => t);
        if (o.json) return ctx.out(json(view));
        for (const l of table(
          ['NAME', 'ID', 'CREATED', 'LAST USED', 'REVOKED'],
          view.map((t) => [t.name, t.id, t.createdAt, t.lastUsedAt ?? 'never', t.revokedAt ?? '']),
        ))
          ctx.out(l);
      });

    tokens
      .command('revoke')
      .description('revoke a token; it stops working at once')
      .argument('<token>', 'token id or name')
      .action(async (ref: string) => {
        const t = await revokeApiToken(await ctx.store(), ctx.actor, ref);
        ctx.out(`revoked token "${t.name}" (${t.id})`);
      });
  },
};
