/** Builds the `keyway` command from the registry and runs it, turning errors into one line and an exit code. */
import { userInfo } from 'node:os';
import { Command, CommanderError } from 'commander';
import type { Actor } from '../core/index.js';
import type { Store } from '../store/index.js';
import type { ServerConfig } from '../server/index.js';
import { CliUsageError, isWithoutStore } from './command.js';
import type { CliCommand, CliContext, CliIo } from './command.js';
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

type ServerModule = typeof import('../server/index.js');
/** Loaded before any action that may read the configuration (see runsWithoutStore). */
let serverModule: ServerModule | undefined;
const loadServer = async (): Promise<ServerModule> => (serverModule ??= await import('../server/index.js'));

const createContext = (io: CliIo): { ctx: CliContext; finish(): Promise<void>; exitCode(): number } => {
  let config: ServerConfig | undefined;
  let store: Promise<Store> | undefined;
  const cleanups: (() => Promise<void> | void)[] = [];
  let exitCode: number = exitCodes.ok;
  const ctx: CliContext = {
    io,
    actor: cliActor(io.env),
    config: () => {
      if (!serverModule)
        throw new Error('internal: this command is marked as running without the store but read the configuration');
      config ??= serverModule.loadConfig(io.env, { cwd: io.cwd });
      return config;
    },
    store: (options) =>
      (store ??= (async () => {
        await loadServer();
        const { openStore } = await import('../store/index.js');
        return openStore(ctx.config().databaseUrl, { migrate: options?.migrate ?? true });
      })()),
    out: (line) => io.stdout.write(`${line}\n`),
    err: (line) => io.stderr.write(`${line}\n`),
    readSecret: (options) => readSecret(io, options),
    onCleanup: (fn) => cleanups.push(fn),
    setExitCode: (code) => {
      exitCode = code;
    },
  };
  return {
    ctx,
    exitCode: () => exitCode,
    async finish() {
      for (const fn of cleanups.reverse()) await fn();
      if (store) await (await store.catch(() => undefined))?.close();
    },
  };
};

/**
 * Only the command being run is imported; `keyway`, `keyway --help`, `keyway help` and an unknown command
 * import them all, so the help lists every command with its description.
 */
async function commandsFor(argv: readonly string[]): Promise<CliCommand[]> {
  const words = argv.filter((a) => !a.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  const entry = commands.find((c) => c.name === name);
  return Promise.all((entry ? [entry] : commands).map((c) => c.load()));
}

export const buildProgram = async (ctx: CliContext, argv: readonly string[] = []): Promise<Command> => {
  const program = new Command('keyway')
    .description('Keyway: self-hosted identity provider and access-control plane for AWS')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.io.stdout.write(s), writeErr: (s) => ctx.io.stderr.write(s) })
    .showSuggestionAfterError()
    .addHelpText(
      'after',
      '\nSettings come from KEYWAY_* environment variables; see keyway.defaults.env.\nExit codes: 0 success, 1 failure, 2 usage error.',
    );
  for (const c of await commandsFor(argv)) c.register(program, ctx);
  program.hook('preAction', async (_program, action) => {
    if (!isWithoutStore(action)) await loadServer();
  });
  return program;
};

const describe = async (e: unknown): Promise<{ lines: string[]; code: number }> => {
  if (e instanceof CliUsageError) return { lines: [e.message], code: exitCodes.usage };
  if (serverModule && e instanceof serverModule.ConfigError)
    return { lines: ['invalid configuration', ...e.problems.map((p) => `  ${p}`)], code: exitCodes.usage };
  // The domain module is imported only to confirm an error that claims to be one (it is already loaded then).
  if (e instanceof Error && e.name === 'DomainError' && (await import('../core/index.js')).isDomainError(e))
    return { lines: [e.message, ...e.problems.map((p) => `  ${p.at}: ${p.message}`)], code: exitCodes.failure };
  return { lines: [e instanceof Error ? e.message : String(e)], code: exitCodes.failure };
};

/**
 * For an unknown command, the arguments without help flags (and without a leading `help`), so that commander
 * reports the unknown command (exit 2, with a suggestion) instead of printing the top-level help with exit 0.
 */
const withoutHelpForUnknownCommand = (argv: readonly string[]): readonly string[] => {
  const words = argv.filter((a) => !a.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  if (name === undefined || commands.some((c) => c.name === name)) return argv;
  const rest = argv.filter((a) => a !== '--help' && a !== '-h');
  return rest[0] === 'help' ? rest.slice(1) : rest;
};

/** Runs `keyway <argv>`; resolves to the exit code. Never calls process.exit. */
export const runCli = async (given: readonly string[], io: CliIo): Promise<number> => {
  const { ctx, finish, exitCode } = createContext(io);
  const argv = withoutHelpForUnknownCommand(given);
  let code: number = exitCodes.ok;
  try {
    await (await buildProgram(ctx, argv)).parseAsync([...argv], { from: 'user' });
    code = exitCode();
  } catch (e) {
    if (e instanceof CommanderError) code = e.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    else {
      const d = await describe(e);
      code = d.code;
      io.stderr.write(`keyway: ${d.lines.join('\n')}\n`);
    }
  } finally {
    try {
      await finish();
    } catch (e) {
      io.stderr.write(`keyway: ${(await describe(e)).lines.join('\n')}\n`);
      code ||= exitCodes.failure;
    }
  }
  return code;
};
