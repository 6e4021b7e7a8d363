/**
 * keyway db stats — rows and bytes per table.
 * keyway db prune — retention: audit events older than KEYWAY_AUDIT_RETENTION_DAYS (optionally exported as JSON
 * lines first) and outbox events delivered more than KEYWAY_OUTBOX_RETENTION_DAYS ago. `keyway serve` does the
 * same every hour; this is for a cron job or a one-off clean-up.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { resolve } from 'node:path';
import type { CliCommand } from '../command.js';
import { json, table } from '../render.js';

const DAY_MS = 86_400_000;

const size = (bytes: number): string =>
  bytes >= 1 << 30
    ? `${(bytes / (1 << 30)).toFixed(1)} GiB`
    : bytes >= 1 << 20
      ? `${(bytes / (1 << 20)).toFixed(1)} MiB`
      : `${(bytes / 1024).toFixed(0)} KiB`;

const days = (raw: string): number => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`must be a whole number of days, got "${raw}"`);
  return n;
};

export const dbCommand: CliCommand = {
  name: 'db',
  register(program, ctx) {
    const db = program.command('db').description('database housekeeping: sizes and retention');
    db.command('stats')
      .description('rows and bytes per table, largest first')
      .option('--json', 'print JSON')
      .action(async (o: { json?: boolean }) => {
        const store = await ctx.store();
        const sizes = await store.tableSizes();
        if (o.json) return ctx.out(json(sizes));
        for (const l of table(
          ['TABLE', 'ROWS', 'SIZE'],
          sizes.map((s) => [s.table, String(s.rows), size(s.bytes)]),
        ))
          ctx.out(l);
        ctx.out(`total ${size(sizes.reduce((n, s) => n + s.bytes, 0))} (${store.describe})`);
      });
    db.command('prune')
      .description('remove audit events past their retention and delivered outbox events')
      .option('--audit-days <days>', 'keep audit events this many days (default KEYWAY_AUDIT_RETENTION_DAYS)', days)
      .option(
        '--outbox-days <days>',
        'keep delivered outbox events this many days (default KEYWAY_OUTBOX_RETENTION_DAYS)',
        days,
      )
      .option('--export <file>', 'append the removed audit events to this file as JSON lines first')
      .action(async (o: { auditDays?: number; outboxDays?: number; export?: string }) => {
        const config = ctx.config();
        const store = await ctx.store();
        const now = Date.now();
        const auditDays = o.auditDays ?? config.auditRetentionDays;
        const out = o.export ? createWriteStream(resolve(ctx.io.cwd, o.export), { flags: 'a' }) : undefined;
        let audit: number;
        try {
          audit = await store.pruneAudit({
            before: new Date(now - auditDays * DAY_MS),
            ...(out
              ? {
                  exportLines: async (lines: string) => {
                    if (!out.write(lines)) await once(out, 'drain');
                  },
                }
              : {}),
          });
        } finally {
          if (out) {
            out.end();
            await once(out, 'finish');
          }
        }
        const outbox = await store.pruneOutbox({
          before: new Date(now - (o.outboxDays ?? config.outboxRetentionDays) * DAY_MS),
        });
        ctx.out(
          `removed ${audit} audit events older than ${auditDays} days${o.export ? ` (exported to ${o.export})` : ''} and ${outbox} delivered outbox events`,
        );
      });
  },
};
