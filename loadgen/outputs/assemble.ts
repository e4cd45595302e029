/**
 * Builds the results document from every worker's result: histograms merged exactly, counters and
 * per-second rows summed, checker counts summed (conversations never span workers), and thresholds
 * evaluated once over the merged figures.
 */
import os from 'node:os';
import type { WorkerResult } from '../executors/segment-runner.js';
import { addCheckerCounts, emptyCheckerCounts } from '../metrics/checker.js';
import { LatencyHistogram } from '../metrics/latency-histogram.js';
import type { ScrapeSample } from '../metrics/scrape.js';
import { mergeSeries } from '../metrics/time-series.js';
import type { ResolvedLoad, SliceSpec } from '../resolve-load.js';
import { evaluateThresholds, type ThresholdMetrics } from '../thresholds.js';
import { LOADTEST_RESULT_VERSION, type HttpPhaseResult, type LoadTestResult } from './result-schema.js';

export interface AssembleInput {
  runId: string;
  scenarioName: string;
  load: Record<string, unknown>;
  plan: ResolvedLoad;
  target: string;
  slice: SliceSpec | null;
  step?: { index: number; messageRateFactor: number } | null;
  startedAt: Date;
  adapter: string;
  sourceAddresses: string[];
  workers: WorkerResult[];
  clocks: ({ offsetMs: number; errorMs: number } | null)[];
  server: { url: string; samples: ScrapeSample[] } | null;
  http: HttpPhaseResult[];
}

/** A worker is "saturated" above this share of one core: its latencies may be the generator's own. */
const saturationShare = 0.85;

