/**
 * `npm run bench -- server`: the reference server's full embedded pipeline against a bare `ws` relay
 * (bench/bare-relay.ts), driven by the same client process (bench/server-client.ts):
 * 1. delivered messages/s and ACK/delivery p50/p99 (pipeline with group commit, pipeline with batch size 1,
 *    relay);
 * 2. RSS per idle authenticated connection at 10,000 connections and at the per-process limit;
 * 3. storage transactions/s and messages/s with and without batching (SqliteMessageStore directly);
 * 4. cluster mode (Redis + PostgreSQL, reference-server/cluster/): idle authenticated connections held by
 *    a local cluster (goal 100,000) and same- vs cross-instance delivery throughput; skipped with a note
 *    when Redis or PostgreSQL is unreachable.
 * Servers and clients each run in their own process. CAPSIM_BENCH_SCALE=small runs a short, small
 * version (a shared machine); unset or `full` is the full scale of the goals.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteMessageStore } from '../reference-server/embedded/sqlite-store.js';
import type { AppendItem } from '../reference-server/contracts.js';
import type { BenchSection } from './section.js';
import { spawn, startPipeline, startRelay, type Child, type ServerTarget } from './server-targets.js';

const small = process.env.CAPSIM_BENCH_SCALE === 'small';
const scale = small
  ? {
      pairs: 20,
      window: 50,
      warmupMs: 1_000,
      durationMs: 4_000,
      idleCounts: [1_000, 2_000],
      storeMessages: 5_000,
      clusterConnections: 2_000,
      clusterHoldMs: 3_000,
      clusterThroughput: { pairs: 10, window: 5, warmupMs: 500, durationMs: 2_000 },
    }
  : {
      pairs: 100,
      window: 20,
      warmupMs: 3_000,
      durationMs: 15_000,
      idleCounts: [10_000, 19_000],
      storeMessages: 50_000,
      clusterConnections: 100_000,
      clusterHoldMs: 15_000,
      clusterThroughput: { pairs: 50, window: 10, warmupMs: 1_000, durationMs: 5_000 },
    };
/** CAPSIM_BENCH_ONLY=throughput,idle,storage,cluster-idle,cluster-throughput runs a subset of the sections. */
const only = new Set(
  (process.env.CAPSIM_BENCH_ONLY ?? 'throughput,idle,storage,cluster-idle,cluster-throughput').split(','),
);
const sourceAddresses = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'];
// CAPSIM_BENCH_IDLE=10000,19000 overrides the idle connection counts (cheap even on a busy machine).
if (process.env.CAPSIM_BENCH_IDLE !== undefined) {
  scale.idleCounts = process.env.CAPSIM_BENCH_IDLE.split(',').map(Number);
}
// CAPSIM_BENCH_CLUSTER_CONNECTIONS=20000 overrides the cluster's idle connection target.
if (process.env.CAPSIM_BENCH_CLUSTER_CONNECTIONS !== undefined) {
  scale.clusterConnections = Number(process.env.CAPSIM_BENCH_CLUSTER_CONNECTIONS);
}

interface ThroughputResult {
  deliveredPerSecond: number;
  ackedPerSecond: number;
  errors: number;
  ackP50Ms: number | null;
  ackP99Ms: number | null;
  deliveryP50Ms: number | null;
  deliveryP99Ms: number | null;
  /** CPU-seconds per second of the client process / the server process (all threads) while measured. */
  clientCpuShare: number;
  serverCpuShare: number | null;
}

async function measureThroughput(target: ServerTarget, tag: string): Promise<ThroughputResult> {
  const client = await spawn('./server-client', [], 'ready');
  try {
    return await client.request<ThroughputResult>(
      {
        type: 'throughput',
        wsUrl: target.wsUrl,
        tag,
        pairs: scale.pairs,
        window: scale.window,
        warmupMs: scale.warmupMs,
        durationMs: scale.durationMs,
        serverPid: target.child.process.pid,
      },
      'throughput-result',
    );
  } finally {
    await client.stop();
  }
}

