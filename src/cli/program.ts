/** Builds the `keyway` command from the registry and runs it, turning errors into one line and an exit code. */
import { userInfo } from 'node:os';
import { Command, CommanderError } from 'commander';
import { isDomainError } from '../core/index.js';
import type { Actor } from '../core/index.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/index.js';
import { ConfigError, loadConfig } from '../server/index.js';
import type { ServerConfig } from '../server/index.js';
import { CliUsageError } from './command.js';
import type { CliContext, CliIo } from './command.js';
import { commands } from './commands/index.js';
import { readSecret } from './secret-input.js';

export const exitCodes = { ok: 0, failure: 1, usage: 2 } as const;

const cliActor = (env: CliIo['env']): Actor => {
  let name = env.USER ?? env.USERNAME ?? 'unknown';
  try {
    name = userInfo().username;
  } catch {
    // No passwd entry (some containers): keep the environment's name.
  }
  return { kind: 'cli', id: name, label: `cli:${name}` };
};

const createContext = (io: CliIo): { ctx: CliContext; finish(): Promise<void> } => {
  let config: ServerConfig | undefined;
  let store: Promise<Store> | undefined;
  const cleanups: (() => Promise<void> | void)[] = [];
  const ctx: CliContext = {
    io,
    actor: cliActor(io.env),
    config: () => (config ??= loadConfig(io.env, { cwd: io.cwd })),
    store: (options) => (store ??= openStore(ctx.config().databaseUrl, { migrate: options?.migrate ?? true })),
    out: (line) => io.stdout.write(`${line}\n`),
    err: (line) => io.stderr.write(`${line}\n`),
    readSecret: (options) => readSecret(io, options),
    onCleanup: (fn) => cleanups.push(fn),
  };
  return {
    ctx,
    async finish() {
      for (const fn of cleanups.reverse()) await fn();
      if (store) await (await store.catch(() => undefined))?.close();
    },
  };
};

export const buildProgram = (ctx: CliContext): Command => {
  const program = new Command('keyway')
    .description('Keyway: self-hosted identity provider and access-control plane for AWS')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.io.stdout.write(s), writeErr: (s) => ctx.io.stderr.write(s) })
    .showSuggestionAfterError()
    .addHelpText('after', '\nSettings come from KEYWAY_* environment variables; see keyway.defaults.env.\nExit codes: 0 success, 1 failure, 2 usage error.');
  for (const c of commands) c.register(program, ctx);
  return program;
};

const describe = (e: unknown): { lines: string[]; code: number } => {
  if (e instanceof CliUsageError) return { lines: [e.message], code: exitCodes.usage };
  if (e instanceof ConfigError) return { lines: ['invalid configuration', ...e.problems.map((p) => `  ${p}`)], code: exitCodes.usage };
  if (isDomainError(e)) return { lines: [e.message, ...e.problems.map((p) => `  ${p.at}: ${p.message}`)], code: exitCodes.failure };
  return { lines: [e instanceof Error ? e.message : String(e)], code: exitCodes.failure };
};

/** Runs `keyway <argv>`; resolves to the exit code. Never calls process.exit. */
export const runCli = async (argv: readonly string[], io: CliIo): Promise<number> => {
  const { ctx, finish } = createContext(io);
  let code: number = exitCodes.ok;
  try {
    await buildProgram(ctx).parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) code = e.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    else {
      const d = describe(e);
      code = d.code;
      io.stderr.write(`keyway: ${d.lines.join('\n')}\n`);
    }
  } finally {
    try {
      await finish();
    } catch (e) {
      io.stderr.write(`keyway: ${describe(e).lines.join('\n')}\n`);
      code ||= exitCodes.failure;
    }
  }
  return code;
};
