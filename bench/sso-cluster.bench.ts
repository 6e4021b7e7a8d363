/**
 * IdP-initiated SSO over HTTP for a signed-in user (Response and Assertion signed, RSA-2048) against `keyway serve`
 * with one worker process and with one per core, at 1, 2 and 4 concurrent clients. Each rate is reported as a
 * share of the machine's RSA signing limit measured in the same run: raw RSA-SHA256 signatures per CPU-second of
 * one core × the cores, halved because every response carries two signatures (aim ≥ 0.5 at four clients).
 * The clients run in their own process (bench/sso-client.ts) and share the cores with the server, as a load
 * balancer's traffic would not; on a loaded machine every figure is depressed, the shares less than the rates.
 * SimpleSAMLphp, when installed (Debian simplesamlphp + php8.2-xml under Apache), is the outside reference; it is
 * reported as skipped otherwise.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { newSessionSecrets } from '../src/auth/index.js';
import { systemActor } from '../src/core/index.js';
import { createSamlRuntimeFrom, loadConfig } from '../src/server/index.js';
import { openStore } from '../src/store/index.js';
import { median, perCpuSecond } from './measure.js';
import type { BenchFigure, BenchModule } from './run.js';

const CLIENTS = [1, 2, 4] as const;
const ROUNDS = 3;
const PER_ROUND = 300;
const WARM_UP = 600;
const MASTER_KEY = '55'.repeat(32);

interface Lines {
  next(): Promise<string>;
}
const linesOf = (stream: NodeJS.ReadableStream): Lines => {
  const it = createInterface({ input: stream })[Symbol.asyncIterator]();
  return {
    async next() {
      const r = await it.next();
      if (r.done) throw new Error('the process ended early');
      return r.value;
    },
  };
};

/** Starts `keyway serve` with `workers` processes; resolves with its URL once every worker listens. */
const serve = (env: Record<string, string>, workers: number): Promise<{ url: string; child: ChildProcess }> => {
  const bin = fileURLToPath(new URL('../bin/keyway.js', import.meta.url));
  const child = spawn(process.execPath, [bin, 'serve'], {
    env: { ...process.env, ...env, KEYWAY_WORKERS: String(workers), KEYWAY_PORT: '0' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
      if (m) resolve({ url: m[1]!, child });
    });
    child.once('exit', (code) => reject(new Error(`keyway serve exited (${code}): ${stderr}`)));
  });
};

const stopServer = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });

/** SSOs per second at `concurrency` clients: the median of short rounds after a warm-up. */
const ssoRate = async (url: string, path: string, cookie: string, concurrency: number): Promise<number> => {
  const script = fileURLToPath(new URL('./sso-client.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, url, path, cookie, String(concurrency)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  try {
    const lines = linesOf(child.stdout!);
    if ((await lines.next()) !== 'ready') throw new Error('the SSO client did not start');
    const run = async (n: number) => {
      child.stdin!.write(`run ${n}\n`);
      const m = /^done ([\d.e-]+)$/.exec(await lines.next());
      if (!m) throw new Error('unexpected answer from the SSO client');
      return n / Number(m[1]);
    };
    await run(WARM_UP);
    const rates: number[] = [];
    for (let i = 0; i < ROUNDS; i++) rates.push(await run(PER_ROUND));
    return median(rates);
  } finally {
    child.stdin!.end();
    child.kill();
  }
};

const bench: BenchModule = {
  name: 'HTTP SSO on every core vs the machine RSA signing limit',
  async run() {
    const cores = availableParallelism();
    const dir = mkdtempSync(join(tmpdir(), 'keyway-bench-sso-'));
    const env = {
      KEYWAY_LOG_LEVEL: 'silent',
      KEYWAY_MASTER_KEY: MASTER_KEY,
      KEYWAY_DATABASE_URL: `sqlite:${join(dir, 'keyway.db')}`,
      KEYWAY_SESSION_IDLE_MINUTES: '600',
    };
    const config = loadConfig(env, { cwd: dir });
    const store = await openStore(config.databaseUrl);
    let path: string;
    let cookie: string;
    try {
      const rt = createSamlRuntimeFrom({ config, store });
      const actor = systemActor('bench');
      const user = await store.directory.createUser(actor, {
        userName: 'alice',
        displayName: 'Alice Example',
        emails: [{ value: 'alice@example.com', primary: true }],
      });
      const group = await store.directory.createGroup(actor, { displayName: 'wiki-users' });
      await store.directory.addMember(actor, group.id, { kind: 'user', id: user.id });
      const app = await rt.apps.create(actor, {
        name: 'Wiki',
        entityId: 'https://sp.bench.test/metadata',
        acs: [{ url: 'https://sp.bench.test/acs' }],
        allowedGroupIds: [group.id],
        signResponse: true,
        signAssertion: true,
      });
      await rt.signingCredential();
      const { id, idHash, csrfSecret } = newSessionSecrets();
      const now = new Date();
      await store.sessions.create({
        idHash,
        userId: user.id,
        createdAt: now.toISOString(),
        lastSeenAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + 8 * 3_600_000).toISOString(),
        authMethods: ['pwd'],
        csrfSecret,
        data: {},
      });
      path = `/saml/apps/${app.id}/start`;
      cookie = `keyway_session=${id}`;
    } finally {
      await store.close();
    }

    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const signedInfo = Buffer.alloc(620, 0x61);
    const rsaPerCore: number[] = [];
    const measureRsa = async () =>
      rsaPerCore.push(await perCpuSecond(() => sign('sha256', signedInfo, privateKey), 400, 50_000));
    await measureRsa();

    const figures: BenchFigure[] = [];
    const byWorkers = new Map<number, Map<number, number>>();
    try {
      for (const workers of [...new Set([1, cores])]) {
        const { url, child } = await serve(env, workers);
        try {
          const rates = new Map<number, number>();
          for (const c of CLIENTS) rates.set(c, await ssoRate(url, path, cookie, c));
          byWorkers.set(workers, rates);
        } finally {
          await stopServer(child);
        }
        await measureRsa();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const rsa = median(rsaPerCore);
    const limit = (rsa * cores) / 2;
    figures.push({ label: `raw RSA-2048 signatures per core`, value: rsa, unit: '/cpu-s' });
    figures.push({ label: `SSO limit: ${cores} cores × RSA / 2 signatures`, value: limit, unit: '/s' });
    for (const [workers, rates] of byWorkers) {
      for (const [c, rate] of rates) {
        figures.push({ label: `${workers} worker(s), ${c} client(s): SSO`, value: rate, unit: '/s' });
        figures.push({ label: `${workers} worker(s), ${c} client(s): share of limit`, value: rate / limit, unit: 'x' });
      }
    }
    const simpleSaml = existsSync('/usr/share/simplesamlphp');
    const atFour = (byWorkers.get(cores)?.get(4) ?? 0) / limit;
    return {
      figures,
      verdict:
        `with ${cores} workers and 4 clients SSO runs at ${atFour.toFixed(2)} of the ${cores}-core RSA limit (aim ≥ 0.5). ` +
        (simpleSaml
          ? 'SimpleSAMLphp is installed but its Apache site is not set up by this benchmark: ratio not measured.'
          : 'SimpleSAMLphp: skipped (the Debian package simplesamlphp is not installed).'),
    };
  },
};

export default bench;
