/**
 * Keyway's configuration: one typed schema with each setting's default and documentation side by side
 * (docs/contributing.md, habit 5). Values come from `KEYWAY_*` environment variables, optionally preceded by an
 * env-style
 * file named by KEYWAY_CONFIG_FILE (the environment wins). Settings marked `secret` may instead be read
 * from a file named by the same variable with `_FILE` appended (Docker/Kubernetes secrets).
 *
 * Every value, including the defaults, goes through the same parser, and all problems are reported at once
 * at start. `keyway.defaults.env` at the repository root is generated from this table
 * (`renderDefaultsFile`) and a test keeps the two in step.
 *
 * Other engineers: add a setting by adding one entry to `settings`; it becomes a typed field of ServerConfig.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hkdfSync, randomBytes } from 'node:crypto';
import { dirname, isAbsolute, resolve } from 'node:path';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
  }
}

interface Setting<T> {
  readonly env: string;
  /** Other variable names accepted when `env` is unset (e.g. PORT, the platform convention). */
  readonly aliases?: readonly string[];
  readonly group: string;
  readonly doc: string;
  /** Raw default, parsed like any user value; '' means "unset" and the parser decides what that implies. */
  readonly default: string;
  readonly secret?: boolean;
  readonly parse: (raw: string) => T;
}

const setting = <T>(s: Setting<T>): Setting<T> => s;

const int =
  (min: number, max: number) =>
  (raw: string): number => {
    if (!/^-?\d+$/.test(raw.trim())) throw new Error(`must be a whole number, got "${raw}"`);
    const n = Number(raw);
    if (n < min || n > max) throw new Error(`must be between ${min} and ${max}, got ${n}`);
    return n;
  };
const bool = (raw: string): boolean => {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new Error(`must be true or false, got "${raw}"`);
};
const oneOf =
  <const V extends string>(values: readonly V[]) =>
  (raw: string): V => {
    const v = raw.trim() as V;
    if (!values.includes(v)) throw new Error(`must be one of ${values.join(', ')}, got "${raw}"`);
    return v;
  };
const text = (raw: string): string => raw.trim();
const groupList = (raw: string): readonly string[] =>
  raw
    .split(',')
    .map((g) => g.trim())
    .filter((g) => g !== '');
