/**
 * keyway backup <file> — an online backup: a SQLite copy through SQLite's backup API, or a JSON-lines export of
 * every table from PostgreSQL (one snapshot). keyway restore <file> — into a fresh database of either engine.
 * Restored secrets (signing keys, TOTP seeds) are sealed with KEYWAY_MASTER_KEY: restore under the same key.
 */
import { resolve } from 'node:path';
import type { CliCommand } from '../command.js';

export const backupCommand: CliCommand = {
  name: 'backup',
  register(program, ctx) {
    program
      .command('backup')
      .description('back up the database while Keyway runs (SQLite: a database file; PostgreSQL: JSON lines)')
      .argument('<file>', 'a new file to write')
      .action(async (file: string) => {
        const store = await ctx.store();
        const r = await store.backup(resolve(ctx.io.cwd, file));
        ctx.out(
          r.format === 'sqlite'
            ? `backed up ${r.tables} tables (${r.rows} pages) into ${file} (a SQLite database)`
            : `backed up ${r.tables} tables (${r.rows} rows) into ${file} (JSON lines)`,
        );
      });
  },
};

export const restoreCommand: CliCommand = {
  name: 'restore',
  register(program, ctx) {
    program
      .command('restore')
      .description('restore a backup into KEYWAY_DATABASE_URL (a fresh database; restart running nodes after)')
      .argument('<file>', 'a file written by keyway backup')
      .option('--replace', 'replace the users, groups and everything else already in the target database')
      .action(async (file: string, o: { replace?: boolean }) => {
        const store = await ctx.store();
        const r = await store.restore(resolve(ctx.io.cwd, file), { replace: o.replace === true });
        const total = Object.values(r.rows).reduce((n, c) => n + c, 0);
        ctx.out(`restored ${total} rows into ${Object.keys(r.rows).length} tables from ${file} (${store.describe})`);
      });
  },
};
