/**
 * keyway aws-emulator [--port 4566] [--host 127.0.0.1] [--world <file>] [--state <file>] [--allow-sha1]
 * Runs the AWS emulator as its own process (the CLI never loads the emulator's code: docs/contributing.md, module
 * rules).
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CliCommand } from '../command.js';
import { CliUsageError } from '../command.js';

const EMULATOR_MAIN = fileURLToPath(new URL('../../aws-emulator/main.ts', import.meta.url));
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

interface EmulatorFlags {
  port: string;
  host: string;
  world?: string;
  state?: string;
  allowSha1?: boolean;
}

export const awsEmulatorCommand: CliCommand = {
  name: 'aws-emulator',
  register(program, ctx) {
    program
      .command('aws-emulator')
      .description('run the AWS emulator (IAM, STS, Organizations, sign-in, Identity Center) on a loopback port')
      .option('--port <port>', 'port to listen on', '4566')
      .option('--host <host>', 'loopback address to listen on', '127.0.0.1')
      .option('--world <file>', 'world file (YAML or JSON): organisation, OUs, accounts; the demo world by default')
      .option('--state <file>', 'SQLite file that keeps emulator state across restarts (in memory by default)')
      .option('--allow-sha1', 'accept RSA-SHA1 SAML signatures at STS and /saml (refused by default)')
      .action(async (flags: EmulatorFlags) => {
        const port = Number(flags.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          throw new CliUsageError('--port must be an integer from 0 to 65535');
        if (!LOOPBACK.has(flags.host))
          throw new CliUsageError('--host must be a loopback address (127.0.0.1, ::1 or localhost)');
        const args = ['--port', String(port), '--host', flags.host];
        if (flags.world !== undefined) args.push('--world', flags.world);
        if (flags.state !== undefined) args.push('--state', flags.state);
        if (flags.allowSha1 === true) args.push('--allow-sha1');
        const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
        const child = spawn(process.execPath, ['--import', tsx, EMULATOR_MAIN, ...args], {
          cwd: ctx.io.cwd,
          env: ctx.io.env as NodeJS.ProcessEnv,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        child.stdout.pipe(ctx.io.stdout, { end: false });
        child.stderr.pipe(ctx.io.stderr, { end: false });
        const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
        const onInt = forward('SIGINT');
        const onTerm = forward('SIGTERM');
        process.on('SIGINT', onInt);
        process.on('SIGTERM', onTerm);
        try {
          const code = await new Promise<number>((resolve, reject) => {
            child.once('error', reject);
            child.once('exit', (c, signal) => resolve(c ?? (signal ? 0 : 1)));
          });
          if (code !== 0) throw new Error(`the emulator exited with code ${code}`);
        } finally {
          process.off('SIGINT', onInt);
          process.off('SIGTERM', onTerm);
        }
      });
  },
};
