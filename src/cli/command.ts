/**
 * The CLI's extension point. A command file exports a CliCommand; src/cli/commands/index.ts lists them
 * (one line each). `register` adds a commander sub-command to `program`; its action uses `ctx` for
 * configuration, the store, output and secrets, and throws to fail:
 *   - CliUsageError → "keyway: <message>" and exit code 2 (bad flags or arguments);
 *   - DomainError   → "keyway: <message>" plus one line per problem, exit code 1;
 *   - anything else → "keyway: <message>", exit code 1.
 * Never call process.exit in a command: main closes the store and sets the exit code.
 */
import type { Command } from 'commander';
import type { Actor } from '../core/index.js';
import type { Store } from '../store/index.js';
import type { Env, ServerConfig } from '../server/index.js';

export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

export interface CliIo {
  readonly env: Env;
  readonly cwd: string;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

export interface CliContext {
  readonly io: CliIo;
  /** Who the audit log records for changes made by this command (kind 'cli', the OS user). */
  readonly actor: Actor;
  /** Configuration from KEYWAY_* (see keyway.defaults.env), loaded on first use. */
  config(): ServerConfig;
  /** The store at KEYWAY_DATABASE_URL, opened (and migrated) on first use and closed when the command ends. */
  store(options?: { readonly migrate?: boolean }): Promise<Store>;
  /** Writes one line to stdout. */
  out(line: string): void;
  /** Writes one line to stderr (progress, notices). */
  err(line: string): void;
  /**
   * A secret (password) from `--password-file <path>` ('-' = stdin), else from piped stdin, else from a
   * hidden prompt on a terminal. Never from argv, so it stays out of shell history and `ps`.
   */
  readSecret(options: { readonly file?: string; readonly prompt: string; readonly confirm?: boolean }): Promise<string>;
  /** The exit code when the command succeeds without throwing (e.g. 2 for `plan --detailed-exitcode` with changes). */
  setExitCode(code: number): void;
  /** Runs when the command ends (success or failure), before the store closes. */
  onCleanup(fn: () => Promise<void> | void): void;
}

export interface CliCommand {
  readonly name: string;
  register(program: Command, ctx: CliContext): void;
}

const withoutStore = new WeakSet<Command>();

/**
 * Marks a (sub-)command whose action never calls ctx.config() or ctx.store(): the CLI then does not load the
 * server and store modules for it, which take most of a cold start (`keyway aws credentials` runs on every
 * AWS CLI call). ctx.config() in such an action throws.
 */
export function runsWithoutStore(command: Command): Command {
  withoutStore.add(command);
  return command;
}

export const isWithoutStore = (command: Command): boolean => withoutStore.has(command);
