/**
 * Cluster bench: how many idle, authenticated connections a local cluster holds, and what each costs
 * (server RSS, client RSS, Redis memory). Goal of issue 4: ≥ 100,000 idle connections on this machine.
 *
 * Per-process limits shape the run: the open-files limit is 20,000 per process, so the connections are
 * spread over several gateway instances (each ≤ ~17,000) and several client processes; one source
 * address offers ~28,000 ephemeral ports (32768–60999), so each client process connects from its own
 * 127.0.0.x address. `npm run bench -- server` runs it at 100,000 connections (needs a quiet machine;
 * `CAPSIM_BENCH_SCALE=small` opens 2,000); alone: `runClusterBench({ connections: 100_000 })`, or
 * `node --import tsx reference-server/cluster/bench-cluster.ts 100000`.
 */
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import type { ChildProcess } from 'node:child_process';
import { rssOf } from '../../common/process-tree.js';
import { forkModule, resolveSiblingModule } from '../../common/spawn-module.js';
import type { BenchClientCommand, BenchClientReport } from './bench-client-main.js';
import { withBenchCluster } from './bench-setup.js';
import type { RunningClusterInstances } from './index.js';

export interface ClusterBenchOptions {
  /** Idle connections to open (default 100,000). */
  connections?: number;
  /** Gateway instances (default: enough for ≤ 17,000 connections each, at least 2). */
  instances?: number;
  /** Client processes, one source address each (default: enough for ≤ 17,000 each). */
  clientProcesses?: number;
  /** How long to hold all connections before counting survivors (default 15 s). */
  holdMs?: number;
  /** Connection attempts in flight per client process (default 100). */
  concurrencyPerProcess?: number;
  redisUrl?: string;
  /** Admin URL (a throw-away database is created next to it); default: the test candidates. */
  postgresAdminUrl?: string;
  shards?: number;
  /** Progress lines go here (default stderr). */
  log?: (line: string) => void;
}

export interface ClusterBenchResult {
  skipped?: string;
  requested: number;
  held: number;
  failed: number;
  closedUnexpectedly: number;
  instances: number;
  clientProcesses: number;
  connectSeconds: number;
  connectionsPerSecond: number;
  serverRssPerConnectionBytes: number;
  clientRssPerConnectionBytes: number;
  redisBytesPerConnection: number;
  serverConnectionsReported: number;
  /** Close codes of connections dropped during the hold, with counts. */
  dropCodes?: Record<string, number>;
  firstError?: string;
}

const perProcessConnections = 17_000;

export async function runClusterBench(options: ClusterBenchOptions = {}): Promise<ClusterBenchResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`[cluster-bench] ${line}\n`));
  const requested = options.connections ?? 100_000;
  const instances = options.instances ?? Math.max(2, Math.ceil(requested / perProcessConnections));
  const clientProcesses =
    options.clientProcesses ?? Math.max(1, Math.ceil(requested / perProcessConnections));
  const empty: ClusterBenchResult = {
    requested,
    held: 0,
    failed: 0,
    closedUnexpectedly: 0,
    instances,
    clientProcesses,
    connectSeconds: 0,
    connectionsPerSecond: 0,
    serverRssPerConnectionBytes: 0,
    clientRssPerConnectionBytes: 0,
    redisBytesPerConnection: 0,
    serverConnectionsReported: 0,
  };
  const run = await withBenchCluster(
    {
      instances,
      tag: 'bench',
      redisUrl: options.redisUrl,
      postgresAdminUrl: options.postgresAdminUrl,
      cluster: { shards: options.shards ?? 8, pgPoolSize: 4 },
    },
    (cluster, { redisUrl }) =>
      holdIdleConnections(cluster, redisUrl, { ...options, requested, clientProcesses, log }),
  );
  if (run.skipped !== undefined) {
    log(`SKIPPED: ${run.skipped}`);
    return { ...empty, skipped: run.skipped };
  }
  return run.value;
}