const optionalUrl = (raw: string): URL | null => {
  if (raw.trim() === '') return null;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new Error(`must be an absolute http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`must use http or https, got ${url.protocol}`);
  if (url.search || url.hash) throw new Error('must not carry a query or fragment');
  return url;
};
const databaseUrl = (raw: string): string => {
  const v = raw.trim();
  if (v === '' || /^sqlite:/.test(v) || /^postgres(ql)?:\/\//.test(v)) return v;
  throw new Error('must be sqlite:<path> or postgres://…');
};
const masterKey = (raw: string): Buffer | null => {
  const v = raw.trim();
  if (v === '') return null;
  const key = /^[0-9a-fA-F]{64}$/.test(v) ? Buffer.from(v, 'hex') : Buffer.from(v, 'base64');
  if (key.length !== 32) throw new Error('must be 32 bytes, as 64 hex digits or base64 (openssl rand -base64 32)');
  return key;
};

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const settings = {
  host: setting({
    env: 'KEYWAY_HOST',
    group: 'HTTP',
    default: '127.0.0.1',
    parse: text,
    doc: 'Address the HTTP server listens on. Use 0.0.0.0 to accept connections from other machines (then put TLS in front).',
  }),
  port: setting({
    env: 'KEYWAY_PORT',
    aliases: ['PORT'],
    group: 'HTTP',
    default: '8080',
    parse: int(0, 65535),
    doc: 'TCP port. PORT is accepted too. 0 picks a free port.',
  }),
  baseUrl: setting({
    env: 'KEYWAY_BASE_URL',
    group: 'HTTP',
    default: '',
    parse: optionalUrl,
    doc: 'Public URL users and service providers reach Keyway at (used in links, SAML metadata and cookies). Empty: http://<host>:<port>. With https, cookies are marked Secure.',
  }),
  hstsMaxAgeSeconds: setting({
    env: 'KEYWAY_HSTS_MAX_AGE_SECONDS',
    group: 'HTTP',
    default: '31536000',
    parse: int(0, 2 * 31536000),
    doc: 'When KEYWAY_BASE_URL is https, every response carries Strict-Transport-Security with this max-age (RFC 6797); 0 tells browsers to forget it.',
  }),
  trustProxy: setting({
    env: 'KEYWAY_TRUST_PROXY',
    group: 'HTTP',
    default: 'false',
    parse: bool,
    doc: 'Trust X-Forwarded-For/-Proto from a reverse proxy, so per-IP lockout sees the client address. Only enable behind a proxy you run.',
  }),
  bodyLimitBytes: setting({
    env: 'KEYWAY_BODY_LIMIT_BYTES',
    group: 'HTTP',
    default: '1048576',
    parse: int(1024, 64 * 1024 * 1024),
    doc: 'Largest request body accepted; bigger bodies get 413 before parsing.',
  }),

  dataDir: setting({
    env: 'KEYWAY_DATA_DIR',
    group: 'Storage',
    default: '.keyway',
    parse: text,
    doc: 'Folder for the embedded SQLite database and the generated development master key.',
  }),
  databaseUrl: setting({
    env: 'KEYWAY_DATABASE_URL',
    group: 'Storage',
    default: '',
    secret: true,
    parse: databaseUrl,
    doc: 'sqlite:<path> or postgres://user:pass@host:5432/db. Empty: a SQLite file in KEYWAY_DATA_DIR.',
  }),

  masterKey: setting({
    env: 'KEYWAY_MASTER_KEY',
    group: 'Secrets',
    default: '',
    secret: true,
    parse: masterKey,
    doc: '32-byte key (hex or base64) that encrypts private keys at rest and signs CSRF cookies. Every node needs the same one. Empty: a random key is generated once into KEYWAY_DATA_DIR/master.key (development only; a warning is logged).',
  }),

  sessionIdleMinutes: setting({
    env: 'KEYWAY_SESSION_IDLE_MINUTES',
    group: 'Sessions',
    default: '60',
    parse: int(1, 7 * 24 * 60),
    doc: 'A session ends after this long without a request.',
  }),
  sessionMaxHours: setting({
    env: 'KEYWAY_SESSION_MAX_HOURS',
    group: 'Sessions',
    default: '12',
    parse: int(1, 24 * 30),
    doc: 'A session ends this long after sign-in, however active.',
  }),

  lockoutWindowMinutes: setting({
    env: 'KEYWAY_LOCKOUT_WINDOW_MINUTES',
    group: 'Sign-in lockout',
    default: '15',
    parse: int(1, 24 * 60),
    doc: 'Failed sign-ins are counted within this window.',
  }),
  lockoutBackoffAfter: setting({
    env: 'KEYWAY_LOCKOUT_BACKOFF_AFTER',
    group: 'Sign-in lockout',
    default: '5',
    parse: int(1, 1000),
    doc: 'From this many failures for one userName, each further attempt must wait (1s, 2s, 4s … capped).',
  }),
  lockoutBackoffMaxSeconds: setting({
    env: 'KEYWAY_LOCKOUT_BACKOFF_MAX_SECONDS',
    group: 'Sign-in lockout',
    default: '60',
    parse: int(1, 3600),
    doc: 'Longest back-off between attempts before the lock.',
  }),
  lockoutUserLockAfter: setting({
    env: 'KEYWAY_LOCKOUT_USER_LOCK_AFTER',
    group: 'Sign-in lockout',
    default: '10',
    parse: int(1, 1000),
    doc: 'This many failures for one userName within the window lock it.',
  }),
  lockoutIpBackoffAfter: setting({
    env: 'KEYWAY_LOCKOUT_IP_BACKOFF_AFTER',
    group: 'Sign-in lockout',
    default: '20',
    parse: int(1, 100000),
    doc: 'Back-off threshold for one client IP address (across all userNames).',
  }),
  lockoutIpLockAfter: setting({
    env: 'KEYWAY_LOCKOUT_IP_LOCK_AFTER',
    group: 'Sign-in lockout',
    default: '50',
    parse: int(1, 100000),
    doc: 'This many failures from one IP address within the window lock that address.',
  }),
  lockoutDurationMinutes: setting({
    env: 'KEYWAY_LOCKOUT_DURATION_MINUTES',
    group: 'Sign-in lockout',
    default: '15',
    parse: int(1, 24 * 60),
    doc: 'How long a lock lasts.',
  }),

  samlKeyBits: setting({
    env: 'KEYWAY_SAML_KEY_BITS',
    group: 'SAML',
    default: '2048',
    parse: (raw) => Number(oneOf(['2048', '3072', '4096'] as const)(raw)) as 2048 | 3072 | 4096,
    doc: 'RSA size of new SAML signing keys (first start and `keyway keys rotate`). 2048 signs about 7x faster than 3072 and is what AWS and most SPs expect.',
  }),
  samlClockSkewSeconds: setting({
    env: 'KEYWAY_SAML_CLOCK_SKEW_SECONDS',
    group: 'SAML',
    default: '60',
    parse: int(0, 600),
    doc: 'Clock difference tolerated with service providers: AuthnRequest IssueInstant checks and the NotBefore of issued assertions.',
  }),

  workers: setting({
    env: 'KEYWAY_WORKERS',
    group: 'HTTP',
    default: '0',
    parse: int(0, 256),
    doc: '`keyway serve` processes sharing the port: 0 = one per core (the default), 1 = a single process. Each signs SAML and hashes passwords on its own core; state is in the database.',
  }),
  auditRetentionDays: setting({
    env: 'KEYWAY_AUDIT_RETENTION_DAYS',
    group: 'Storage',
    default: '400',
    parse: int(1, 100 * 366),
    doc: 'Audit events older than this are removed (hourly by `keyway serve`, or `keyway db prune`).',
  }),
  auditExportDir: setting({
    env: 'KEYWAY_AUDIT_EXPORT_DIR',
    group: 'Storage',
    default: '',
    parse: text,
    doc: 'When set, `keyway serve` appends audit events to audit-<date>.jsonl files in this directory before it removes them (one JSON object per line). Empty: removed events are not kept.',
  }),
  outboxRetentionDays: setting({
    env: 'KEYWAY_OUTBOX_RETENTION_DAYS',
    group: 'Storage',
    default: '7',
    parse: int(0, 3650),
    doc: 'Outbox change events marked done (delivered) are removed after this many days (hourly by `keyway serve`, or `keyway db prune`).',
  }),
  adminGroups: setting({
    env: 'KEYWAY_ADMIN_GROUPS',
    group: 'Administration',
    default: 'Keyway Admins',
    parse: groupList,
    doc: 'Comma-separated group names whose members (directly or through nested groups) administer Keyway in the admin console at /admin and through the admin API with their browser session.',
  }),
  auditorGroups: setting({
    env: 'KEYWAY_AUDITOR_GROUPS',
    group: 'Administration',
    default: 'Keyway Auditors',
    parse: groupList,
    doc: 'Comma-separated group names whose members may read everything in the admin console and admin API, and change nothing.',
  }),

  logLevel: setting({
    env: 'KEYWAY_LOG_LEVEL',
    group: 'Operations',
    default: 'info',
    parse: oneOf(logLevels),
    doc: `JSON log level: ${logLevels.join(', ')}.`,
  }),
  metricsEnabled: setting({
    env: 'KEYWAY_METRICS',
    group: 'Operations',
    default: 'true',
    parse: bool,
    doc: 'Serve Prometheus metrics at /metrics: on the management listener (KEYWAY_MANAGEMENT_PORT) without a token, and on the main listener only to requests that carry KEYWAY_METRICS_TOKEN as a bearer token.',
  }),
  metricsToken: setting({
    env: 'KEYWAY_METRICS_TOKEN',
    group: 'Operations',
    default: '',
    secret: true,
    parse: (raw) => {
      const v = raw.trim();
      if (v !== '' && v.length < 32) throw new Error('must be at least 32 characters (openssl rand -hex 32)');
      return v === '' ? null : v;
    },
    doc: 'Bearer token a scraper sends for /metrics on the main listener (Authorization: Bearer <token>). Empty: the main listener does not serve /metrics.',
  }),
  managementPort: setting({
    env: 'KEYWAY_MANAGEMENT_PORT',
    group: 'Operations',
    default: '',
    parse: (raw) => (raw.trim() === '' ? null : int(0, 65535)(raw)),
    doc: "Port of a separate management listener serving /metrics, /healthz and /readyz only, without a token (like Keycloak's management interface). Empty: no management listener.",
  }),
  managementHost: setting({
    env: 'KEYWAY_MANAGEMENT_HOST',
    group: 'Operations',
    default: '127.0.0.1',
    parse: text,
    doc: 'Address the management listener binds to. Keep it on loopback or a network only operators reach.',
  }),
} as const;

type Settings = typeof settings;
type Parsed = { readonly [K in keyof Settings]: ReturnType<Settings[K]['parse']> };

export interface ServerConfig extends Omit<Parsed, 'baseUrl' | 'databaseUrl' | 'masterKey'> {
  /** Always set: the configured URL, or http://host:port; no trailing slash. */
  readonly baseUrl: string;
  /** False when baseUrl was derived from host and port (startServer then fills in the port chosen for port 0). */
  readonly baseUrlConfigured: boolean;
  readonly databaseUrl: string;
  readonly masterKey: Buffer;
  /** True when the base URL is https: cookies get Secure and the __Host- prefix. */
  readonly secureCookies: boolean;
  /** Insecure development defaults in effect; logged loudly at start. */
  readonly warnings: readonly string[];
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Reads `KEY=value` lines; `#` comments and blank lines ignored; values may be quoted. */
export const parseEnvFile = (source: string): Record<string, string> => {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [i, line] of source.split(/\r?\n/).entries()) {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Z_][A-Z0-9_]*)\s*=\s*(.*)$/.exec(t);
    if (!m) throw new ConfigError([`line ${i + 1}: expected KEY=value`]);
    let value = m[2] ?? '';
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1);
    out[m[1] as string] = value;
  }
  return out;
};

