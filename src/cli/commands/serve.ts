/** keyway serve — run the server until SIGINT/SIGTERM, then shut down gracefully. */
import { startServer } from '../../server/index.js';
import type { CliCommand } from '../command.js';

export const serveCommand: CliCommand = {
  name: 'serve',
  register(program, ctx) {
    program
      .command('serve')
      .description('start the Keyway server (settings from KEYWAY_*; see keyway.defaults.env)')
      .action(async () => {
        const server = await startServer(ctx.config(), { handleSignals: false });
        ctx.err(`Keyway is listening on ${server.url} (public URL ${ctx.config().baseUrl}). Press Ctrl+C to stop.`);
        await new Promise<void>((resolve) => {
          const stop = () => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            server.close().then(resolve, resolve);
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
      });
  },
};
