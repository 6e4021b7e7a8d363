/**
 * Hourly retention on a running server: audit events past KEYWAY_AUDIT_RETENTION_DAYS (appended to
 * KEYWAY_AUDIT_EXPORT_DIR/audit-<date>.jsonl first when that is set) and outbox events done more than
 * KEYWAY_OUTBOX_RETENTION_DAYS ago. The store deletes in short batches, so requests never queue behind it.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { Store } from '../../store/index.js';
import type { ServerConfig } from '../config.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export const runRetention = async (store: Store, config: ServerConfig, now = new Date()): Promise<void> => {
  const dir = config.auditExportDir;
  if (dir) await mkdir(dir, { recursive: true });
  const file = dir ? join(dir, `audit-${now.toISOString().slice(0, 10)}.jsonl`) : undefined;
  await store.pruneAudit({
    before: new Date(now.getTime() - config.auditRetentionDays * DAY_MS),
    ...(file ? { exportLines: (lines: string) => appendFile(file, lines) } : {}),
  });
  await store.pruneOutbox({ before: new Date(now.getTime() - config.outboxRetentionDays * DAY_MS) });
};

/** Starts the hourly sweep; returns a function that stops it. */
export const startRetention = (store: Store, config: ServerConfig, log: FastifyBaseLogger): (() => void) => {
  let running = false;
  const tick = () => {
    if (running) return;
    running = true;
    runRetention(store, config)
      .catch((e: unknown) => log.warn({ err: e }, 'retention sweep failed; it runs again in an hour'))
      .finally(() => {
        running = false;
      });
  };
  const timer = setInterval(tick, HOUR_MS);
  timer.unref();
  return () => clearInterval(timer);
};
