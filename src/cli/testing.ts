import { PassThrough } from 'node:stream';
import type { CliIo } from './command.js';
import { runCli } from './program.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Test support: the `keyway` program in-process with its output captured (fast; no child process). */
export const runCliCaptured = async (
  args: readonly string[],
  env: CliIo['env'],
  cwd: string,
  input = '',
): Promise<CliRun> => {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  stdin.end(input);
  const code = await runCli(args, { env, cwd, stdout, stderr, stdin });
  return { code, stdout: out, stderr: err };
};
