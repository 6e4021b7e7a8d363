/**
 * The Pattern A world for black-box tests, built by the same steps as `npm start`: the demo organisation, the AWS
 * emulator (demo world) in this process, the AWS IAM app, group bindings and the IAM setup; then Keyway listening
 * on a free loopback port. Users: carol (Operations + Engineering), bob (Developers ⊂ Engineering), …
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningEmulator } from '../../src/aws-emulator/index.js';
import {
  listenOnFreePort,
  loadConfig,
  startServer,
  type RunningServer,
  type ServerConfig,
} from '../../src/server/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { awsPatternA, demoEmulator } from '../../src/demo/aws-pattern-a.js';
import { seedOrganisation } from '../../src/demo/seed.js';
import type { DemoBaseContext } from '../../src/demo/steps.js';

export interface PatternAWorld {
  readonly keywayUrl: string;
  readonly emulator: RunningEmulator;
  readonly store: Store;
  readonly config: ServerConfig;
  readonly dir: string;
  /** What `npm start` prints after start: the sign-in instructions of the demo steps. */
  readonly banner: readonly string[];
  close(): Promise<void>;
}

export async function startPatternA(): Promise<PatternAWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'keyway-pattern-a-'));
  // The IAM setup writes Keyway's URL into AWS's SAML metadata before Keyway listens, so the port is reserved first.
  const socket = await listenOnFreePort('127.0.0.1');
  const env: Record<string, string | undefined> = {
    KEYWAY_MASTER_KEY: '22'.repeat(32),
    KEYWAY_LOG_LEVEL: 'silent',
    KEYWAY_DATA_DIR: dir,
    KEYWAY_HOST: '127.0.0.1',
    KEYWAY_PORT: String((socket.address() as AddressInfo).port),
    KEYWAY_DEMO_EMULATOR_PORT: '0',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const shutdowns: (() => Promise<void> | void)[] = [];
  const banner: string[] = [];
  const base: DemoBaseContext = {
    env,
    cwd: dir,
    log: () => undefined,
    banner: (...lines) => banner.push(...lines),
    onShutdown: (fn) => shutdowns.push(fn),
  };
  await awsPatternA.prepare?.(base);
  const config = loadConfig(env, { cwd: dir });
  const store = await openStore(config.databaseUrl);
  let server: RunningServer | undefined;
  try {
    const seedCtx = { ...base, config, store };
    await seedOrganisation.seed?.(seedCtx);
    await awsPatternA.seed?.(seedCtx);
    server = await startServer(config, { store, handleSignals: false, socket });
  } catch (e) {
    socket.close();
    await store.close();
    for (const fn of shutdowns.reverse()) await fn();
    throw e;
  }
  const emulator = demoEmulator();
  if (!emulator) throw new Error('the demo step did not start the emulator');
  const running = server;
  return {
    keywayUrl: running.url,
    emulator,
    store,
    config,
    dir,
    banner,
    async close() {
      await running.close();
      for (const fn of shutdowns.reverse()) await fn();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
