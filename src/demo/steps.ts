/**
 * What `npm start` does besides starting Keyway, as a list of steps. Each step may hook into three moments:
 *   prepare(ctx)  before the configuration is read: set defaults in ctx.env (e.g. an emulator's endpoint),
 *                 start child processes (register their shutdown with ctx.onShutdown);
 *   seed(ctx)     with the store open, before the server listens: create demo data (only the first time);
 *   started(ctx)  once the server listens at ctx.url: anything that needs Keyway running.
 * Lines added with ctx.banner(...) are printed together after start, under the sign-in instructions.
 * To add a step (AWS emulator, AWS apps, …), create src/demo/<name>.ts exporting a DemoStep and add one line
 * to `demoSteps` below.
 */
import type { Store } from '../store/index.js';
import type { ServerConfig } from '../server/index.js';
import { seedOrganisation } from './seed.js';
import { awsPatternA } from './aws-pattern-a.js';

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

export const demoSteps: readonly DemoStep[] = [
  seedOrganisation,
  awsPatternA,
];
