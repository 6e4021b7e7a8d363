/**
 * `tsx src/aws-emulator/main.ts [--port 4566] [--host 127.0.0.1] [--world <file>] [--state <file>] [--allow-sha1]`:
 * runs the emulator as its own process (the `keyway aws-emulator` command spawns this file).
 */
import { parseArgs } from 'node:util';
import { startEmulator } from './start.js';
import { serviceFactories } from './services.js';
import { WorldError } from './world/world.js';

const USAGE =
  'usage: aws-emulator [--port 4566] [--host 127.0.0.1] [--world <file.yaml|json>] [--state <file.sqlite>] [--allow-sha1]\n' +
  '                    [--scim-rate <requests/s, 0 = off; default 20>] [--admin-api-rate <requests/s, 0 = off; default off>]';

/** A rate flag: requests per second (burst the same), 0 turning the limit off. */
function rateFlag(value: string | undefined, name: string): { ratePerSecond: number; burst: number } | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(n)) {
    process.stderr.write(`--${name} must be a number of requests per second (0 turns the limit off)\n${USAGE}\n`);
    process.exit(2);
  }
  return { ratePerSecond: n, burst: Math.max(1, Math.ceil(n)) };
}

async function main(): Promise<void> {
  let values: {
    port?: string;
    host?: string;
    world?: string;
    state?: string;
    'allow-sha1'?: boolean;
    'scim-rate'?: string;
    'admin-api-rate'?: string;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string', default: '4566' },
        host: { type: 'string', default: '127.0.0.1' },
        world: { type: 'string' },
        state: { type: 'string' },
        'allow-sha1': { type: 'boolean', default: false },
        'scim-rate': { type: 'string' },
        'admin-api-rate': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port must be an integer 0-65535\n${USAGE}\n`);
    process.exit(2);
  }
  const scimRateLimit = rateFlag(values['scim-rate'], 'scim-rate');
  const adminApiRateLimit = rateFlag(values['admin-api-rate'], 'admin-api-rate');
  const emulator = await startEmulator({
    registrations: serviceFactories({
      ...(scimRateLimit ? { scimRateLimit } : {}),
      ...(adminApiRateLimit ? { adminApiRateLimit } : {}),
    }),
    port,
    host: values.host ?? '127.0.0.1',
    ...(values.world !== undefined ? { worldFile: values.world } : {}),
    ...(values.state !== undefined ? { statePath: values.state } : {}),
    allowSha1: values['allow-sha1'] === true,
  });
  const lines = [
    `Keyway AWS emulator listening on ${emulator.url}`,
    `  state: ${values.state ?? 'in memory'}`,
    `  SAML signatures: RSA-SHA256/512${values['allow-sha1'] === true ? ' and RSA-SHA1 (--allow-sha1)' : ' (RSA-SHA1 refused; --allow-sha1 accepts it)'}`,
    `  organization ${emulator.world.organizationId}, management account ${emulator.world.managementAccountId}, region ${emulator.world.region}`,
    '  EMULATOR-ONLY credentials (root of each account):',
    ...emulator.world.worldAccounts.map((a) => {
      const key = emulator.rootCredentials(a.id);
      return `    ${a.id}  ${a.name.padEnd(16)} AWS_ACCESS_KEY_ID=${key.accessKeyId} AWS_SECRET_ACCESS_KEY=${key.secretAccessKey}`;
    }),
    `  export AWS_ENDPOINT_URL=${emulator.url}`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
  const stop = (): void => {
    void emulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(e instanceof WorldError ? `${e.message}\n` : `aws-emulator: ${(e as Error).message}\n`);
  process.exit(1);
});
