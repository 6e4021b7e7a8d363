/**
 * Every `keyway` sub-command, in help order. To add yours, create src/cli/commands/<name>.ts exporting a
 * CliCommand (see ../command.ts) and add one line here. Commands are imported only when run (or for the full
 * help): `keyway aws credentials` runs on every AWS CLI call, so it must not load the server or the store.
 */
import type { CliCommand } from '../command.js';

export interface CommandEntry {
  /** The command's name, as typed; its module's CliCommand has the same name. */
  readonly name: string;
  load(): Promise<CliCommand>;
}

export const commands: readonly CommandEntry[] = [
  { name: 'serve', load: async () => (await import('./serve.js')).serveCommand },
  { name: 'migrate', load: async () => (await import('./migrate.js')).migrateCommand },
  { name: 'users', load: async () => (await import('./users.js')).usersCommand },
  { name: 'groups', load: async () => (await import('./groups.js')).groupsCommand },
  { name: 'import', load: async () => (await import('./import.js')).importCommand },
  { name: 'export', load: async () => (await import('./export.js')).exportCommand },
  { name: 'tokens', load: async () => (await import('./tokens.js')).tokensCommand },
  { name: 'apps', load: async () => (await import('./apps.js')).appsCommand },
  { name: 'keys', load: async () => (await import('./keys.js')).keysCommand },
  { name: 'audit', load: async () => (await import('./audit.js')).auditCommand },
  { name: 'db', load: async () => (await import('./db.js')).dbCommand },
  { name: 'backup', load: async () => (await import('./backup.js')).backupCommand },
  { name: 'restore', load: async () => (await import('./backup.js')).restoreCommand },
  { name: 'aws', load: async () => (await import('./aws.js')).awsCommand },
  { name: 'access', load: async () => (await import('./access.js')).accessCommand },
  { name: 'aws-emulator', load: async () => (await import('./aws-emulator.js')).awsEmulatorCommand },
];