/** RSS growth per idle authenticated connection: (RSS after − RSS before) / connections, after GC. */
async function measureIdle(
  start: () => Promise<ServerTarget>,
  count: number,
): Promise<{ bytesPerConnection: number; opened: number }> {
  const target = await start();
  const clients: Child[] = [];
  try {
    const before = await target.child.request<{ rssBytes: number }>({ type: 'rss' }, 'rss');
    // Each client process stays well under the 20,000 open-files limit.
    const perClient = 9_500;
    let opened = 0;
    for (let offset = 0; offset < count; offset += perClient) {
      const client = await spawn('./server-client', [], 'ready');
      clients.push(client);
      const result = await client.request<{ opened: number }>(
        {
          type: 'idle',
          wsUrl: target.wsUrl,
          count: Math.min(perClient, count - offset),
          addresses: sourceAddresses,
          tag: `c${offset}`,
        },
        'idle-ready',
      );
      opened += result.opened;
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const after = await target.child.request<{ rssBytes: number }>({ type: 'rss' }, 'rss');
    return { bytesPerConnection: (after.rssBytes - before.rssBytes) / Math.max(1, opened), opened };
  } finally {
    for (const client of clients) await client.stop();
    await target.dispose();
  }
}

async function measureStorage(
  batchSize: number,
): Promise<{ transactionsPerSecond: number; messagesPerSecond: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'capsim-bench-store-'));
  const store = new SqliteMessageStore({ dataDir, synchronous: 'full' });
  await store.init();
  const total = batchSize === 1 ? Math.min(scale.storeMessages, 5_000) : scale.storeMessages;
  const item = (i: number): AppendItem => ({
    message: {
      conversationId: `dm:b${i % 500}:c${i % 500}`,
      seq: Math.floor(i / 500) + 1,
      messageId: '',
      senderId: `b${i % 500}`,
      senderDeviceId: 'd',
      idempotencyKey: `k${i}`,
      body: 'x'.repeat(100),
      clientTs: null,
      serverTs: Date.now(),
    },
    inboxUserIds: [`c${i % 500}`],
  });
  const start = performance.now();
  let transactions = 0;
  for (let i = 0; i < total; i += batchSize) {
    await store.appendBatch(Array.from({ length: Math.min(batchSize, total - i) }, (_, j) => item(i + j)));
    transactions += 1;
  }
  const seconds = (performance.now() - start) / 1000;
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
  return { transactionsPerSecond: transactions / seconds, messagesPerSecond: total / seconds };
}

const fmt = (value: number | null, digits = 1) => (value === null ? 'n/a' : value.toFixed(digits));

export async function run(): Promise<BenchSection[]> {
  const env = [
    'CAPSIM_BENCH_SCALE',
    'CAPSIM_BENCH_IDLE',
    'CAPSIM_BENCH_CLUSTER_CONNECTIONS',
    'CAPSIM_BENCH_ONLY',
  ]
    .filter((name) => process.env[name] !== undefined)
    .map((name) => `${name}=${process.env[name]} `)
    .join('');
  const command = `${env}npm run bench -- server`;
  const idleNote = `${scale.idleCounts.join(' and ')} connections.`;
  const scaleNote = small
    ? 'SMALL scale (shared machine): short run, few connections — ratios indicative only; re-run without CAPSIM_BENCH_SCALE for the goals.'
    : 'Full scale.';

  const sections: BenchSection[] = [];
  if (only.has('throughput')) sections.push(await throughputSection(command, scaleNote));
  if (only.has('idle')) sections.push(await idleSection(command, small ? idleNote : scaleNote));
  if (only.has('storage')) sections.push(await storageSection(command, scaleNote));
  if (only.has('cluster-idle')) sections.push(...(await clusterIdleSections(command, scaleNote)));
  if (only.has('cluster-throughput'))
    sections.push(...(await clusterThroughputBenchSections(command, scaleNote)));
  return sections;
}

const clusterSkipNote = (reason: string): string =>
  `SKIPPED: ${reason.replace(/\.$/, '')}. Cluster mode needs Redis (127.0.0.1:6379 or CAPSIM_TEST_REDIS_URL) and PostgreSQL (127.0.0.1:5432 as postgres/root with trust auth, or CAPSIM_TEST_POSTGRES_URL).`;

