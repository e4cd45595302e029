/**
 * LOADGEN's versioned results JSON (`capsim loadtest --out results.json`) → the report's load-test
 * view. Server figures come from the target's /metrics as scraped by the load generator
 * (loadgen/metrics/scrape.ts: counters also as `<name>:rate`, CPU as `server_cpu_cores`).
 */
import type { LoadTestResult } from '../loadgen/outputs/result-schema.js';
import { formatNumber } from './format.js';
import type { LatencyPercentilesMs, ReportLoadTest, ReportServerSample } from './inputs.js';

type LatencySummary = LoadTestResult['latency']['ack'];

/** Names of the /metrics series the report reads, as the load generator stores them. */
export const serverMetricKeys = {
  cpuCores: 'server_cpu_cores',
  rssBytes: 'process_resident_memory_bytes',
  eventLoopLagSeconds: 'nodejs_eventloop_lag_p99_seconds',
  eventLoopLagMeanSeconds: 'nodejs_eventloop_lag_seconds',
  messagesAcceptedPerSecond: 'capsim_messages_accepted_total:rate',
  storageTransactionsPerSecond: 'capsim_storage_transactions_total:rate',
} as const;

export function percentilesOf(summary: LatencySummary): LatencyPercentilesMs | undefined {
  if (summary.count === 0) return undefined;
  return { p50: summary.p50Ms, p95: summary.p95Ms, p99: summary.p99Ms, max: summary.maxMs };
}

/** "slice 1/5000", "step 3 (×1.5)" or "full scale". */
export function loadTestLabel(result: LoadTestResult): string {
  const parts: string[] = [];
  if (result.slice) parts.push(`slice ${result.slice.index + 1}/${result.slice.count}`);
  if (result.step) parts.push(`step ${result.step.index + 1} (×${result.step.messageRateFactor} load)`);
  const what = `${formatNumber(result.summary.users)} users, ${formatNumber(result.durationMs / 1000)} s`;
  return parts.length === 0 ? `load test (${what})` : `${parts.join(', ')} (${what})`;
}

/**
 * Per-second latency percentiles, when the results carry them (optional `ackP50Ms`, `deliveryP95Ms`, …
 * on each time-series row); the report then charts latency over time.
 */
function perSecondLatency(row: object, prefix: 'ack' | 'delivery'): LatencyPercentilesMs | undefined {
  const record = row as Record<string, unknown>;
  const pick = (name: string): number | undefined => {
    const value = record[`${prefix}${name}Ms`];
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  };
  const latency = { p50: pick('P50'), p95: pick('P95'), p99: pick('P99') };
  return latency.p50 === undefined && latency.p95 === undefined && latency.p99 === undefined
    ? undefined
    : latency;
}

function serverSamples(result: LoadTestResult): ReportServerSample[] {
  return (result.server?.samples ?? []).map((sample) => {
    const values = sample.values;
    const lagSeconds =
      values[serverMetricKeys.eventLoopLagSeconds] ?? values[serverMetricKeys.eventLoopLagMeanSeconds];
    const cpuCores = values[serverMetricKeys.cpuCores];
    return {
      timeS: sample.second,
      cpuPercent: cpuCores === undefined ? undefined : cpuCores * 100,
      rssBytes: values[serverMetricKeys.rssBytes],
      eventLoopLagMs: lagSeconds === undefined ? undefined : lagSeconds * 1000,
    };
  });
}

export function adaptLoadTest(result: LoadTestResult): ReportLoadTest {
  const peakTarget = Math.max(0, ...result.timeSeries.map((row) => row.targetMessagesPerSecond));
  const cpuShare = result.generator.cpuShare;
  return {
    label: loadTestLabel(result),
    slice: result.slice
      ? `slice ${result.slice.index + 1} of ${result.slice.count} at full per-instance fidelity`
      : undefined,
    durationS: result.durationMs / 1000,
    targetMessagesPerSecond: peakTarget > 0 ? peakTarget : undefined,
    samples: result.timeSeries.map((row) => ({
      timeS: row.second,
      sentPerSecond: row.sent,
      ackedPerSecond: row.acked,
      deliveredPerSecond: row.delivered,
      openConnections: row.openConnections,
      targetConnections: row.targetConnections,
      errorsPerSecond: row.errors,
      ackLatencyMs: perSecondLatency(row, 'ack'),
      deliveryLatencyMs: perSecondLatency(row, 'delivery'),
    })),
    server: serverSamples(result),
    ackLatencyMs: percentilesOf(result.latency.ack),
    deliveryLatencyMs: percentilesOf(result.latency.delivery),
    connectLatencyMs: percentilesOf(result.latency.connect),
    inboxLatencyMs: result.latency.inbox ? percentilesOf(result.latency.inbox) : undefined,
    counts: {
      sent: result.summary.messages.sent,
      acked: result.summary.messages.acked,
      delivered: result.checker.deliveries,
      lost: result.checker.lost,
      duplicated: result.checker.duplicated,
      outOfOrder: result.checker.outOfOrder,
    },
    thresholds: result.thresholds.map((verdict) => ({
      expression: verdict.threshold,
      pass: verdict.passed,
      actual: verdict.observed ?? undefined,
      unit: verdict.metric.endsWith('_latency') ? 'ms' : undefined,
    })),
    generatorCpuPercent: Number.isFinite(cpuShare) ? cpuShare * 100 : undefined,
  };
}

