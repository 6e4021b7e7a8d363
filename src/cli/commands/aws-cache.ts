/**
 * The CLI's private cache for `keyway aws credentials`: the Keyway sign-in token and AWS session credentials,
 * in one file sealed with AES-256-GCM, so no secret is on disk in clear text. The key comes from
 * KEYWAY_CLI_CACHE_KEY (64 hex digits; then nothing on disk can open the cache) or else from a random key file
 * created once with mode 0600 beside the cache. Files are written atomically (temp file + rename).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Env } from '../../server/index.js';
import { CliUsageError } from '../command.js';

export interface CachedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** ISO-8601. */
  readonly expiration: string;
  readonly assumedRoleArn: string;
}

export interface CachedSignIn {
  readonly token: string;
  readonly userName: string;
  readonly expiresAt: string;
  /** `<accountId>/<roleName lower-case>` → credentials. */
  readonly credentials: Readonly<Record<string, CachedCredentials>>;
}

export interface CacheDocument {
  readonly version: 1;
  /** Keyway base URL → sign-in. */
  readonly signIns: Readonly<Record<string, CachedSignIn>>;
  /**
   * `<base URL> <user name, lower-case>` → this installation's device token from its last sign-in as that user.
   * Kept across sign-outs: it is what lets this installation sign in while others' failures lock the user name.
   */
  readonly devices?: Readonly<Record<string, string>>;
}

const EMPTY: CacheDocument = { version: 1, signIns: {} };
const FORMAT = 'kwcache1';

export const cacheDir = (env: Env): string => env.KEYWAY_CLI_HOME ?? join(env.HOME ?? homedir(), '.keyway');

function keyFrom(env: Env, dir: string): Buffer {
  const given = env.KEYWAY_CLI_CACHE_KEY;
  if (given !== undefined) {
    if (!/^[0-9a-fA-F]{64}$/.test(given))
      throw new CliUsageError('KEYWAY_CLI_CACHE_KEY must be 64 hex digits (32 bytes)');
    return Buffer.from(given, 'hex');
  }
  const path = join(dir, 'cli-cache.key');
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(path, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  }
  const hex = readFileSync(path, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/.test(hex))
    throw new CliUsageError(`${path} is not a Keyway cache key; delete it to start afresh`);
  return Buffer.from(hex, 'hex');
}

export class CredentialCache {
  private readonly file: string;
  private readonly key: Buffer;

  constructor(env: Env) {
    const dir = cacheDir(env);
    this.key = keyFrom(env, dir);
    this.file = join(dir, 'aws-credentials.cache');
  }

  /** An unreadable cache (other key, corrupt) is treated as empty: it only holds things that can be fetched again. */
  read(): CacheDocument {
    if (!existsSync(this.file)) return EMPTY;
    try {
      const [format, iv, tag, data] = readFileSync(this.file, 'utf8').trim().split('.');
      if (format !== FORMAT || !iv || !tag || !data) return EMPTY;
      const d = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      d.setAuthTag(Buffer.from(tag, 'base64url'));
      d.setAAD(Buffer.from(FORMAT));
      const doc = JSON.parse(
        Buffer.concat([d.update(Buffer.from(data, 'base64url')), d.final()]).toString('utf8'),
      ) as CacheDocument;
      return doc.version === 1 && typeof doc.signIns === 'object' ? doc : EMPTY;
    } catch {
      return EMPTY;
    }
  }

  write(doc: CacheDocument): void {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    c.setAAD(Buffer.from(FORMAT));
    const data = Buffer.concat([c.update(JSON.stringify(doc), 'utf8'), c.final()]);
    const text = [
      FORMAT,
      iv.toString('base64url'),
      c.getAuthTag().toString('base64url'),
      data.toString('base64url'),
    ].join('.');
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, text, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.file);
  }

  update(fn: (doc: CacheDocument) => CacheDocument): void {
    this.write(fn(this.read()));
  }

  clear(): void {
    rmSync(this.file, { force: true });
  }
}