/** Idle connections held by a local cluster (reference-server/cluster/bench-cluster.ts). */
async function clusterIdleSections(command: string, scaleNote: string): Promise<BenchSection[]> {
  const { runClusterBench, clusterBenchSections } =
    await import('../reference-server/cluster/bench-cluster.js');
  const few = scale.clusterConnections < 20_000;
  const result = await runClusterBench({
    connections: scale.clusterConnections,
    holdMs: scale.clusterHoldMs,
    // Few connections: two instances and one client process show the per-connection costs.
    ...(few ? { instances: 2, clientProcesses: 1 } : {}),
  });
  return clusterBenchSections(result, command).map((section) => ({
    ...section,
    notes: [
      ...(section.notes ?? []),
      ...(result.skipped !== undefined ? [clusterSkipNote(result.skipped)] : []),
      `Target ${scale.clusterConnections.toLocaleString('en-US')} connections, held ${scale.clusterHoldMs / 1000} s. ${scaleNote}`,
    ],
  }));
}

/** Same-instance vs cross-instance delivery (reference-server/cluster/bench-cluster-throughput.ts). */
async function clusterThroughputBenchSections(command: string, scaleNote: string): Promise<BenchSection[]> {
  const { runClusterThroughputBench, clusterThroughputSections } =
    await import('../reference-server/cluster/bench-cluster-throughput.js');
  const result = await runClusterThroughputBench(scale.clusterThroughput);
  return clusterThroughputSections(result, command).map((section) => ({
    ...section,
    notes: [
      ...(section.notes ?? []),
      ...(result.skipped !== undefined ? [clusterSkipNote(result.skipped)] : []),
      scaleNote,
    ],
  }));
}

/** Rounds of relay-then-pipeline: the machine's speed drifts between runs, a round's ratio does not. */
const throughputRounds = small ? 1 : 5;

async function throughputSection(command: string, scaleNote: string): Promise<BenchSection> {
  const servers = [
    ['bare ws relay', startRelay],
    ['reference pipeline (group commit 100 / 5 ms)', () => startPipeline()],
  ] as const;
  const runs: ThroughputResult[][] = [[], []];
  for (let round = 0; round < throughputRounds; round += 1) {
    for (const [index, [name, start]] of servers.entries()) {
      const target = await start();
      try {
        runs[index].push(await measureThroughput(target, `${name.replace(/\W+/g, '').slice(0, 10)}${round}`));
      } finally {
        await target.dispose();
      }
    }
  }
  const unbatched = await startPipeline({
    writeBuffer: { maxMessages: 1, maxDelayMs: 0, maxBatchMessages: 1 },
  });
  let batchOne: ThroughputResult;
  try {
    batchOne = await measureThroughput(unbatched, 'batch1');
  } finally {
    await unbatched.dispose();
  }
  const ratios = runs[1].map((r, i) => r.deliveredPerSecond / runs[0][i].deliveredPerSecond);
  // The round with the median ratio is shown whole (its relay and its pipeline), so the row agrees.
  const medianRound = ratios.indexOf([...ratios].sort((a, b) => a - b)[(ratios.length - 1) >> 1]);
  const relay = runs[0][medianRound];
  const pipeline = runs[1][medianRound];
  const share = (value: number | null) => (value === null ? 'n/a' : `${Math.round(value * 100)}%`);
  const row = (name: string, r: ThroughputResult, ratio: string) => [
    name,
    Math.round(r.deliveredPerSecond),
    ratio,
    fmt(r.ackP50Ms, 2),
    fmt(r.ackP99Ms, 2),
    fmt(r.deliveryP50Ms, 2),
    fmt(r.deliveryP99Ms, 2),
    share(r.serverCpuShare),
    share(r.clientCpuShare),
    r.errors,
  ];
  return {
    title: 'Reference server: full pipeline vs bare ws relay (throughput, latency)',
    command,
    columns: [
      'server',
      'delivered msg/s',
      '× relay',
      'ACK p50 ms',
      'ACK p99 ms',
      'delivery p50 ms',
      'delivery p99 ms',
      'server CPU',
      'client CPU',
      'errors',
    ],
    rows: [
      row(servers[0][0], relay, '1.00'),
      row(servers[1][0], pipeline, ratios[medianRound].toFixed(2)),
      row(
        'reference pipeline (batch size 1)',
        batchOne,
        (batchOne.deliveredPerSecond / relay.deliveredPerSecond).toFixed(2),
      ),
    ],
    notes: [
      `${scale.pairs} sender→recipient pairs, ${scale.window} messages in flight per sender (closed loop on delivery), 100-byte bodies, ${scale.durationMs / 1000} s after ${scale.warmupMs / 1000} s warm-up; server and client in separate processes.`,
      'Pipeline = validate, rate-limit, idempotency lookup, sequence, group commit to SQLite (WAL, synchronous=FULL), ACK after commit, fan-out. The relay has no ACK.',
      `${throughputRounds} rounds of relay then pipeline (the machine's disk and CPU speed drift between runs; a round's ratio drifts less). Shown: the round with the median ratio. All rounds, relay / pipeline msg/s (ratio): ${runs[0].map((r, i) => `${Math.round(r.deliveredPerSecond)} / ${Math.round(runs[1][i].deliveredPerSecond)} (${ratios[i].toFixed(2)})`).join('; ')}. The batch-size-1 row is one run, against that round's relay.`,
      'Server CPU = CPU-seconds per second of the server process, all threads (SQLite writer, GC); client CPU = the one client process driving both. 2 cores in all.',
      'Goal: pipeline delivers ≥ 0.50 × the relay.',
      scaleNote,
    ],
  };
}

