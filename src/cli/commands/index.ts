/**
 * Every `keyway` sub-command, in help order. To add yours, create src/cli/commands/<name>.ts exporting a
 * CliCommand (see ../command.ts) and add one line here.
 */
import type { CliCommand } from '../command.js';
import { appsCommand } from './apps.js';
import { auditCommand } from './audit.js';
import { awsCommand } from './aws.js';
import { awsEmulatorCommand } from './aws-emulator.js';
import { exportCommand } from './export.js';
import { groupsCommand } from './groups.js';
import { importCommand } from './import.js';
import { keysCommand } from './keys.js';
import { migrateCommand } from './migrate.js';
import { serveCommand } from './serve.js';
import { tokensCommand } from './tokens.js';
import { usersCommand } from './users.js';

export const commands: readonly CliCommand[] = [
  serveCommand,
  migrateCommand,
  usersCommand,
  groupsCommand,
  importCommand,
  exportCommand,
  tokensCommand,
  appsCommand,
  keysCommand,
  auditCommand,
  awsCommand,
  awsEmulatorCommand,
];
