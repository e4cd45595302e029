/**
 * What cross-instance delivery costs: the same client drives sender → recipient pairs through a
 * two-instance cluster, once with both ends on one instance (local delivery) and once with the
 * recipient on the other instance (registry lookup + Redis pub/sub hop), in one run; the table gives
 * the ratio. Storage (PostgreSQL write buffer) is identical in both modes.
 * `node --import tsx reference-server/cluster/bench-cluster-throughput.ts`
 */
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import { forkModule, resolveSiblingModule } from '../../common/spawn-module.js';
import type { ClusterBenchSection } from './bench-cluster.js';
import type { ThroughputCommand, ThroughputReport } from './bench-throughput-main.js';
import { withBenchCluster } from './bench-setup.js';

export interface ClusterThroughputOptions {
  pairs?: number;
  window?: number;
  warmupMs?: number;
  durationMs?: number;
  redisUrl?: string;
  postgresAdminUrl?: string;
}

export interface ClusterThroughputResult {
  skipped?: string;
  local?: ThroughputReport;
  cross?: ThroughputReport;
  /** The load each mode ran with (for the table's notes). */
  pairs?: number;
  window?: number;
  durationMs?: number;
}

export async function runClusterThroughputBench(
  options: ClusterThroughputOptions = {},
): Promise<ClusterThroughputResult> {
  const run = await withBenchCluster(
    { instances: 2, tag: 'bench', redisUrl: options.redisUrl, postgresAdminUrl: options.postgresAdminUrl },
    async (cluster) => {
      const [a, b] = cluster.instances as [(typeof cluster.instances)[0], (typeof cluster.instances)[0]];
      const drive = async (
        tag: string,
        recipientUrl: string,
        durationMs?: number,
      ): Promise<ThroughputReport> => {
        const child = forkModule(resolveSiblingModule(import.meta.url, './bench-throughput-main'), [], {
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        const report = new Promise<ThroughputReport>((resolve, reject) => {
          child.once('message', (message: ThroughputReport) => resolve(message));
          child.once('exit', (code) => reject(new Error(`throughput client exited (${code})`)));
        });
        const command: ThroughputCommand = {
          type: 'throughput',
          senderUrl: a.wsUrl,
          recipientUrl,
          pairs: options.pairs ?? 50,
          window: options.window ?? 10,
          warmupMs: options.warmupMs ?? 1_000,
          durationMs: durationMs ?? options.durationMs ?? 5_000,
          tag,
        };
        child.send(command);
        const result = await report;
        if (child.exitCode === null) await once(child, 'exit');
        return result;
      };
      // A discarded pass first: prepared statements, JIT and pools warm up before either mode is measured.
      await drive('w', b.wsUrl, 2_000);
      const local = await drive('l', a.wsUrl);
      const cross = await drive('x', b.wsUrl);
      return { local, cross };
    },
  );
  if (run.skipped !== undefined) return { skipped: run.skipped };
  return {
    ...run.value,
    pairs: options.pairs ?? 50,
    window: options.window ?? 10,
    durationMs: options.durationMs ?? 5_000,
  };
}

export function clusterThroughputSections(
  result: ClusterThroughputResult,
  command: string,
): ClusterBenchSection[] {
  const columns = [
    'delivery path',
    'delivered msg/s',
    'ratio',
    'ACK p50',
    'ACK p99',
    'delivery p50',
    'delivery p99',
    'errors',
  ];
  if (result.skipped !== undefined || result.local === undefined || result.cross === undefined) {
    return [
      {
        title: 'Cluster mode: cross-instance delivery cost',
        command,
        columns,
        rows: [[`skipped: ${result.skipped ?? 'no result'}`, '', '', '', '', '', '', '']],
      },
    ];
  }
  const row = (name: string, report: ThroughputReport): (string | number)[] => [
    name,
    Math.round(report.deliveredPerSecond),
    (report.deliveredPerSecond / result.local!.deliveredPerSecond).toFixed(2),
    `${report.ackP50Ms.toFixed(1)} ms`,
    `${report.ackP99Ms.toFixed(1)} ms`,
    `${report.deliveryP50Ms.toFixed(1)} ms`,
    `${report.deliveryP99Ms.toFixed(1)} ms`,
    report.errors,
  ];
  return [
    {
      title: 'Cluster mode: cross-instance delivery cost',
      command,
      columns,
      rows: [row('same instance (local)', result.local), row('other instance (Redis pub/sub)', result.cross)],
      notes: [
        `Two gateway instances on Redis + PostgreSQL (8 shards, write buffer defaults), one client process, ${result.pairs ?? 50} sender → recipient pairs with ${result.window ?? 10} messages in flight each, ${(result.durationMs ?? 5_000) / 1000} s per mode; ratio = delivered msg/s relative to local delivery in the same run.`,
        'ACK latency includes the PostgreSQL group commit (the ACK is sent only once the batch is durable).',
      ],
    },
  ];
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runClusterThroughputBench();
  for (const section of clusterThroughputSections(
    result,
    'node --import tsx reference-server/cluster/bench-cluster-throughput.ts',
  )) {
    console.log(
      `\n## ${section.title}\n\n| ${section.columns.join(' | ')} |\n|${section.columns.map(() => '---').join('|')}|`,
    );
    for (const row of section.rows) console.log(`| ${row.join(' | ')} |`);
    for (const note of section.notes ?? []) console.log(`- ${note}`);
  }
}
