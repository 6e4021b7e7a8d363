/**
 * keyway aws configure — one AWS CLI profile per role the signed-in user reaches, each with a credential_process
 * calling `keyway aws credentials`, written into a marked block of ~/.aws/config. Idempotent: the block is
 * replaced as a whole, everything outside it is left alone; --diff shows the change without writing.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { CliUsageError, runsWithoutStore, type CliContext } from '../command.js';
import { CredentialCache } from './aws-cache.js';
import type { RoleAnswer } from './aws-credentials.js';
import { stsEndpoint } from './aws-credentials.js';
import { callKeyway, keywayUrl } from './aws-http.js';

export const BLOCK_BEGIN = '# >>> keyway aws configure: managed profiles (changes inside this block are replaced) >>>';
export const BLOCK_END = '# <<< keyway aws configure <<<';

const shellQuote = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The command that runs this very Keyway: node + bin/keyway.js, unless --command says otherwise. */
const defaultCommand = (): string =>
  `${shellQuote(process.execPath)} ${shellQuote(fileURLToPath(new URL('../../../bin/keyway.js', import.meta.url)))}`;

export const profileName = (prefix: string, r: Pick<RoleAnswer, 'accountId' | 'accountName' | 'roleName'>): string =>
  `${prefix}${(r.accountName ?? r.accountId).toLowerCase()}-${r.roleName.toLowerCase()}`.replace(
    /[^a-z0-9_.+=@-]+/g,
    '-',
  );

export interface BlockOptions {
  readonly command: string;
  readonly prefix: string;
  readonly region: string;
  readonly keywayUrl: string;
  readonly stsEndpoint?: string;
}

export function renderBlock(roles: readonly RoleAnswer[], o: BlockOptions): string {
  const lines = [BLOCK_BEGIN];
  const sorted = [...roles].sort((a, b) => profileName(o.prefix, a).localeCompare(profileName(o.prefix, b)));
  for (const r of sorted) {
    const args = [
      'aws',
      'credentials',
      '--account',
      r.accountId,
      '--role',
      r.roleName,
      '--keyway-url',
      o.keywayUrl,
      ...(o.stsEndpoint ? ['--sts-endpoint-url', o.stsEndpoint] : []),
    ];
    lines.push(
      `[profile ${profileName(o.prefix, r)}]`,
      `# ${r.roleArn}`,
      `credential_process = ${o.command} ${args.map(shellQuote).join(' ')}`,
      `region = ${o.region}`,
      '',
    );
  }
  lines.push(BLOCK_END);
  return lines.join('\n');
}

/** The file with the managed block replaced (or appended); text outside the block is kept byte for byte. */
export function replaceBlock(current: string, block: string): string {
  const start = current.indexOf(BLOCK_BEGIN);
  const end = current.indexOf(BLOCK_END);
  if (start !== -1 && end > start) return current.slice(0, start) + block + current.slice(end + BLOCK_END.length);
  if (start !== -1 || end !== -1)
    throw new CliUsageError(
      'the keyway block in the AWS config file is damaged (only one marker found); fix or remove it by hand',
    );
  const sep = current.length === 0 ? '' : current.endsWith('\n\n') ? '' : current.endsWith('\n') ? '\n' : '\n\n';
  return `${current}${sep}${block}\n`;
}

/** A line diff good enough for a config file: unchanged context is skipped, removed `-`, added `+`. */
export function lineDiff(before: string, after: string): string[] {
  // An empty file has no lines; splitting it would give one empty line that matches a blank line of the block.
  const a = before === '' ? [] : before.split('\n');
  const b = after.split('\n');
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    const nextInB = i < a.length ? b.indexOf(a[i]!, j) : -1;
    const nextInA = j < b.length ? a.indexOf(b[j]!, i) : -1;
    if (j < b.length && (nextInA === -1 || (nextInB !== -1 && nextInB - j <= nextInA - i))) {
      if (nextInB !== -1 && i < a.length) {
        while (j < nextInB) out.push(`+ ${b[j++]}`);
      } else out.push(`+ ${b[j++]}`);
    } else if (i < a.length) out.push(`- ${a[i++]}`);
  }
  return out;
}

export function registerAwsConfigure(aws: Command, ctx: CliContext): void {
  runsWithoutStore(aws.command('configure'))
    .description('write one AWS CLI profile per role you can reach into ~/.aws/config (marked block, idempotent)')
    .option('--diff', 'show what would change and write nothing')
    .option('--config-file <path>', 'AWS config file (default AWS_CONFIG_FILE or ~/.aws/config)')
    .option('--prefix <prefix>', 'profile name prefix', 'keyway-')
    .option('--region <region>', 'region for the profiles', undefined)
    .option(
      '--sts-endpoint-url <url>',
      'STS endpoint to put into the profiles (default AWS_ENDPOINT_URL_STS or AWS_ENDPOINT_URL)',
    )
    .option('--command <cmd>', 'how profiles call keyway (default: this node and bin/keyway.js)')
    .option('--keyway-url <url>', 'Keyway base URL (default KEYWAY_URL)')
    .action(
      async (o: {
        diff?: boolean;
        configFile?: string;
        prefix: string;
        region?: string;
        stsEndpointUrl?: string;
        command?: string;
        keywayUrl?: string;
      }) => {
        const env = ctx.io.env;
        const base = keywayUrl(env, o.keywayUrl);
        const signIn = new CredentialCache(env).read().signIns[base];
        if (!signIn || Date.parse(signIn.expiresAt) <= Date.now())
          throw new Error(`not signed in to Keyway at ${base}; run: keyway aws login`);
        const { roles } = await callKeyway<{ roles: RoleAnswer[] }>(base, '/aws/cli/roles', {
          method: 'GET',
          token: signIn.token,
        });
        const sts = stsEndpoint(env, o.stsEndpointUrl);
        const block = renderBlock(roles, {
          command: o.command ?? defaultCommand(),
          prefix: o.prefix,
          region: o.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
          keywayUrl: base,
          ...(sts ? { stsEndpoint: sts } : {}),
        });
        const file = resolve(
          ctx.io.cwd,
          o.configFile ?? env.AWS_CONFIG_FILE ?? join(env.HOME ?? homedir(), '.aws', 'config'),
        );
        const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
        const next = replaceBlock(current, block);
        if (next === current)
          return ctx.err(`${file}: already up to date (${roles.length} profile${roles.length === 1 ? '' : 's'})`);
        if (o.diff) {
          for (const l of lineDiff(current, next)) ctx.out(l);
          return;
        }
        mkdirSync(dirname(file), { recursive: true });
        const tmp = `${file}.keyway.tmp`;
        writeFileSync(tmp, next, { mode: 0o600 });
        renameSync(tmp, file);
        ctx.err(
          `${file}: wrote ${roles.length} profile${roles.length === 1 ? '' : 's'}: ${[...roles]
            .map((r) => profileName(o.prefix, r))
            .sort()
            .join(', ')}`,
        );
      },
    );
}