/** Seconds whose target is within this fraction of the peak count as the peak (targets wobble per second). */
export const peakFraction = 0.9;

/**
 * The seconds at the peak: those whose target rate is at least 90 % of the run's highest (the first
 * and last dropped when there are more than four, as they are partial), or every second when the run
 * had no target rate.
 */
export function peakWindow(result: LoadTestResult): {
  seconds: number[];
  fromSecond: number;
  toSecond: number;
} {
  const peak = Math.max(0, ...result.timeSeries.map((row) => row.targetMessagesPerSecond));
  let rows = result.timeSeries.filter(
    (row) => peak > 0 && row.targetMessagesPerSecond >= peak * peakFraction,
  );
  if (rows.length > 4) rows = rows.slice(1, -1);
  if (rows.length === 0) rows = result.timeSeries;
  const seconds = rows.map((row) => row.second);
  if (seconds.length === 0) return { seconds, fromSecond: 0, toSecond: 0 };
  return { seconds, fromSecond: Math.min(...seconds), toSecond: Math.max(...seconds) };
}

/** Mean per second of a time-series counter over the peak window. */
export function sustainedPerSecond(
  result: LoadTestResult,
  field: 'acked' | 'delivered' | 'sent',
): { value: number; seconds: number } {
  const window = new Set(peakWindow(result).seconds);
  const rows = result.timeSeries.filter((row) => window.has(row.second));
  if (rows.length === 0) return { value: 0, seconds: 0 };
  return { value: rows.reduce((sum, row) => sum + row[field], 0) / rows.length, seconds: rows.length };
}

/**
 * Values of a server series over the peak window. A scrape at second s reports rates over the
 * interval since the previous scrape, so a sample counts only when that whole interval lies in the
 * window [fromSecond, toSecond + 1]: the first scrape after the ramp-up otherwise averages the ramp in
 * (a 60 s run read 90 msg/s for a 156 msg/s plateau and pulled the mean 3 % low). Falls back to the
 * scrapes taken inside the window (windows shorter than a scrape interval), then to every sample.
 */
export function serverValuesAtPeak(result: LoadTestResult, key: string): number[] {
  const window = peakWindow(result);
  const pick = (samples: { second: number; values: Record<string, number> }[]) =>
    samples
      .map((sample) => sample.values[key])
      .filter((value): value is number => value !== undefined && Number.isFinite(value));
  const samples = result.server?.samples ?? [];
  const endSecond = window.toSecond + 1;
  const covering = pick(
    samples.filter(
      (sample, i) => i > 0 && samples[i - 1].second >= window.fromSecond && sample.second <= endSecond,
    ),
  );
  if (covering.length > 0) return covering;
  const inWindow = pick(
    samples.filter((sample) => sample.second >= window.fromSecond && sample.second <= endSecond),
  );
  return inWindow.length > 0 ? inWindow : pick(samples);
}

/** Mean of a server series over the peak window (e.g. storage writes per second). */
export function meanServerValue(result: LoadTestResult, key: string): number | undefined {
  const values = serverValuesAtPeak(result, key);
  if (values.length === 0) return undefined;
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Median of a server series over the peak window: robust to one noisy scrape. */
export function medianServerValue(result: LoadTestResult, key: string): number | undefined {
  const values = serverValuesAtPeak(result, key).sort((a, b) => a - b);
  if (values.length === 0) return undefined;
  const middle = Math.floor(values.length / 2);
  return values.length % 2 === 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}
