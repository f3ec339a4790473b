// `nnlab ui [--store URL] [--port N] [--host H] [--token T]`: the dashboard over the store, until Ctrl-C.
import type { Command } from 'commander';
import { ConfigError } from '../../engine/errors.js';
import { isLoopback } from '../../web/security.js';
import { storeFrom } from '../context.js';

export function registerUi(program: Command): void {
  program
    .command('ui')
    .description('serve the dashboard (studies, runs, live curves, comparisons, searches) over the store; loopback only unless --host')
    .option('--store <url>', 'run store (default .nnlab/runs.db)')
    .option('--port <n>', 'port to serve on (0: any free one)', '8080')
    .option('--host <host>', 'address to bind; anything but loopback needs the token it prints', '127.0.0.1')
    .option('--token <token>', 'the token every request must carry (default: none on loopback, a random one otherwise)')
    .action(async (opts: { store?: string; port: string; host: string; token?: string }) => {
      const port = Number(opts.port);
      if (!/^\d+$/.test(opts.port) || port > 65535) throw new ConfigError('--port', `expected a port number 0-65535, got '${opts.port}'`);
      if (opts.token !== undefined && opts.token.length < 8) throw new ConfigError('--token', 'a token needs at least 8 characters');
      const store = await storeFrom(opts);
      const { startDashboard } = await import('../../web/server.js'); // Fastify and the pages: only for ui
      let dashboard;
      try {
        dashboard = await startDashboard({ store, host: opts.host, port, token: opts.token ?? null });
      } catch (e) {
        await store.close();
        throw e;
      }
      if (!isLoopback(opts.host)) {
        process.stderr.write(
          `nnlab ui: WARNING: serving on ${opts.host}, reachable from other machines. Every request needs the token; ` +
            'anyone with the address below can read this store. Prefer an SSH tunnel to a loopback dashboard.\n',
        );
      }
      process.stdout.write(`nnlab ui: ${store.url} at ${dashboard.url}\n(Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await dashboard.close();
      await store.close();
    });
}
