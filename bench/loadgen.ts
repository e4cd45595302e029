/**
 * `npm run bench -- loadgen`: the load generator's own cost, so a saturated generator is never
 * mistaken for a slow server. Against the bare `ws` relay (bench/bare-relay.ts, a child process):
 * - messages per generator CPU-second: capsim (open-model schedule, HDR histograms, checker) vs.
 *   Artillery's WebSocket engine sending the same 1:1 traffic at the same offered rate;
 * - the maximum on-schedule messages per second on one pinned generator core, both tools
 *   (bench/loadgen-rate.ts);
 * - connections opened per generator CPU-second, both tools;
 * - memory per idle virtual user (capsim);
 * - ≥ 100,000 concurrent connections against a local Redis + PostgreSQL cluster (bench/loadgen-cluster.ts).
 * Artillery is installed on demand into .bench-tools/ (never a project dependency) with
 * PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 (bench/artillery.ts); when it cannot be installed its rows say so.
 */
import type { ChildProcess } from 'node:child_process';
import { forkModule, resolveSiblingModule } from '../common/spawn-module.js';
import { runLoadTest } from '../loadgen/index.js';
import type { InboundEvent, ProtocolAdapter } from '../loadgen/protocol/adapter.js';
import { referenceAdapter } from '../loadgen/protocol/reference.js';
import { artilleryRun, artilleryThroughputScript, ensureArtillery } from './artillery.js';
import { clusterConnectionsSection } from './loadgen-cluster.js';
import { maxRateSection } from './loadgen-rate.js';
import { benchCommand, type BenchSection } from './section.js';

const secret = 'capsim-dev-secret';

/** The bare relay forwards our `send` frame as is: read it back as a delivery numbered per conversation. */
export function bareRelayAdapter(): ProtocolAdapter {
  const reference = referenceAdapter({ tokenSecret: secret });
  const seqs = new Map<string, number>();
  return {
    ...reference,
    name: 'bare-relay',
    encodeGroupCreate: () => null,
    encodeReceipt: () => null,
    encodeSync: () => null,
    encodePing: () => null,
    encodeSend(message) {
      const { conversationId } = message;
      const seq = (seqs.get(conversationId) ?? 0) + 1;
      seqs.set(conversationId, seq);
      // A literal of fixed shape (not a spread) keeps JSON.stringify on its fast path.
      return JSON.stringify({
        type: 'send',
        conversationId,
        idempotencyKey: message.idempotencyKey,
        body: message.body,
        clientTs: message.clientTs,
        seq,
      });
    },
    decode(frame): InboundEvent {
      const value = JSON.parse(frame) as {
        type?: string;
        conversationId?: string;
        seq?: number;
        clientTs?: number;
        idempotencyKey?: string;
      };
      if (value.type === 'hello') return { type: 'hello', heartbeatMs: 3_600_000 };
      if (value.type === 'send') {
        const conversationId = String(value.conversationId);
        return {
          type: 'deliver',
          conversationId,
          seq: Number(value.seq),
          // `dm:a:b` — the relay does not say who sent it (the checker does not need it): the first member.
          senderId: conversationId.slice(3, conversationId.indexOf(':', 3)),
          clientTs: value.clientTs,
          redelivery: false,
        };
      }
      return { type: 'ignored' };
    },
  };
}

