/** keyway migrate [--dry-run] — bring the database schema up to date. */
import type { CliCommand } from '../command.js';

export const migrateCommand: CliCommand = {
  name: 'migrate',
  register(program, ctx) {
    program
      .command('migrate')
      .description('apply pending database migrations (KEYWAY_DATABASE_URL)')
      .option('--dry-run', 'list pending migrations without applying them')
      .action(async (o: { dryRun?: boolean }) => {
        const store = await ctx.store({ migrate: false });
        const report = await store.migrate({ dryRun: o.dryRun === true });
        if (o.dryRun) {
          ctx.out(
            report.pending.length
              ? `pending migrations (${report.pending.length}):`
              : 'no pending migrations; the schema is up to date',
          );
          for (const id of report.pending) ctx.out(`  ${id}`);
          return;
        }
        ctx.out(
          report.ran.length
            ? `applied ${report.ran.length} migrations:`
            : 'no pending migrations; the schema is up to date',
        );
        for (const id of report.ran) ctx.out(`  ${id}`);
      });
  },
};
