/**
 * Child process of `npm run bench -- loadgen` (forked with --expose-gc): memory per idle virtual user,
 * measured in a process that has done nothing else, so earlier runs' heap does not blur it.
 * RSS after forced GC with the load generator loaded and no users, then again once every user's
 * connection is open: (RSS_open − RSS_empty) ÷ users. Message: { wsUrl, users } → { bytesPerVu, open }.
 */
import { runLoadTest } from '../loadgen/index.js';
import { bareRelayAdapter } from './loadgen.js';

const gc = (globalThis as { gc?: () => void }).gc;

function settledRss(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().rss;
}

process.once('message', (command: { wsUrl: string; users: number }) => {
  void (async () => {
    const before = settledRss();
    let after = 0;
    let open = 0;
    await runLoadTest(
      {
        name: 'bench-memory',
        load: {
          phases: [{ connections: command.users, connectRatePerSecond: 2_000 }, { duration: 4 }],
          messages: { perSecond: 0.001 },
          receipts: false,
          grace: '0s',
        },
      },
      {
        target: command.wsUrl,
        adapter: bareRelayAdapter(),
        workers: 1,
        scrapeMetrics: false,
        onLive: (stats) => {
          if (after === 0 && stats.openConnections === command.users) {
            after = settledRss();
            open = stats.openConnections;
          }
        },
      },
    );
    process.send?.({ type: 'memory', bytesPerVu: open === 0 ? Number.NaN : (after - before) / open, open });
    process.exit(0);
  })();
});
process.send?.({ type: 'ready' });