export async function startRelay(): Promise<{ wsUrl: string; child: ChildProcess }> {
  const child = forkModule(resolveSiblingModule(import.meta.url, './bare-relay'), ['{"port":0}'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const wsUrl = await new Promise<string>((resolve) =>
    child.on(
      'message',
      (m: { type?: string; wsUrl?: string }) => m.type === 'listening' && resolve(m.wsUrl as string),
    ),
  );
  return { wsUrl, child };
}

const cpuSeconds = (start: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
};

export async function capsimThroughput(wsUrl: string, rate: number, seconds: number) {
  const cpu = process.cpuUsage();
  const result = await runLoadTest(
    {
      name: 'bench',
      load: {
        phases: [{ connections: 200, connectRatePerSecond: 400 }, { duration: seconds }],
        messages: { perSecond: rate, arrival: 'uniform' },
        receipts: false,
        grace: '1s',
      },
    },
    { target: wsUrl, adapter: bareRelayAdapter(), workers: 1, scrapeMetrics: false },
  );
  const used = cpuSeconds(cpu);
  const split = process.cpuUsage(cpu);
  // Generator CPU per second of the hold (the worker samples it into its time series), ramp and last
  // second left out: the share of one core while sending at the offered rate.
  const hold = result.timeSeries.slice(1, -1).filter((row) => row.targetMessagesPerSecond > 0);
  const shares = hold.map((row) => row.generatorCpuCores).sort((a, b) => a - b);
  return {
    scheduled: result.summary.messages.scheduled,
    sent: result.summary.messages.sent,
    delivered: result.checker.deliveries,
    faults: result.checker.duplicated + result.checker.outOfOrder,
    cpuS: used,
    /** Kernel share of the CPU: on loopback a send also pays the peer's TCP receive path. */
    systemS: split.system / 1e6,
    wallS: (result.durationMs + result.drainMs) / 1000,
    sendS: result.durationMs / 1000,
    holdCpuShare: shares.length > 0 ? shares[Math.floor(shares.length / 2)] : Number.NaN,
    p99: result.latency.delivery.p99Ms,
    maxMs: result.latency.delivery.maxMs,
    loopDelayP99Ms: result.environment.workers[0]?.eventLoopDelayP99Ms ?? Number.NaN,
    scheduleLagP95Ms: result.environment.workers[0]?.scheduleLagP95Ms ?? Number.NaN,
    scheduleLagP99Ms: result.environment.workers[0]?.scheduleLagP99Ms ?? Number.NaN,
  };
}

/** Memory per idle virtual user, measured in a fresh child process (bench/loadgen-memory-main.ts). */
async function idleMemoryPerVu(wsUrl: string, users: number): Promise<{ bytesPerVu: number; open: number }> {
  const child = forkModule(resolveSiblingModule(import.meta.url, './loadgen-memory-main'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: ['--expose-gc'],
  });
  return new Promise((resolve) => {
    child.on('message', (message: { type: string; bytesPerVu?: number; open?: number }) => {
      if (message.type === 'ready') child.send({ wsUrl, users });
      if (message.type === 'memory')
        resolve({ bytesPerVu: message.bytesPerVu ?? Number.NaN, open: message.open ?? 0 });
    });
    child.on('exit', () => resolve({ bytesPerVu: Number.NaN, open: 0 }));
  });
}

async function capsimConnections(wsUrl: string, count: number) {
  const cpu = process.cpuUsage();
  const result = await runLoadTest(
    {
      name: 'bench-idle',
      load: {
        phases: [{ connections: count, connectRatePerSecond: count }, { duration: 3 }],
        messages: { perSecond: 0.001 },
        receipts: false,
        grace: '0s',
      },
    },
    {
      target: wsUrl,
      adapter: bareRelayAdapter(),
      workers: 1,
      scrapeMetrics: false,
    },
  );
  return {
    opened: result.latency.connect.count,
    cpuS: cpuSeconds(cpu),
    memory: await idleMemoryPerVu(wsUrl, 5_000),
    maxOpen: result.summary.connections.maxOpen,
  };
}

/** Marginal cost: (messages at long − at short) ÷ (CPU at long − at short) cancels start-up for both tools. */
function marginal(short: { sent: number; cpuS: number }, long: { sent: number; cpuS: number }): number {
  return (long.sent - short.sent) / Math.max(0.001, long.cpuS - short.cpuS);
}

async function generatorCostSection(): Promise<BenchSection> {
  const relay = await startRelay();
  const rate = Number(process.env.CAPSIM_BENCH_LOADGEN_RATE ?? 6000);
  // The long run is 7× the short one so the marginal difference dwarfs start-up noise (Artillery's start-up
  // varies by about a CPU-second between runs).
  const [shortS, longS] = [3, 21];
  const rows: (string | number)[][] = [];
  const notes: string[] = [];
  try {
    const capShort = await capsimThroughput(relay.wsUrl, rate, shortS);
    const capLong = await capsimThroughput(relay.wsUrl, rate, longS);
    const capsimPerCore = marginal(capShort, capLong);
    rows.push([
      'capsim',
      rate,
      capLong.sent,
      capLong.delivered,
      capLong.cpuS.toFixed(2),
      Math.round(capsimPerCore),
      `${((capLong.cpuS / capLong.wallS) * 100).toFixed(0)}%`,
      '1.00',
    ]);
    const connections = await capsimConnections(relay.wsUrl, 1000);
    const capsimConnPerCore = connections.opened / connections.cpuS;
    let artilleryRow: (string | number)[] = [
      'artillery 2 (ws engine)',
      rate,
      'not installed',
      '—',
      '—',
      '—',
      '—',
      '—',
    ];
    let artilleryConn = 'not installed';
    const bin = ensureArtillery();
    if (bin) {
      const artShort = await artilleryRun(bin, artilleryThroughputScript(relay.wsUrl, rate, shortS));
      const artLong = await artilleryRun(bin, artilleryThroughputScript(relay.wsUrl, rate, longS));
      const artPerCore = marginal(artShort, artLong);
      artilleryRow = [
        'artillery 2 (ws engine)',
        rate,
        artLong.sent,
        'not checked',
        artLong.cpuS.toFixed(2),
        Math.round(artPerCore),
        `${((artLong.cpuS / artLong.wallS) * 100).toFixed(0)}%`,
        (capsimPerCore / artPerCore).toFixed(2),
      ];
      const connScript = artilleryThroughputScript(relay.wsUrl, 1, 1) as {
        config: { phases: object[] };
        scenarios: { flow: object[] }[];
      };
      connScript.config.phases = [{ duration: 2, arrivalRate: 500 }];
      connScript.scenarios[0].flow = [connScript.scenarios[0].flow[0], { think: 1 }];
      const artConn = await artilleryRun(bin, connScript);
      const artConnPerCore = artConn.vusers / Math.max(0.001, artConn.cpuS);
      artilleryConn = `${artConn.vusers} opened, ${artConn.cpuS.toFixed(2)} CPU-s incl. start-up → ${Math.round(artConnPerCore)}/CPU-s (capsim ÷ Artillery ${(capsimConnPerCore / artConnPerCore).toFixed(2)})`;
    } else notes.push('Artillery could not be installed into .bench-tools/ (offline?): its rows are empty.');
    rows.push(artilleryRow);
    notes.push(
      `Same offered load for both: 200 users in 100 1:1 pairs, ${rate} messages/s, 64-byte bodies, through the bare relay (bench/bare-relay.ts, a child process).`,
      `messages per CPU-second is marginal: (sent at ${longS} s − sent at ${shortS} s) ÷ (generator CPU at ${longS} s − at ${shortS} s), so neither tool's start-up counts. capsim also timestamps, checks and histograms every delivery; Artillery checks nothing.`,
      'Goal: capsim ≥ 5× Artillery per core. CPU share = generator CPU-seconds ÷ wall seconds of the long run (the shared machine has other load; compare ratios).',
      "Artillery paces each user with `think` written in milliseconds: Artillery reads a think that is not a whole number as milliseconds, so tables before this fix (think: 0.0333) compared capsim at the offered rate with Artillery sending flat out. The maximum rate each keeps on one pinned core is the next section's (CAPSIM_BENCH_ONLY=loadgen-rate).",
      `Connections opened per CPU-second: capsim ${connections.opened} opened with ${connections.cpuS.toFixed(2)} CPU-s → ${Math.round(capsimConnPerCore)}/CPU-s; Artillery: ${artilleryConn}.`,
      `Memory per idle virtual user (capsim, ${connections.memory.open} idle connections in a fresh child process, bench/loadgen-memory-main.ts): (RSS after forced GC with all open − RSS after forced GC before any) ÷ users = ${(connections.memory.bytesPerVu / 1024).toFixed(1)} KiB.`,
    );
  } finally {
    relay.child.send({ type: 'close' });
    setTimeout(() => relay.child.kill(), 1000).unref();
  }
  return {
    title: 'Load generator cost: capsim vs Artillery against the bare ws relay',
    command: benchCommand('loadgen', ['CAPSIM_BENCH_ONLY', 'CAPSIM_BENCH_LOADGEN_RATE']),
    columns: [
      'generator',
      'offered msg/s',
      'sent (long run)',
      'delivered (checked)',
      'generator CPU-s (long run)',
      'messages per CPU-second',
      'generator CPU share',
      'capsim ÷ peer',
    ],
    rows,
    notes,
  };
}

/**
 * CAPSIM_BENCH_ONLY=loadgen-cost,loadgen-rate,loadgen-cluster picks sections (default all three): the
 * rate section steps each generator up on one pinned core (bench/loadgen-rate.ts, ~3 min); the cluster
 * section holds ≥ 100,000 connections from this machine's generator to a local cluster (~8 min).
 */
export async function run(): Promise<BenchSection[]> {
  const only = new Set(
    (process.env.CAPSIM_BENCH_ONLY ?? 'loadgen-cost,loadgen-rate,loadgen-cluster').split(','),
  );
  const sections: BenchSection[] = [];
  if (only.has('loadgen-cost')) sections.push(await generatorCostSection());
  if (only.has('loadgen-rate')) sections.push(await maxRateSection());
  if (only.has('loadgen-cluster')) sections.push(await clusterConnectionsSection());
  return sections;
}