/** Opens the connections from the client processes, holds them, counts survivors and their cost. */
async function holdIdleConnections(
  cluster: RunningClusterInstances,
  redisUrl: string,
  plan: ClusterBenchOptions & { requested: number; clientProcesses: number; log: (line: string) => void },
): Promise<ClusterBenchResult> {
  const { requested, clientProcesses, log } = plan;
  const instances = cluster.instances.length;
  const redis = new Redis(redisUrl);
  const clients: ChildProcess[] = [];
  try {
    log(
      `${instances} instances up; opening ${requested} connections from ${clientProcesses} client processes`,
    );
    const wsUrls = cluster.instances.map((instance) => instance.wsUrl);
    const serverRssBefore = sum(cluster.instances.map((instance) => rssOf(instance.pid)));
    const redisBefore = await redisUsedMemory(redis);

    const began = performance.now();
    const opened = await Promise.all(
      Array.from({ length: clientProcesses }, async (_, index) => {
        const child = forkModule(resolveSiblingModule(import.meta.url, './bench-client-main'), [], {
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        clients.push(child);
        const count = Math.floor(requested / clientProcesses) + (index < requested % clientProcesses ? 1 : 0);
        const done = waitFor(child, 'opened', (report) => {
          if (report.type === 'progress')
            log(`client ${index + 1}: ${report.open} open, ${report.failed} failed`);
        });
        send(child, {
          type: 'open',
          wsUrls,
          count,
          localAddress: `127.0.0.${index + 2}`,
          userPrefix: `b${index}u`,
          concurrency: plan.concurrencyPerProcess ?? 100,
          pingMs: 20_000,
          secret: 'capsim-dev-secret',
        });
        return done;
      }),
    );
    const connectSeconds = (performance.now() - began) / 1000;
    const openedCount = sum(opened.map((report) => (report.type === 'opened' ? report.open : 0)));
    const failed = sum(opened.map((report) => (report.type === 'opened' ? report.failed : 0)));
    const firstError = opened
      .map((report) => (report.type === 'opened' ? report.firstError : undefined))
      .find((e) => e);
    log(
      `${openedCount} open after ${connectSeconds.toFixed(1)} s (${failed} failed); holding ${plan.holdMs ?? 15_000} ms`,
    );
    await new Promise((resolve) => setTimeout(resolve, plan.holdMs ?? 15_000));

    const statuses = await Promise.all(
      clients.map((child) => {
        const status = waitFor(child, 'status');
        send(child, { type: 'status' });
        return status;
      }),
    );
    const held = sum(statuses.map((status) => (status.type === 'status' ? status.open : 0)));
    const closedUnexpectedly = sum(
      statuses.map((status) => (status.type === 'status' ? status.closedUnexpectedly : 0)),
    );
    const dropCodes: Record<string, number> = {};
    for (const status of statuses) {
      if (status.type !== 'status') continue;
      for (const [code, count] of Object.entries(status.dropCodes))
        dropCodes[code] = (dropCodes[code] ?? 0) + count;
    }
    const clientRss = sum(statuses.map((status) => (status.type === 'status' ? status.rssBytes : 0)));
    const serverRssAfter = sum(cluster.instances.map((instance) => rssOf(instance.pid)));
    const redisAfter = await redisUsedMemory(redis);
    const serverConnectionsReported = sum(
      await Promise.all(cluster.instances.map((instance) => scrapeConnections(instance.url))),
    );
    const result: ClusterBenchResult = {
      requested,
      held,
      failed,
      closedUnexpectedly,
      instances,
      clientProcesses,
      connectSeconds,
      connectionsPerSecond: openedCount / connectSeconds,
      serverRssPerConnectionBytes: held === 0 ? 0 : (serverRssAfter - serverRssBefore) / held,
      clientRssPerConnectionBytes: held === 0 ? 0 : clientRss / held,
      redisBytesPerConnection: held === 0 ? 0 : (redisAfter - redisBefore) / held,
      serverConnectionsReported,
      dropCodes,
      ...(firstError !== undefined ? { firstError } : {}),
    };
    log(`held ${held} (server reports ${serverConnectionsReported}), ${closedUnexpectedly} dropped`);
    return result;
  } finally {
    await Promise.all(
      clients.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        send(child, { type: 'close' });
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await once(child, 'exit');
        clearTimeout(killer);
      }),
    );
    redis.disconnect();
  }
}

