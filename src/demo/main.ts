/**
 * `npm start`: Keyway on http://127.0.0.1:8080 (PORT to change) on the embedded SQLite default, with a demo
 * organisation seeded the first time, then the URL and how to sign in. Steps in ./steps.ts extend it.
 */
import { loadConfig, startServer } from '../server/index.js';
import { openStore } from '../store/index.js';
import { demoSteps } from './steps.js';
import type { DemoBaseContext } from './types.js';

// The AWS SDK's notice that releases after January 2027 need Node 22 is not about the pinned versions the demo uses
// (the SDK's own switch; see src/cli/main.ts).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const run = async (): Promise<void> => {
  // The demo's Admins group administers Keyway in the admin console.
  const env: Record<string, string | undefined> = {
    KEYWAY_LOG_LEVEL: 'warn',
    KEYWAY_ADMIN_GROUPS: 'Admins',
    ...process.env,
  };
  const bannerLines: string[] = [];
  const shutdowns: (() => Promise<void> | void)[] = [];
  const base: DemoBaseContext = {
    env,
    cwd: process.cwd(),
    log: (line) => process.stderr.write(`keyway demo: ${line}\n`),
    banner: (...lines) => bannerLines.push(...lines),
    onShutdown: (fn) => shutdowns.push(fn),
  };
  const shutdown = async () => {
    for (const fn of shutdowns.reverse()) {
      try {
        await fn();
      } catch (e) {
        base.log(`shutdown step failed: ${(e as Error).message}`);
      }
    }
  };

  try {
    for (const step of demoSteps) await step.prepare?.(base);
    const config = loadConfig(env, { cwd: base.cwd });
    const store = await openStore(config.databaseUrl, { backgroundCheckpoints: true });
    // Closing the server closes the store too; until it runs, the store is closed on its own.
    let closeStoreOrServer = () => store.close();
    shutdowns.unshift(() => closeStoreOrServer());
    const seedCtx = { ...base, config, store };
    for (const step of demoSteps) await step.seed?.(seedCtx);
    const server = await startServer(config, { store, handleSignals: false });
    closeStoreOrServer = () => server.close();
    const startedCtx = { ...seedCtx, url: server.url };
    for (const step of demoSteps) await step.started?.(startedCtx);

    // With PORT=0 startServer picks the port, so the derived base URL is only known from the server.
    const url = config.port === 0 && !config.baseUrlConfigured ? server.url : config.baseUrl;
    process.stdout.write(
      [
        '',
        `Keyway is running at ${url}`,
        `Sign in at ${url}/signin with one of the demo users below.`,
        ...bannerLines,
        `Admin console: ${url}/admin (sign in as alice, in the Admins group).`,
        `Admin API: ${url}/api/v1 (OpenAPI at ${url}/api/v1/openapi.json); create a token with: npx keyway tokens create demo`,
        `Data: ${config.databaseUrl}. Press Ctrl+C to stop.`,
        '',
      ].join('\n'),
    );
  } catch (e) {
    base.log(`could not start: ${e instanceof Error ? e.message : String(e)}`);
    await shutdown();
    process.exit(1);
  }

  const onSignal = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    base.log('stopping');
    shutdown().then(() => process.exit(0));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
};

await run();
