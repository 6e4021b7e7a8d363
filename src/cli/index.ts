export { runCli, buildProgram, exitCodes } from './program.js';
export { CliUsageError } from './command.js';
export type { CliCommand, CliContext, CliIo } from './command.js';
