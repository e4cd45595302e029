/**
 * Runs one segment of a load test inside one process: the segment's virtual users, their connection
 * ramp (phases), the open-model message schedule, the drain (grace) phase and the per-second stats.
 *
 * Open model: arrival times are drawn from the schedule (Poisson or uniform at the planned rate),
 * never from responses. The loop wakes every few ms and emits every arrival whose intended time has
 * passed, each stamped with its own intended time — so if the process stalls for 300 ms, the
 * messages due in that window go out late with early `clientTs` and their latency shows the stall.
 */
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DeliveryChecker, type CheckerCounts, type CheckerSample } from '../metrics/checker.js';
import { LatencyHistogram, type EncodedHistogram } from '../metrics/latency-histogram.js';
import { TimeSeries, type SecondStats } from '../metrics/time-series.js';
import type { PlannedConversation, ProtocolAdapter } from '../protocol/adapter.js';
import type { ResolvedLoad } from '../resolve-load.js';
import { nowMs } from './clock.js';
import { createPrng } from './prng.js';
import { VirtualUser, type VuCounters, type VuContext } from './virtual-user.js';
import { splitTargets } from '../targets.js';

export interface SegmentAssignment {
  runId: string;
  target: string;
  plan: ResolvedLoad;
  workerIndex: number;
  workerCount: number;
  conversations: PlannedConversation[];
  totalUsers: number;
  /** Local source addresses to spread client sockets over (127.0.0.2, …); empty = OS default. */
  sourceAddresses: string[];
}

export interface WorkerResult {
  workerIndex: number;
  host: string;
  pid: number;
  users: number;
  counters: VuCounters & { scheduled: number; unacked: number; maxOpenConnections: number };
  checker: CheckerCounts;
  checkerSamples: CheckerSample[];
  histograms: {
    connect: EncodedHistogram;
    ack: EncodedHistogram;
    delivery: EncodedHistogram;
    inbox: EncodedHistogram;
  };
  series: SecondStats[];
  cpu: { userMs: number; systemMs: number; wallMs: number; cores: number };
  eventLoopDelayP99Ms: number;
  /** How late the schedule ran: emit time − intended time of every scheduled message (ms). */
  scheduleLag: { p95Ms: number; p99Ms: number; maxMs: number };
  drainMs: number;
}

/** A live view for dashboards and the coordinator, sent once a second. */
export interface WorkerSnapshot {
  workerIndex: number;
  row: SecondStats;
  openConnections: number;
  counters: { sent: number; acked: number; delivered: number; errors: number; connectErrors: number };
  checker: { outstanding: number; duplicated: number; outOfOrder: number };
  histograms: { ack: EncodedHistogram; delivery: EncodedHistogram };
}

export interface SegmentHooks {
  adapter: ProtocolAdapter;
  onSecond?(snapshot: WorkerSnapshot): void;
  /** Stops sending early (Ctrl-C); the drain still runs. */
  signal?: AbortSignal;
}

const tickMs = 5;
/** Receipts are batched per conversation and sent this often (a receipt covers every earlier seq). */
const receiptIntervalMs = 250;