async function idleSection(command: string, scaleNote: string): Promise<BenchSection> {
  const idleRows: (string | number)[][] = [];
  for (const count of scale.idleCounts) {
    const relay = await measureIdle(startRelay, count);
    const pipeline = await measureIdle(() => startPipeline(), count);
    idleRows.push([
      count,
      `${relay.opened} / ${pipeline.opened}`,
      (relay.bytesPerConnection / 1024).toFixed(2),
      (pipeline.bytesPerConnection / 1024).toFixed(2),
      (pipeline.bytesPerConnection / relay.bytesPerConnection).toFixed(2),
    ]);
  }
  return {
    title: 'Reference server: RSS per idle authenticated connection',
    command,
    columns: [
      'connections',
      'opened (relay / pipeline)',
      'relay KiB/conn',
      'pipeline KiB/conn',
      'pipeline ÷ relay',
    ],
    rows: idleRows,
    notes: [
      '(RSS after − RSS before) / connections, after a forced GC in the server process; clients in separate processes over 127.0.0.2–5.',
      'Goals: pipeline ≤ 1.5 × relay; one process holds ≥ 19,000 (open-files hard limit 20,000 here).',
      scaleNote,
    ],
  };
}

async function storageSection(command: string, scaleNote: string): Promise<BenchSection> {
  const batched = await measureStorage(100);
  const single = await measureStorage(1);
  return {
    title: 'Reference server: SQLite storage with and without batching',
    command,
    columns: ['write mode', 'transactions/s', 'messages/s', 'messages/s ÷ unbatched'],
    rows: [
      [
        '1 message per transaction',
        Math.round(single.transactionsPerSecond),
        Math.round(single.messagesPerSecond),
        '1.00',
      ],
      [
        '100 messages per transaction',
        Math.round(batched.transactionsPerSecond),
        Math.round(batched.messagesPerSecond),
        (batched.messagesPerSecond / single.messagesPerSecond).toFixed(1),
      ],
    ],
    notes: [
      'SqliteMessageStore.appendBatch (message + idempotency key; the inbox is derived from delivered cursors, schema v2), WAL, synchronous=FULL, one process.',
      "Seed 001's claim: batching 100 messages per transaction turns 1M msg/s into 10K transactions/s.",
      scaleNote,
    ],
  };
}
