/** keyway export — the directory in an import format (importing the output back changes nothing). */
import { writeFile } from 'node:fs/promises';
import { exportDirectory } from '../../core/index.js';
import type { ExportFormat } from '../../core/index.js';
import type { CliCommand } from '../command.js';
import { oneOf } from './shared.js';

const formats = ['json', 'users-csv', 'groups-csv'] as const;

export const exportCommand: CliCommand = {
  name: 'export',
  register(program, ctx) {
    program
      .command('export')
      .description('export users and groups as JSON, or users or groups as CSV')
      .option('--format <format>', formats.join(', '), oneOf(formats), 'json')
      .option('--output <file>', 'write to this file instead of stdout')
      .action(async (o: { format: ExportFormat; output?: string }) => {
        const text = await exportDirectory((await ctx.store()).directory, o.format);
        if (o.output) {
          await writeFile(o.output, text, { mode: 0o600 });
          ctx.err(`wrote ${o.output}`);
        } else ctx.io.stdout.write(text);
      });
  },
};
