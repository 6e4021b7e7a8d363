/** The emulator's log: one JSON object per line. Fields never carry secrets, assertions or request bodies. */
import type { EmulatorLogger } from './world-contract.js';

export function createJsonLineLogger(
  write: (line: string) => void = (line) => process.stderr.write(line),
): EmulatorLogger {
  const emit = (level: string, event: string, fields?: Readonly<Record<string, unknown>>): void => {
    write(`${JSON.stringify({ time: new Date().toISOString(), level, event, ...fields })}\n`);
  };
  return {
    info: (event, fields) => emit('info', event, fields),
    warn: (event, fields) => emit('warn', event, fields),
  };
}

export const silentLogger: EmulatorLogger = { info: () => undefined, warn: () => undefined };

/** A logger that keeps entries in memory (bounded), for tests that assert what the emulator logged. */
export interface MemoryLogger extends EmulatorLogger {
  readonly entries: { level: 'info' | 'warn'; event: string; fields: Readonly<Record<string, unknown>> }[];
}

export function createMemoryLogger(maxEntries = 10_000): MemoryLogger {
  const entries: MemoryLogger['entries'] = [];
  const push = (level: 'info' | 'warn', event: string, fields: Readonly<Record<string, unknown>> = {}): void => {
    if (entries.length >= maxEntries) entries.shift();
    entries.push({ level, event, fields });
  };
  return { entries, info: (e, f) => push('info', e, f), warn: (e, f) => push('warn', e, f) };
}