/** Same shape as bench/section.ts's BenchSection (not imported: bench/ is not part of the build). */
export interface ClusterBenchSection {
  title: string;
  command: string;
  columns: string[];
  rows: (string | number)[][];
  notes?: string[];
}

/** The bench table, for bench/server.ts or the lead to include. */
export function clusterBenchSections(result: ClusterBenchResult, command: string): ClusterBenchSection[] {
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  return [
    {
      title: 'Cluster mode: idle authenticated connections held',
      command,
      columns: [
        'connections',
        'held',
        'instances',
        'client processes',
        'connect rate',
        'server RSS/conn',
        'client RSS/conn',
        'Redis/conn',
      ],
      rows: result.skipped
        ? [[result.requested, `skipped: ${result.skipped}`, '', '', '', '', '', '']]
        : [
            [
              result.requested,
              result.held,
              result.instances,
              result.clientProcesses,
              `${Math.round(result.connectionsPerSecond)}/s`,
              kb(result.serverRssPerConnectionBytes),
              kb(result.clientRssPerConnectionBytes),
              `${Math.round(result.redisBytesPerConnection)} B`,
            ],
          ],
      notes: [
        'Goal (issue 4): cluster mode holds ≥ 100,000 idle connections on this machine.',
        ...(result.skipped ? [] : measuredNotesOf(result)),
      ],
    },
  ];
}

function measuredNotesOf(result: ClusterBenchResult): string[] {
  return [
    `Dropped during the hold: ${result.closedUnexpectedly}${result.closedUnexpectedly > 0 ? ` (close codes ${JSON.stringify(result.dropCodes)})` : ''}; failed to open: ${result.failed}${result.firstError ? ` (first: ${result.firstError})` : ''}; server-side count from /metrics: ${result.serverConnectionsReported}.`,
    'Each connection is authenticated (HMAC token), registered in Redis (registry hash + presence key) and had its inbox read from PostgreSQL on connect; clients send a WebSocket ping every 20 s.',
  ];
}

function send(child: ChildProcess, command: BenchClientCommand): void {
  if (child.connected) child.send(command);
}

function waitFor(
  child: ChildProcess,
  type: BenchClientReport['type'],
  onOther?: (report: BenchClientReport) => void,
): Promise<BenchClientReport> {
  return new Promise((resolve, reject) => {
    const onMessage = (report: BenchClientReport): void => {
      if (report.type === type) {
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(report);
      } else onOther?.(report);
    };
    const onExit = (code: number | null): void =>
      reject(new Error(`bench client exited (${code}) before '${type}'`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

async function redisUsedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
}

async function scrapeConnections(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const match = /^capsim_connections(?:\{[^}]*\})? (\d+)/m.exec(text);
  return match ? Number(match[1]) : 0;
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const connections = Number(process.argv[2] ?? 100_000);
  const result = await runClusterBench({ connections });
  console.log(JSON.stringify(result, null, 2));
  const command = `node --import tsx reference-server/cluster/bench-cluster.ts ${connections}`;
  for (const section of clusterBenchSections(result, command)) {
    console.log(
      `\n## ${section.title}\n\n| ${section.columns.join(' | ')} |\n|${section.columns.map(() => '---').join('|')}|`,
    );
    for (const row of section.rows) console.log(`| ${row.join(' | ')} |`);
    for (const note of section.notes ?? []) console.log(`- ${note}`);
  }
}
