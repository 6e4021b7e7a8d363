/**
 * keyway serve — run the server until SIGINT/SIGTERM, then shut down gracefully. With KEYWAY_WORKERS other than 1
 * (default: one per core) this process is the primary of a cluster and each worker runs this same command.
 */
import cluster from 'node:cluster';
import { HOUSEKEEPING_ENV, reportListening, startCluster, startServer, workerCount } from '../../server/index.js';
import type { CliCommand } from '../command.js';

const untilSignal = (stop: () => unknown): Promise<void> =>
  new Promise<void>((resolve) => {
    const onSignal = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      Promise.resolve(stop()).then(
        () => resolve(),
        () => resolve(),
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });

export const serveCommand: CliCommand = {
  name: 'serve',
  register(program, ctx) {
    program
      .command('serve')
      .description('start the Keyway server (settings from KEYWAY_*; see keyway.defaults.env)')
      .action(async () => {
        const config = ctx.config();
        if (cluster.isPrimary && workerCount(config) > 1) {
          const running = await startCluster(config, (line) => ctx.err(line));
          ctx.err(
            `Keyway is listening on ${running.url} (public URL ${config.baseUrlConfigured ? config.baseUrl : running.url}) with ${running.workers} worker processes. Press Ctrl+C to stop.`,
          );
          await untilSignal(async () => {
            running.stop();
            await running.stopped;
          });
          return;
        }
        const server = await startServer(config, {
          handleSignals: false,
          housekeeping: cluster.isPrimary || ctx.io.env[HOUSEKEEPING_ENV] === '1',
        });
        if (cluster.isWorker) reportListening(server.url);
        else ctx.err(`Keyway is listening on ${server.url} (public URL ${config.baseUrl}). Press Ctrl+C to stop.`);
        await untilSignal(() => server.close());
        // A worker's channel to the primary would keep it alive after its server closed.
        if (cluster.isWorker) process.disconnect();
      });
  },
};