export async function runSegment(
  assignment: SegmentAssignment,
  startAtMs: number,
  hooks: SegmentHooks,
): Promise<WorkerResult> {
  const { plan } = assignment;
  const random = createPrng(plan.seed * 7919 + assignment.workerIndex + 1);
  const checker = new DeliveryChecker();
  const histograms = {
    connect: new LatencyHistogram(),
    ack: new LatencyHistogram(),
    delivery: new LatencyHistogram(),
    inbox: new LatencyHistogram(),
  };
  const series = new TimeSeries(startAtMs);
  const counters: VuCounters = {
    connectAttempts: 0,
    connectErrors: 0,
    reconnects: 0,
    sent: 0,
    resent: 0,
    acked: 0,
    ackDuplicates: 0,
    sendErrors: 0,
    retries: 0,
    deliveries: 0,
    errorsByCode: {},
    closesByCode: {},
  };
  const created = new Set<string>();
  const targets = splitTargets(assignment.target);
  const vus: VirtualUser[] = [];
  const byConversation = new Map<string, VirtualUser[]>();
  let connectionIds = 0;
  const context: VuContext = {
    adapter: hooks.adapter,
    checker,
    histograms,
    series,
    counters,
    receipts: plan.receipts,
    reconnectInitialMs: plan.reconnectInitialMs,
    reconnectMaxMs: plan.reconnectMaxMs,
    createdConversations: created,
    onConversationCreated(conversationId) {
      if (created.has(conversationId)) return;
      created.add(conversationId);
      for (const vu of byConversation.get(conversationId) ?? []) vu.flush();
    },
    nextConnectionId: () => ++connectionIds,
    random,
    sendBatch: null,
  };
  const batch: VirtualUser[] = [];
  for (const conversation of assignment.conversations) {
    checker.addConversation(conversation.conversationId, conversation.members);
    const members: VirtualUser[] = [];
    for (const userId of conversation.members) {
      const address =
        assignment.sourceAddresses.length > 0
          ? assignment.sourceAddresses[vus.length % assignment.sourceAddresses.length]
          : undefined;
      // Several targets (the instances of a cluster without a load balancer): users round-robin over them.
      const target = targets[(vus.length + assignment.workerIndex) % targets.length];
      const vu = new VirtualUser(userId, conversation, context, target, address, plan.heartbeatMs);
      vus.push(vu);
      members.push(vu);
    }
    byConversation.set(conversation.conversationId, members);
  }
  const share = vus.length / Math.max(1, assignment.totalUsers);
  // Planned offline users: a seeded random subset leaves at `atMs` for `awayMs`.
  const offline = new Set<number>();
  if (plan.offline) {
    const ranks = vus.map((_, i) => i);
    for (let i = ranks.length - 1; i > 0; i -= 1) {
      const j = Math.floor(random() * (i + 1));
      [ranks[i], ranks[j]] = [ranks[j], ranks[i]];
    }
    for (const rank of ranks.slice(0, Math.round(plan.offline.fraction * vus.length))) offline.add(rank);
  }
  const isAway = (rank: number, t: number) =>
    plan.offline !== null &&
    offline.has(rank) &&
    t >= plan.offline.atMs &&
    t < plan.offline.atMs + plan.offline.awayMs;
  const phaseAt = (t: number) =>
    plan.phases.find((p) => t >= p.startMs && t < p.startMs + p.durationMs) ??
    plan.phases[plan.phases.length - 1];
  const targetConnections = (t: number) => {
    const phase = phaseAt(t);
    const progress =
      phase.durationMs > 0 ? Math.min(1, Math.max(0, (t - phase.startMs) / phase.durationMs)) : 1;
    const global = phase.fromConnections + (phase.toConnections - phase.fromConnections) * progress;
    return Math.min(vus.length, Math.round(global * share));
  };
  // Rate at time t (messages/s for this segment): per online user, or the segment's share of the
  // total scaled by how many of its connections are planned to be up.
  const rateAt = (t: number, online: number) => {
    const multiplier = phaseAt(t).messageRateMultiplier;
    if ('perUserPerSecond' in plan.messageRate)
      return plan.messageRate.perUserPerSecond * online * multiplier;
    return plan.messageRate.totalPerSecond * share * (vus.length > 0 ? online / vus.length : 0) * multiplier;
  };
  const plannedOnline = (t: number) => {
    const target = targetConnections(t);
    let away = 0;
    if (plan.offline) for (const rank of offline) if (rank < target && isAway(rank, t)) away += 1;
    return { target, online: target - away };
  };

  const body = 'x'.repeat(plan.bodyBytes);
  let messageCounter = 0;
  const keyPrefix = `${assignment.runId}.${assignment.workerIndex}.`;
  let scheduled = 0;
  // The generator's own lag behind its open-model schedule, per message: a tick's quantum when it keeps
  // up, growing when the generator (not the server) is the bottleneck.
  const scheduleLag = new LatencyHistogram();
  const emit = (intendedMs: number, t: number, target: number) => {
    // Choose a sender among the users planned to be online at the intended time.
    for (let attempt = 0; attempt < 8; attempt += 1) {
      const rank = Math.floor(random() * target);
      if (isAway(rank, t)) continue;
      const vu = vus[rank];
      scheduled += 1;
      scheduleLag.recordMs(nowMs() - intendedMs);
      vu.enqueue({
        conversationId: vu.conversation.conversationId,
        idempotencyKey: keyPrefix + messageCounter++,
        body,
        clientTs: intendedMs,
      });
      return;
    }
  };

  await sleepUntil(startAtMs);
  const cpuStart = process.cpuUsage();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  let nextArrivalMs = startAtMs;
  let lastControlMs = 0;
  let lastReceiptsMs = 0;
  let lastSecond = -1;
  let lastCpu = process.cpuUsage();
  let lastCpuWall = nowMs();
  let maxOpen = 0;
  const openCount = () => vus.reduce((n, vu) => n + (vu.ready ? 1 : 0), 0);
  const endSendMs = startAtMs + plan.durationMs;

  /**
   * Gauges for seconds `from` … `through`, sampled now. Normally that is one second (the one that just
   * ended); after a stall longer than a second (a busy or paused event loop) every second the loop slept
   * through carries the same sample, the last known value, so no row of this worker is left without
   * gauges (a summed time series would dip by this worker's share). One snapshot goes out either way.
   */
  const publishSeconds = (from: number, through: number, now: number, target: number) => {
    const open = openCount();
    maxOpen = Math.max(maxOpen, open);
    const t = now - startAtMs;
    const targetRate = t < plan.durationMs ? rateAt(t, plannedOnline(t).online) : 0;
    const cpu = process.cpuUsage(lastCpu);
    const cpuCores = (cpu.user + cpu.system) / 1000 / Math.max(1, now - lastCpuWall);
    lastCpu = process.cpuUsage();
    lastCpuWall = now;
    let row = series.row(from);
    for (let second = from; second <= through; second += 1) {
      row = series.row(second);
      row.openConnections = open;
      row.targetConnections = target;
      row.targetMessagesPerSecond = targetRate;
      row.generatorCpuCores = cpuCores;
    }
    if (hooks.onSecond) {
      const checked = checker.liveCounts();
      hooks.onSecond({
        workerIndex: assignment.workerIndex,
        row: { ...row },
        openConnections: open,
        counters: {
          sent: counters.sent,
          acked: counters.acked,
          delivered: checked.firstDeliveries,
          errors: Object.values(counters.errorsByCode).reduce((a, b) => a + b, 0),
          connectErrors: counters.connectErrors,
        },
        checker: {
          outstanding: checker.outstanding,
          duplicated: checked.duplicated,
          outOfOrder: checked.outOfOrder,
        },
        histograms: { ack: histograms.ack.encode(), delivery: histograms.delivery.encode() },
      });
    }
  };
  /** On entering `second`: gauges for every second since the last one published, up to `second` − 1. */
  const enterSecond = (second: number, now: number, target: number) => {
    if (second === lastSecond) return;
    if (lastSecond >= 0) publishSeconds(lastSecond, second - 1, now, target);
    lastSecond = second;
  };

  // Main loop: connection control every 50 ms, arrivals every tick, stats every second.
  while (true) {
    const now = nowMs();
    const t = now - startAtMs;
    const stopped = hooks.signal?.aborted === true;
    if (now >= endSendMs || stopped) break;
    const { target } = plannedOnline(t);
    if (now - lastControlMs >= 50) {
      lastControlMs = now;
      vus.forEach((vu, rank) => vu.setOnline(rank < target && !isAway(rank, t)));
      for (const vu of vus) if (vu.ready && now - vu.lastPingMs >= vu.heartbeatMs) vu.ping(now);
    }
    if (now - lastReceiptsMs >= receiptIntervalMs) {
      lastReceiptsMs = now;
      for (const vu of vus) vu.flushReceipts();
    }
    context.sendBatch = batch;
    while (nextArrivalMs <= now && nextArrivalMs < endSendMs) {
      const at = nextArrivalMs - startAtMs;
      const planned = plannedOnline(at);
      const rate = rateAt(at, planned.online);
      if (rate > 0 && planned.online > 0) emit(nextArrivalMs, at, planned.target);
      nextArrivalMs +=
        rate <= 0 ? 50 : plan.arrival === 'uniform' ? 1000 / rate : (-Math.log(1 - random()) / rate) * 1000;
    }
    context.sendBatch = null;
    for (const vu of batch) vu.uncork();
    batch.length = 0;
    enterSecond(series.secondOf(now), now, target);
    await sleep(tickMs);
  }

  // Drain: no new messages; bring back anyone still owed a delivery or holding un-ACKed messages,
  // and wait until the books balance or the grace period ends.
  const drainStart = nowMs();
  let lastOwedCheck = 0;
  while (nowMs() - drainStart < plan.graceMs) {
    const now = nowMs();
    const pending = vus.some((vu) => vu.pendingCount > 0);
    if (checker.outstanding === 0 && !pending) break;
    if (now - lastOwedCheck >= 250) {
      lastOwedCheck = now;
      const owed = checker.usersOwed();
      for (const vu of vus) if (owed.has(vu.userId) || vu.pendingCount > 0) vu.setOnline(true);
      for (const vu of vus) if (vu.ready && now - vu.lastPingMs >= vu.heartbeatMs) vu.ping(now);
      for (const vu of vus) vu.flushReceipts();
    }
    enterSecond(series.secondOf(now), now, 0);
    await sleep(20);
  }
  const drainMs = nowMs() - drainStart;
  const endMs = nowMs();
  // The last (partial) second, and any the final sleep crossed into, get the final sample.
  publishSeconds(Math.max(0, lastSecond), Math.max(lastSecond, series.secondOf(endMs)), endMs, 0);
  const cpu = process.cpuUsage(cpuStart);
  const wallMs = nowMs() - startAtMs;
  loopDelay.disable();
  const unacked = vus.reduce((n, vu) => n + vu.pendingCount, 0);
  for (const vu of vus) vu.flushReceipts();
  for (const vu of vus) vu.close();
  await sleep(50);

  return {
    workerIndex: assignment.workerIndex,
    host: os.hostname(),
    pid: process.pid,
    users: vus.length,
    counters: { ...counters, scheduled, unacked, maxOpenConnections: maxOpen },
    checker: checker.result(),
    checkerSamples: checker.faultSamples(),
    histograms: {
      connect: histograms.connect.encode(),
      ack: histograms.ack.encode(),
      delivery: histograms.delivery.encode(),
      inbox: histograms.inbox.encode(),
    },
    series: series.all(),
    cpu: { userMs: cpu.user / 1000, systemMs: cpu.system / 1000, wallMs, cores: os.availableParallelism() },
    eventLoopDelayP99Ms: loopDelay.count > 0 ? loopDelay.percentile(99) / 1e6 : 0,
    scheduleLag: {
      p95Ms: scheduleLag.percentileMs(95),
      p99Ms: scheduleLag.percentileMs(99),
      maxMs: scheduleLag.stats().maxMs,
    },
    drainMs,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function sleepUntil(timeMs: number): Promise<void> {
  const wait = timeMs - nowMs();
  if (wait > 0) await sleep(wait);
}
