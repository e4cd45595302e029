/** The live view of a run (dashboard, plain lines): merged from every worker's latest snapshot. */
import type { WorkerSnapshot } from '../executors/segment-runner.js';
import { LatencyHistogram } from '../metrics/latency-histogram.js';

export interface LiveStats {
  second: number;
  elapsedMs: number;
  durationMs: number;
  workers: number;
  targetConnections: number;
  openConnections: number;
  targetMessagesPerSecond: number;
  sentPerSecond: number;
  ackedPerSecond: number;
  deliveredPerSecond: number;
  ackMs: { p50: number; p95: number; p99: number };
  deliveryMs: { p50: number; p95: number; p99: number };
  sent: number;
  acked: number;
  delivered: number;
  /** Deliveries still owed right now (becomes `lost` if still owed after the grace period). */
  outstanding: number;
  duplicated: number;
  outOfOrder: number;
  errors: number;
  connectErrors: number;
  generatorCpuCores: number;
}

export function mergeSnapshots(
  snapshots: WorkerSnapshot[],
  elapsedMs: number,
  durationMs: number,
): LiveStats {
  const sum = (pick: (s: WorkerSnapshot) => number) => snapshots.reduce((total, s) => total + pick(s), 0);
  const ack = LatencyHistogram.merge(snapshots.map((s) => s.histograms.ack));
  const delivery = LatencyHistogram.merge(snapshots.map((s) => s.histograms.delivery));
  const percentiles = (h: LatencyHistogram) => ({
    p50: h.percentileMs(50),
    p95: h.percentileMs(95),
    p99: h.percentileMs(99),
  });
  return {
    second: Math.max(0, ...snapshots.map((s) => s.row.second)),
    elapsedMs,
    durationMs,
    workers: snapshots.length,
    targetConnections: sum((s) => s.row.targetConnections),
    openConnections: sum((s) => s.openConnections),
    targetMessagesPerSecond: sum((s) => s.row.targetMessagesPerSecond),
    sentPerSecond: sum((s) => s.row.sent),
    ackedPerSecond: sum((s) => s.row.acked),
    deliveredPerSecond: sum((s) => s.row.delivered),
    ackMs: percentiles(ack),
    deliveryMs: percentiles(delivery),
    sent: sum((s) => s.counters.sent),
    acked: sum((s) => s.counters.acked),
    delivered: sum((s) => s.counters.delivered),
    outstanding: sum((s) => s.checker.outstanding),
    duplicated: sum((s) => s.checker.duplicated),
    outOfOrder: sum((s) => s.checker.outOfOrder),
    errors: sum((s) => s.counters.errors),
    connectErrors: sum((s) => s.counters.connectErrors),
    generatorCpuCores: sum((s) => s.row.generatorCpuCores),
  };
}