export function assembleResult(input: AssembleInput): LoadTestResult {
  const { workers, plan } = input;
  const sum = (pick: (w: WorkerResult) => number) => workers.reduce((total, w) => total + pick(w), 0);
  const merge = (pick: (w: WorkerResult) => Parameters<typeof LatencyHistogram.decode>[0]) =>
    LatencyHistogram.merge(workers.map(pick));
  const connect = merge((w) => w.histograms.connect);
  const ack = merge((w) => w.histograms.ack);
  const delivery = merge((w) => w.histograms.delivery);
  const inbox = merge((w) => w.histograms.inbox);
  const httpHistogram = LatencyHistogram.merge(input.http.map((h) => h.histogram));
  const checker = workers.map((w) => w.checker).reduce(addCheckerCounts, emptyCheckerCounts());
  const series = mergeSeries(workers.map((w) => w.series));
  const errorsByCode: Record<string, number> = {};
  const closesByCode: Record<string, number> = {};
  for (const w of workers) {
    for (const [code, n] of Object.entries(w.counters.errorsByCode))
      errorsByCode[code] = (errorsByCode[code] ?? 0) + n;
    for (const [code, n] of Object.entries(w.counters.closesByCode))
      closesByCode[code] = (closesByCode[code] ?? 0) + n;
  }
  const sendSeconds = Math.max(plan.durationMs / 1000, 0.001);
  const counters = {
    attempts: sum((w) => w.counters.connectAttempts),
    errors: sum((w) => w.counters.connectErrors),
    reconnects: sum((w) => w.counters.reconnects),
    sent: sum((w) => w.counters.sent),
    acked: sum((w) => w.counters.acked),
    unacked: sum((w) => w.counters.unacked),
    sendErrors: sum((w) => w.counters.sendErrors),
  };
  const workerInfo = workers.map((w, i) => ({
    index: w.workerIndex,
    host: w.host,
    pid: w.pid,
    users: w.users,
    clockOffsetMs: input.clocks[i]?.offsetMs ?? null,
    clockErrorMs: input.clocks[i]?.errorMs ?? null,
    cpuShareOfOneCore: (w.cpu.userMs + w.cpu.systemMs) / Math.max(1, w.cpu.wallMs),
    eventLoopDelayP99Ms: w.eventLoopDelayP99Ms,
    scheduleLagP95Ms: w.scheduleLag.p95Ms,
    scheduleLagP99Ms: w.scheduleLag.p99Ms,
    scheduleLagMaxMs: w.scheduleLag.maxMs,
  }));
  const cores = workers.length > 0 ? Math.min(workers[0].cpu.cores, workers.length) : 1;
  const cpuShare = workerInfo.reduce((total, w) => total + w.cpuShareOfOneCore, 0) / Math.max(1, cores);
  const maxWorkerCpuShare = Math.max(0, ...workerInfo.map((w) => w.cpuShareOfOneCore));
  const saturated = maxWorkerCpuShare > saturationShare;
  const maxScheduleLagP99Ms = Math.max(0, ...workers.map((w) => w.scheduleLag.p99Ms));
  const httpRequests = input.http.reduce((total, h) => total + h.requests, 0);
  const metrics: ThresholdMetrics = {
    trends: {
      connect_latency: connect.stats(),
      ack_latency: ack.stats(),
      delivery_latency: delivery.stats(),
      inbox_latency: inbox.stats(),
      ...(input.http.length > 0 ? { http_latency: httpHistogram.stats() } : {}),
    },
    counters: {
      lost: { count: checker.lost, total: checker.expectedDeliveries },
      duplicated: { count: checker.duplicated, total: checker.deliveries },
      out_of_order: { count: checker.outOfOrder, total: checker.deliveries },
      unacked: { count: counters.unacked, total: counters.sent },
      connect_errors: { count: counters.errors, total: counters.attempts },
      send_errors: { count: counters.sendErrors, total: counters.sent },
      errors: {
        count: counters.errors + Object.values(errorsByCode).reduce((a, b) => a + b, 0),
        total: counters.sent + counters.attempts,
      },
      reconnects: { count: counters.reconnects, total: counters.attempts },
      http_errors: { count: input.http.reduce((t, h) => t + h.errors + h.non2xx, 0), total: httpRequests },
      messages_sent: { count: counters.sent, total: counters.sent },
      messages_acked: { count: counters.acked, total: counters.sent },
      messages_delivered: { count: checker.deliveredExpected, total: checker.expectedDeliveries },
    },
    values: { ack_throughput: counters.acked / sendSeconds, generator_cpu: maxWorkerCpuShare },
  };
  const thresholds = evaluateThresholds(plan.thresholds, metrics);
  return {
    schema: 'capsim.loadtest',
    version: LOADTEST_RESULT_VERSION,
    runId: input.runId,
    scenario: { name: input.scenarioName, load: input.load },
    target: input.target,
    slice: input.slice,
    step: input.step ?? null,
    startedAt: input.startedAt.toISOString(),
    durationMs: plan.durationMs,
    drainMs: Math.max(0, ...workers.map((w) => w.drainMs)),
    environment: {
      capsimVersion: '0.1.0',
      node: process.version,
      platform: process.platform,
      arch: process.arch,
      hostname: os.hostname(),
      cpus: os.availableParallelism(),
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      totalMemoryBytes: os.totalmem(),
      adapter: input.adapter,
      sourceAddresses: input.sourceAddresses,
      workers: workerInfo,
    },
    summary: {
      users: sum((w) => w.users),
      connections: {
        attempts: counters.attempts,
        errors: counters.errors,
        reconnects: counters.reconnects,
        maxOpen: Math.max(0, ...series.map((row) => row.openConnections)),
        target: Math.max(0, ...plan.phases.map((p) => p.toConnections)),
      },
      messages: {
        scheduled: sum((w) => w.counters.scheduled),
        sent: counters.sent,
        resent: sum((w) => w.counters.resent),
        acked: counters.acked,
        unacked: counters.unacked,
        sendErrors: counters.sendErrors,
        retries: sum((w) => w.counters.retries),
        deliveries: checker.deliveries,
      },
      throughput: {
        sentPerSecond: round(counters.sent / sendSeconds),
        ackedPerSecond: round(counters.acked / sendSeconds),
        deliveredPerSecond: round(checker.deliveredExpected / sendSeconds),
      },
      errorsByCode,
      closesByCode,
    },
    latency: {
      connect: connect.summary(),
      ack: ack.summary(),
      delivery: delivery.summary(),
      inbox: inbox.summary(),
    },
    histograms: {
      connect: connect.encode(),
      ack: ack.encode(),
      delivery: delivery.encode(),
      inbox: inbox.encode(),
    },
    checker,
    checkerSamples: workers.flatMap((w) => w.checkerSamples),
    timeSeries: series,
    generator: {
      cpuShare: round(cpuShare),
      maxWorkerCpuShare: round(maxWorkerCpuShare),
      saturated,
      note:
        (saturated
          ? `a generator worker used ${(maxWorkerCpuShare * 100).toFixed(0)}% of a core: latencies may include generator delay; add --workers or hosts`
          : `generator CPU ${(maxWorkerCpuShare * 100).toFixed(0)}% of one core at most per worker: not saturated`) +
        `; schedule lag p99 ${maxScheduleLagP99Ms.toFixed(1)} ms`,
    },
    server: input.server,
    http: input.http,
    thresholds,
    passed: thresholds.every((t) => t.passed),
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
