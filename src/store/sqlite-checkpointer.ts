/**
 * WAL checkpoints of a SQLite file on a worker thread instead of inside a commit on the event loop.
 *
 * With SQLite's default, the commit that takes the WAL past 1000 pages copies them into the database file and
 * fsyncs it before returning, and better-sqlite3 runs that on the event loop: every few hundred sign-ins one
 * request stalls every other for milliseconds (measured here: 6 ms at worst against 0.06 ms for a plain commit).
 *
 * So the server's connection turns automatic checkpoints off and this worker, on its own connection, runs a
 * PASSIVE checkpoint every second: PASSIVE never waits for or blocks readers and writers, and each page is
 * copied once however often it changed in that second. When a checkpoint catches up with the writers (any
 * pause in writing), the next commit starts the WAL from its beginning again. Writes that never pause would
 * let the WAL grow; past `truncateBytes` a TRUNCATE checkpoint waits for a gap between writers and empties it,
 * which may stall one commit on the event loop for as long as that checkpoint runs, and `journal_size_limit`
 * gives back the disk space of a WAL that grew. If the worker fails, the main connection gets automatic
 * checkpoints back, so the WAL never grows without bound unnoticed.
 *
 * The worker is plain JavaScript evaluated from a string: it must load under `node`, `tsx` and the test runner
 * alike, and it only needs the driver, whose resolved path it is given.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SqliteDatabase from 'better-sqlite3';

export interface CheckpointerOptions {
  readonly intervalMs?: number;
  readonly truncateBytes?: number;
  /** Told when the worker fails and automatic checkpoints are back on (default: a process warning on stderr). */
  readonly onFailure?: (error: Error) => void;
}

export interface Checkpointer {
  /** Runs a last checkpoint and closes the worker's connection. */
  stop(): Promise<void>;
}

const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { statSync } = require('node:fs');
const Database = require(workerData.driver);
// The driver's SqliteError loses its message when cloned to the parent thread; a plain Error keeps it.
const plain = (e) => new Error((e && e.code ? e.code + ': ' : '') + (e && e.message ? e.message : String(e)));
let db;
try {
  db = new Database(workerData.path, { fileMustExist: true, timeout: workerData.busyTimeoutMs });
} catch (e) {
  throw plain(e);
}
const walSize = () => { try { return statSync(workerData.path + '-wal').size; } catch { return 0; } };
const checkpoint = () => {
  db.pragma('wal_checkpoint(PASSIVE)');
  if (walSize() <= workerData.truncateBytes) return;
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } catch (e) {
    // Readers outlasted the busy timeout: try again on the next round. Anything else ends the worker.
    if (!(e && typeof e.code === 'string' && e.code.startsWith('SQLITE_BUSY'))) throw e;
  }
};
const timer = setInterval(() => {
  try {
    checkpoint();
  } catch (e) {
    throw plain(e);
  }
}, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  try { checkpoint(); } finally { db.close(); parentPort.postMessage('stopped'); parentPort.close(); }
});
parentPort.postMessage('ready');
`;

export async function startCheckpointer(
  database: SqliteDatabase.Database,
  path: string,
  busyTimeoutMs: number,
  opts: CheckpointerOptions = {},
): Promise<Checkpointer> {
  const truncateBytes = opts.truncateBytes ?? 64 * 1024 * 1024;
  database.pragma('wal_autocheckpoint = 0');
  database.pragma(`journal_size_limit = ${truncateBytes}`);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      path,
      busyTimeoutMs,
      intervalMs: opts.intervalMs ?? 1000,
      truncateBytes,
    },
  });
  let stopped: Promise<void> | undefined;
  let failed = false;
  const fallBack = (e: Error) => {
    if (failed || stopped) return;
    failed = true;
    if (database.open) database.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
    (
      opts.onFailure ??
      ((err: Error) =>
        process.emitWarning(
          `SQLite checkpoint worker failed (${err.message}); the main connection checkpoints itself again`,
        ))
    )(e);
  };
  // A worker that cannot start (e.g. the file is gone) leaves the store working with SQLite's own checkpoints.
  const started = await new Promise<boolean>((resolve) => {
    const failedToStart = (e: Error) => {
      fallBack(e);
      resolve(false);
    };
    worker.once('error', failedToStart);
    worker.once('message', () => {
      worker.off('error', failedToStart);
      resolve(true);
    });
  });
  if (!started) return { stop: async () => undefined };
  worker.on('error', fallBack);
  worker.on('exit', (code) => fallBack(new Error(`the checkpoint worker exited with code ${code}`)));
  // A store nobody closed must not keep the process alive.
  worker.unref();
  return {
    stop: () =>
      (stopped ??= failed
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            worker.once('exit', () => resolve());
            worker.once('message', () => void worker.terminate());
            worker.postMessage('stop');
          })),
  };
}