export interface LoadOptions {
  /** Folder relative paths resolve against; defaults to process.cwd(). */
  readonly cwd?: string;
  /** Generate a development master key file when none is configured (default true). */
  readonly generateMasterKey?: boolean;
}

const readSecretFile = (path: string, cwd: string): string =>
  readFileSync(resolve(cwd, path), 'utf8').replace(/\r?\n$/, '');

export const loadConfig = (env: Env = process.env, options: LoadOptions = {}): ServerConfig => {
  const cwd = options.cwd ?? process.cwd();
  const problems: string[] = [];
  let fileValues: Record<string, string> = {};
  const configFile = env.KEYWAY_CONFIG_FILE;
  if (configFile) {
    try {
      fileValues = parseEnvFile(readFileSync(resolve(cwd, configFile), 'utf8'));
    } catch (e) {
      problems.push(
        `KEYWAY_CONFIG_FILE ${configFile}: ${e instanceof ConfigError ? e.problems.join('; ') : (e as Error).message}`,
      );
    }
  }
  const lookup = (name: string): string | undefined => env[name] ?? fileValues[name];

  const parsed: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(settings) as [string, Setting<unknown>][]) {
    let raw: string | undefined;
    let source = s.env;
    for (const name of [s.env, ...(s.aliases ?? [])]) {
      raw = lookup(name);
      if (raw !== undefined) {
        source = name;
        break;
      }
    }
    const fileVar = `${s.env}_FILE`;
    const filePath = s.secret ? lookup(fileVar) : undefined;
    if (raw !== undefined && filePath) problems.push(`${s.env} and ${fileVar} are both set; use one`);
    if (raw === undefined && filePath) {
      try {
        raw = readSecretFile(filePath, cwd);
        source = fileVar;
      } catch (e) {
        problems.push(
          `${fileVar}: cannot read ${filePath} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
        );
        continue;
      }
    }
    try {
      parsed[key] = s.parse(raw ?? s.default);
    } catch (e) {
      // Secrets are never echoed: a parse error message may contain the value.
      problems.push(s.secret ? `${source}: invalid value` : `${source}: ${(e as Error).message}`);
    }
  }
  if (problems.length) throw new ConfigError(problems);

  const p = parsed as unknown as Parsed;
  const warnings: string[] = [];
  const dataDir = isAbsolute(p.dataDir) ? p.dataDir : resolve(cwd, p.dataDir);
  const baseUrl = (p.baseUrl?.href ?? `http://${p.host.includes(':') ? `[${p.host}]` : p.host}:${p.port}/`).replace(
    /\/$/,
    '',
  );
  const databaseUrl = p.databaseUrl || `sqlite:${resolve(dataDir, 'keyway.db')}`;

  let key = p.masterKey;
  if (!key) {
    const keyFile = resolve(dataDir, 'master.key');
    if (existsSync(keyFile)) key = masterKey(readFileSync(keyFile, 'utf8'));
    else if (options.generateMasterKey === false)
      throw new ConfigError(['KEYWAY_MASTER_KEY or KEYWAY_MASTER_KEY_FILE must be set']);
    else {
      key = randomBytes(32);
      mkdirSync(dirname(keyFile), { recursive: true, mode: 0o700 });
      writeFileSync(keyFile, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    }
    if (!key) throw new ConfigError([`${keyFile}: not a valid master key`]);
    warnings.push(
      `INSECURE: no KEYWAY_MASTER_KEY set; using the development key in ${keyFile}. Set KEYWAY_MASTER_KEY or KEYWAY_MASTER_KEY_FILE in production.`,
    );
  }
  const secureCookies = baseUrl.startsWith('https:');
  const loopback = ['127.0.0.1', '::1', 'localhost'];
  if (!secureCookies && !loopback.includes(new URL(baseUrl).hostname)) {
    warnings.push(
      `INSECURE: KEYWAY_BASE_URL ${baseUrl} is plain http on a non-loopback address; session cookies travel unencrypted. Serve Keyway over https.`,
    );
  }
  if (!loopback.includes(p.host) && !secureCookies)
    warnings.push(`INSECURE: listening on ${p.host} without an https KEYWAY_BASE_URL.`);

  return {
    ...p,
    dataDir,
    baseUrl,
    baseUrlConfigured: p.baseUrl !== null,
    databaseUrl,
    masterKey: key,
    secureCookies,
    warnings,
  };
};

/** Independent keys for each purpose from the one master key (RFC 5869 HKDF-SHA256). */
export const deriveKey = (config: Pick<ServerConfig, 'masterKey'>, purpose: string): Buffer =>
  Buffer.from(hkdfSync('sha256', config.masterKey, Buffer.alloc(0), `keyway:${purpose}`, 32));

/** The annotated defaults file: every setting, its documentation and its default, grouped. */
export const renderDefaultsFile = (): string => {
  const lines = [
    '# Keyway settings with their defaults. Generated from src/server/config.ts (renderDefaultsFile); do not edit by hand.',
    '# Set them as environment variables, or copy this file, edit it and point KEYWAY_CONFIG_FILE at it.',
    '# Settings marked "secret" can be read from a file instead: set <NAME>_FILE to its path.',
  ];
  let group = '';
  for (const s of Object.values(settings) as Setting<unknown>[]) {
    if (s.group !== group) {
      group = s.group;
      lines.push('', `## ${group}`);
    }
    lines.push(
      '',
      ...wrap(
        `${s.doc}${s.secret ? ' (secret)' : ''}${s.aliases?.length ? ` Also read from: ${s.aliases.join(', ')}.` : ''}`,
      ).map((l) => `# ${l}`),
      `${s.env}=${s.default}`,
    );
  }
  return `${lines.join('\n')}\n`;
};

const wrap = (textValue: string, width = 100): string[] => {
  const out: string[] = [];
  let line = '';
  for (const word of textValue.split(' ')) {
    if (line && line.length + word.length + 1 > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
};
