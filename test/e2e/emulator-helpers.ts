/** Shared set-up for the emulator's black-box tests: AWS CLI v2 environment and SDK client configuration. */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const AWS_CLI = '/usr/bin/aws';

/** Why CLI tests cannot run here, or undefined when they can. In CI a missing CLI is a failure, not a skip. */
export function cliSkipReason(): string | undefined {
  if (existsSync(AWS_CLI)) return undefined;
  if (process.env.CI === 'true') throw new Error(`${AWS_CLI} (AWS CLI v2) is required in CI`);
  return `${AWS_CLI} (AWS CLI v2, Debian awscli) is not installed`;
}

export interface KeyPair {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export function sdkConfig(endpoint: string, credentials: KeyPair) {
  return { endpoint, region: 'us-east-1', credentials, maxAttempts: 1 };
}

let scratch: string | undefined;
function scratchDir(): string {
  if (!scratch) {
    scratch = mkdtempSync(join(tmpdir(), 'keyway-emulator-cli-'));
    writeFileSync(join(scratch, 'config'), '');
    writeFileSync(join(scratch, 'credentials'), '');
  }
  return scratch;
}

/** The environment the CLI gets: isolated config files, no metadata lookups, no retries, no pager. */
export function cliEnv(credentials: KeyPair | undefined, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const dir = scratchDir();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: join(dir, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
    AWS_MAX_ATTEMPTS: '1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_PAGER: '',
    ...extra,
  };
  if (credentials) {
    env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
    if (credentials.sessionToken) env.AWS_SESSION_TOKEN = credentials.sessionToken;
  }
  return env;
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(AWS_CLI, [...args], { env, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The error code the AWS CLI prints: `An error occurred (Code) when calling …`. */
export function cliErrorCode(stderr: string): string | undefined {
  return /An error occurred \(([^)]+)\)/.exec(stderr)?.[1];
}
