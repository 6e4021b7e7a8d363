/** keyway import <file> — all or nothing: every bad row is reported with its line and nothing is written. */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { MAX_IMPORT_BYTES, importDirectory } from '../../core/index.js';
import type { ImportFormat, ImportReport } from '../../core/index.js';
import { CliUsageError } from '../command.js';
import type { CliCommand } from '../command.js';
import { json } from '../render.js';
import { oneOf } from './shared.js';

const formats = ['json', 'csv', 'users-csv', 'groups-csv'] as const;

const formatFor = (file: string, given: ImportFormat | undefined): ImportFormat => {
  if (given) return given;
  const ext = extname(file).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.csv') return 'csv';
  throw new CliUsageError(`cannot tell the format of ${file} from its extension; give --format ${formats.join('|')}`);
};

const summary = (r: ImportReport): string =>
  `${r.dryRun ? 'would import' : 'imported'}: users ${r.users.created} created, ${r.users.updated} updated, ${r.users.unchanged} unchanged; ` +
  `groups ${r.groups.created} created, ${r.groups.updated} updated, ${r.groups.unchanged} unchanged; ${r.membershipsAdded} memberships added`;

export const importCommand: CliCommand = {
  name: 'import',
  register(program, ctx) {
    program
      .command('import')
      .description(
        'import users and groups from CSV or JSON (adds and updates; never deletes). Nothing is imported if any row is bad',
      )
      .argument('<file>', "file to read ('-' for stdin)")
      .option(
        '--format <format>',
        `${formats.join(', ')} (default: from the file extension; csv tells users from groups by its header)`,
        oneOf(formats),
      )
      .option('--dry-run', 'validate and report what would change, without writing')
      .option('--json', 'print the report as JSON')
      .action(async (file: string, o: { format?: ImportFormat; dryRun?: boolean; json?: boolean }) => {
        const format = file === '-' ? (o.format ?? 'json') : formatFor(file, o.format);
        let bytes: Uint8Array;
        try {
          bytes = file === '-' ? await readStdin(ctx.io.stdin) : await readFile(file);
        } catch (e) {
          throw new CliUsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        }
        const store = await ctx.store();
        const report = await importDirectory(store.directory, ctx.actor, bytes, { format, dryRun: o.dryRun === true });
        ctx.out(o.json ? json(report) : summary(report));
      });
  },
};

const readStdin = async (stdin: NodeJS.ReadableStream): Promise<Uint8Array> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += b.length;
    if (size > MAX_IMPORT_BYTES)
      throw new CliUsageError(`the input is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB`);
    chunks.push(b);
  }
  return Buffer.concat(chunks);
};
