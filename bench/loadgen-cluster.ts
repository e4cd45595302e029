/**
 * Part of `npm run bench -- loadgen`: capsim's own load generator (runLoadTest, the code behind
 * `capsim loadtest`) holding ≥ 100,000 concurrent connections against a local cluster (issue 5's goal).
 *
 * The cluster is reference-server/cluster (Redis + PostgreSQL, one gateway process per ~17,000
 * connections). The load generator runs one worker process per ~17,000 virtual users (the open-files
 * limit is a hard 20,000 per process); with one target URL per instance, each (source, instance) pair
 * has its own ~28,000 ephemeral ports, so no source addresses need binding (loadgen/source-addresses.ts
 * says why binding is avoided when it can be). A trickle of 1:1 messages runs during the hold, so
 * the run also proves the connections are live, not just open: every ACKed message must be delivered.
 *
 * Generator memory: the workers' summed RSS (from /proc, each worker's whole process tree) at the
 * hold ÷ open connections, runtime included (an upper bound; the per-VU increment is measured alone in
 * bench/loadgen-memory-main.ts). Sampled only while sending with all workers alive (generator-memory.ts).
 * CAPSIM_BENCH_LOADGEN_CONNECTIONS overrides the 100,000 target. Skipped with a note when Redis or
 * PostgreSQL is unreachable.
 */
import { runLoadTest } from '../loadgen/index.js';
import type { LiveStats } from '../loadgen/outputs/live-stats.js';
import { withBenchCluster } from '../reference-server/cluster/bench-setup.js';
import { childTreeRss, sampleHold, type HoldSample } from './generator-memory.js';
import { benchCommand, type BenchSection } from './section.js';

const perProcess = 17_000;

export async function clusterConnectionsSection(): Promise<BenchSection> {
  const connections = Number(process.env.CAPSIM_BENCH_LOADGEN_CONNECTIONS ?? 100_000);
  const instances = Math.max(2, Math.ceil(connections / perProcess));
  const workers = Math.max(2, Math.ceil(connections / perProcess));
  // Each new connection costs ~1 ms of CPU on the server (handshake, token, Redis registry, PostgreSQL
  // inbox read) and about as much in the generator; on 2 cores a faster ramp only queues handshakes
  // (250/s held 100,000 once in three runs; 200/s leaves headroom for the hold's steady load).
  const connectRatePerSecond = Number(process.env.CAPSIM_BENCH_LOADGEN_CONNECT_RATE ?? 200);
  const holdSeconds = 30;
  const messagesPerSecond = 200;
  const command = benchCommand('loadgen', [
    'CAPSIM_BENCH_ONLY',
    'CAPSIM_BENCH_LOADGEN_CONNECTIONS',
    'CAPSIM_BENCH_LOADGEN_CONNECT_RATE',
  ]);
  const section: BenchSection = {
    title: "Load generator: concurrent connections held against a local cluster (capsim's own loadgen)",
    command,
    columns: [
      'target connections',
      'max open',
      'open at end of hold',
      'connect errors',
      'messages ACKed',
      'lost / duplicated / out of order',
      'generator workers',
      'generator CPU share',
      'generator RSS per open VU (KiB, incl. runtime)',
      'server instances',
    ],
    rows: [],
  };
  const run = await withBenchCluster(
    { instances, tag: 'lgbench', cluster: { pgPoolSize: 4 } },
    async (cluster) => {
      let hold: HoldSample | undefined;
      let lastLog = 0;
      const onLive = (stats: LiveStats) => {
        const open = stats.openConnections;
        if (stats.elapsedMs - lastLog >= 10_000) {
          lastLog = stats.elapsedMs;
          process.stderr.write(
            `[loadgen-cluster] ${(stats.elapsedMs / 1000).toFixed(0)} s: ${open} open of ${connections}\n`,
          );
        }
        // Workers are this process's loadgen/distributed/worker-process children (with their own children).
        hold = sampleHold(hold, stats, {
          minOpen: connections * 0.999,
          workers,
          readRss: () => childTreeRss('worker-process'),
        });
      };
      const result = await runLoadTest(
        {
          name: 'loadgen-cluster-connections',
          load: {
            phases: [
              { name: 'ramp-up', connections, connectRatePerSecond },
              { name: 'hold', duration: `${holdSeconds}s` },
            ],
            messages: { perSecond: messagesPerSecond },
            receipts: false,
            grace: '5s',
          },
        },
        {
          target: cluster.instances.map((instance) => instance.wsUrl).join(','),
          workers,
          scrapeMetrics: false,
          onLive,
        },
      );
      const series = result.timeSeries;
      const holdEnd = series.filter((row) => row.second * 1000 < result.durationMs).at(-1);
      // Whole-process RSS ÷ users: an upper bound (it includes each worker's runtime and heap slack);
      // the per-VU increment is measured cleanly in the generator-cost section's fresh child process.
      const kibPerVu = hold === undefined || hold.open === 0 ? Number.NaN : hold.rss / hold.open / 1024;
      const { lost, duplicated, outOfOrder } = result.checker;
      section.rows.push([
        connections,
        result.summary.connections.maxOpen,
        holdEnd?.openConnections ?? 'n/a',
        result.summary.connections.errors,
        result.summary.messages.acked,
        `${lost} / ${duplicated} / ${outOfOrder}`,
        workers,
        `${(result.generator.cpuShare * 100).toFixed(0)}% (max worker ${(result.generator.maxWorkerCpuShare * 100).toFixed(0)}% of a core)`,
        Number.isNaN(kibPerVu) ? 'n/a' : kibPerVu.toFixed(1),
        instances,
      ]);
      section.notes = [
        `Goal (issue 5): ≥ 100,000 concurrent connections held between this machine's load generator and a local server cluster.`,
        `Load generator: runLoadTest (what \`capsim loadtest --target ws://…,ws://… --workers ${workers}\` runs), ${workers} worker processes; users round-robin over the ${instances} instance URLs; source addresses bound: ${result.environment.sourceAddresses.length === 0 ? 'none (each instance port has its own ephemeral ports)' : result.environment.sourceAddresses.join(', ')}.`,
        `Ramp at ${connectRatePerSecond} connections/s, hold ${holdSeconds} s with ${messagesPerSecond} 1:1 messages/s across all users (most cross instances through Redis pub/sub); receipts off.`,
        `Server: reference-server/cluster with ${instances} gateway instances on Redis + PostgreSQL (8 shards); each connection is authenticated, registered in Redis and has its inbox read on connect.`,
        'Generator RSS per open VU = the workers\u2019 summed RSS (from /proc, each worker\u2019s process tree) at the hold ÷ open connections, sampled while sending with all workers alive; runtime included (an upper bound); the idle-VU increment alone is in the generator-cost section.',
      ];
    },
  );
  if (run.skipped !== undefined) section.notes = [`SKIPPED: ${run.skipped}`];
  return section;
}
