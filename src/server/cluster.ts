/**
 * `keyway serve` on every core: a primary process that migrates once, then forks KEYWAY_WORKERS worker processes
 * (default: one per core) which each run the whole server and share the listening port (node:cluster hands
 * connections round-robin). Processes rather than worker threads for the RSA and argon2 work, because RSA
 * signing is only part of an SSO: measured, the rest (HTTP, SQL, XML, logging) took as much of the event loop
 * again, and only whole processes spread that over the cores too. Shared state is in the database, so this is the
 * same story as several nodes (docs/storage.md). The primary restarts a worker that dies, and on SIGINT/SIGTERM
 * asks every worker to finish its requests and waits for them.
 */
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { openStore } from '../store/index.js';
import type { ServerConfig } from './config.js';
import { listenOnFreePort } from './build.js';

/** Set by the primary in the environment of the one worker that runs the hourly housekeeping. */
export const HOUSEKEEPING_ENV = 'KEYWAY_WORKER_HOUSEKEEPING';

export const workerCount = (config: ServerConfig): number =>
  config.workers === 0 ? availableParallelism() : config.workers;

interface Listening {
  readonly kind: 'keyway-listening';
  readonly url: string;
}

const isListening = (m: unknown): m is Listening =>
  typeof m === 'object' && m !== null && (m as { kind?: unknown }).kind === 'keyway-listening';

/** In a worker: tells the primary the server is up. */
export const reportListening = (url: string): void => {
  process.send?.({ kind: 'keyway-listening', url } satisfies Listening);
};

export interface RunningCluster {
  readonly url: string;
  readonly workers: number;
  /** Resolves when every worker has exited after `stop()` (or a failed start). */
  readonly stopped: Promise<void>;
  stop(): void;
}

const RESTART_DELAY_MS = 1000;

/** In the primary: migrate, fork the workers, resolve once all listen. Rejects if a worker fails to start. */
export const startCluster = async (config: ServerConfig, warn: (line: string) => void): Promise<RunningCluster> => {
  // Migrate once here, so the workers start on an up-to-date schema without queueing on the migration lock.
  await (await openStore(config.databaseUrl)).close();
  const env: Record<string, string> = {};
  if (config.port === 0) {
    const probe = await listenOnFreePort(config.host);
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));
    env['KEYWAY_PORT'] = String(port);
  }
  const count = workerCount(config);
  let stopping = false;
  let housekeeper: Worker | undefined;
  const live = new Set<Worker>();
  let resolveStopped: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    resolveStopped = resolve;
  });

  const fork = (housekeeping: boolean): Worker => {
    const worker = cluster.fork({ ...env, [HOUSEKEEPING_ENV]: housekeeping ? '1' : '0' });
    live.add(worker);
    if (housekeeping) housekeeper = worker;
    worker.on('exit', (code, signal) => {
      live.delete(worker);
      if (live.size === 0 && stopping) resolveStopped();
      if (stopping) return;
      warn(`worker ${worker.process.pid} exited (${signal ?? `code ${code}`}); starting another`);
      setTimeout(() => {
        if (!stopping) fork(worker === housekeeper);
      }, RESTART_DELAY_MS).unref();
    });
    return worker;
  };

  const stop = () => {
    if (stopping) return;
    stopping = true;
    if (live.size === 0) resolveStopped();
    for (const w of live) w.process.kill('SIGTERM');
  };

  const workers = Array.from({ length: count }, (_, i) => fork(i === 0));
  try {
    const urls = await Promise.all(
      workers.map(
        (w) =>
          new Promise<string>((resolve, reject) => {
            w.on('message', (m: unknown) => isListening(m) && resolve(m.url));
            w.once('exit', (code) => reject(new Error(`a worker failed to start (exit code ${code})`)));
          }),
      ),
    );
    return { url: urls[0]!, workers: count, stopped, stop };
  } catch (e) {
    stop();
    await stopped;
    throw e;
  }
};
