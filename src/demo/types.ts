/**
 * The contract of a demo step (see steps.ts for the list and the three moments a step can hook into).
 * Step files import these types from here, not from steps.ts, so that the list and its entries do not
 * import each other.
 */
import type { Store } from '../store/index.js';
import type { ServerConfig } from '../server/index.js';

export interface DemoBaseContext {
  /** The environment the configuration is read from; prepare steps may add defaults to it. */
  readonly env: Record<string, string | undefined>;
  /** Folder the demo runs in (KEYWAY_DATA_DIR is relative to it). */
  readonly cwd: string;
  /** Progress line on stderr. */
  log(line: string): void;
  /** Lines for the summary printed after start. */
  banner(...lines: string[]): void;
  /** Runs on Ctrl+C / SIGTERM after the server has closed, in reverse order of registration. */
  onShutdown(fn: () => Promise<void> | void): void;
}

export interface DemoSeedContext extends DemoBaseContext {
  readonly config: ServerConfig;
  readonly store: Store;
}

export interface DemoStartedContext extends DemoSeedContext {
  /** Where Keyway listens, e.g. http://127.0.0.1:8080. */
  readonly url: string;
}

export interface DemoStep {
  readonly name: string;
  prepare?(ctx: DemoBaseContext): Promise<void> | void;
  seed?(ctx: DemoSeedContext): Promise<void> | void;
  started?(ctx: DemoStartedContext): Promise<void> | void;
}
