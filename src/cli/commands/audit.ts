/** keyway audit — read the audit log, newest first. */
import type { AuditEvent } from '../../core/index.js';
import type { CliCommand } from '../command.js';
import { json, table } from '../render.js';
import { isoTime, positiveInt } from './shared.js';

const actorLabel = (e: AuditEvent) => e.actor.label ?? `${e.actor.kind}:${e.actor.id}`;
const targetLabel = (e: AuditEvent) => (e.target ? `${e.target.type}:${e.target.label ?? e.target.id}` : '');

export const auditCommand: CliCommand = {
  name: 'audit',
  register(program, ctx) {
    program
      .command('audit')
      .description('show the audit log (admin changes and sign-in attempts), newest first')
      .option('--actor <id>', 'only events by this actor id (user id, token id, CLI user name)')
      .option('--target <id>', 'only events about this target id')
      .option('--action <action>', 'only this action, e.g. user.created or signin.password')
      .option('--since <time>', 'from this ISO-8601 time (inclusive)', isoTime)
      .option('--until <time>', 'up to this ISO-8601 time (inclusive)', isoTime)
      .option('--limit <n>', 'how many events (1-500)', positiveInt(500), 50)
      .option('--cursor <cursor>', 'continue after a previous page')
      .option('--json', 'print JSON ({ items, nextCursor, total })')
      .action(
        async (o: {
          actor?: string;
          target?: string;
          action?: string;
          since?: string;
          until?: string;
          limit: number;
          cursor?: string;
          json?: boolean;
        }) => {
          const store = await ctx.store();
          const page = await store.audit.query({
            ...(o.actor ? { actorId: o.actor } : {}),
            ...(o.target ? { targetId: o.target } : {}),
            ...(o.action ? { action: o.action } : {}),
            ...(o.since ? { since: o.since } : {}),
            ...(o.until ? { until: o.until } : {}),
            ...(o.cursor ? { cursor: o.cursor } : {}),
            limit: o.limit,
            count: true,
          });
          if (o.json) return ctx.out(json(page));
          for (const l of table(
            ['TIME', 'ACTION', 'OUTCOME', 'ACTOR', 'TARGET', 'REASON'],
            page.items.map((e) => [e.at, e.action, e.outcome, actorLabel(e), targetLabel(e), e.reason]),
          ))
            ctx.out(l);
          ctx.err(
            `${page.items.length} of ${page.total} events${page.nextCursor ? ` (more: --cursor ${page.nextCursor})` : ''}`,
          );
        },
      );
  },
};
