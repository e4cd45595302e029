/**
 * Converts k6 results of a capsim k6 export into capsim's LoadTestResult (loadgen/outputs/), so
 * `capsim report` renders fleet-scale runs like local ones and thresholds are evaluated once, by
 * capsim, over all instances.
 *
 * Exactness: counters (sent, ACKed, lost, duplicated, out of order, errors) add up exactly across
 * instances. A k6 summary keeps only a few percentiles per trend, and percentiles do not add: for
 * several instances the merged p95 is reported as the *largest* instance p95 — an upper bound, since
 * the p-quantile of a union lies between the instances' smallest and largest p-quantiles. A threshold
 * that passes on that bound passes for the fleet; one that fails on it is flagged in the note as
 * possibly pessimistic. (For exact fleet percentiles, send k6 output to a time-series store with
 * native histograms; see the export's README.) The encoded histograms are *reconstructed* from the
 * percentiles (each sample placed at the upper end of its percentile band), so they are exact only
 * at those percentiles; `environment.adapter` says so.
 */
import * as hdr from 'hdr-histogram-js';
import { LatencyHistogram, type LatencySummary } from '../loadgen/metrics/latency-histogram.js';
import { LOADTEST_RESULT_VERSION, type LoadTestResult } from '../loadgen/outputs/result-schema.js';
import {
  evaluateThresholds,
  parseThreshold,
  type ThresholdMetrics,
  type ThresholdVerdict,
  type TrendStats,
} from '../loadgen/thresholds.js';
import { CapsimError } from '../common/errors.js';
import { DROPPED_ITERATIONS_THRESHOLD, droppedIterationsVerdict } from './dropped-iterations.js';
import { importK6Ndjson, isK6Ndjson } from './import-ndjson.js';
import {
  isK6Summary as isSummaryDocument,
  readSummaries,
  type K6InstanceSummary,
  type K6MetricSummary,
} from './summary-input.js';

export { importK6Ndjson } from './import-ndjson.js';

/**
 * True when `input` is something importK6Summary accepts: a parsed k6 summary (handleSummary or
 * --summary-export JSON), text with CAPSIM_K6_SUMMARY lines, `--out json` NDJSON text, or an array of those.
 */
export function isK6Summary(input: unknown): boolean {
  if (Array.isArray(input)) return input.length > 0 && input.every(isK6Summary);
  if (typeof input === 'string' && isK6Ndjson(input)) return true;
  return isSummaryDocument(input);
}

/** Percentiles a trend summary may carry, as k6 names them, with their rank. */
const percentileStats: [string, number][] = [
  ['min', 0],
  ['p(50)', 50],
  ['med', 50],
  ['p(90)', 90],
  ['p(95)', 95],
  ['p(99)', 99],
  ['p(99.9)', 99.9],
  ['max', 100],
];

interface MergedTrend {
  count: number;
  meanMs: number;
  /** percentile rank → ms (upper bound across instances). */
  points: Map<number, number>;
}

function mergeTrends(trends: K6MetricSummary[]): MergedTrend {
  const merged: MergedTrend = { count: 0, meanMs: 0, points: new Map() };
  let weighted = 0;
  for (const trend of trends) {
    const v = trend.values;
    // Summaries without `count` in summaryTrendStats: treat the instance as one sample of weight 1.
    const count = v.count ?? (v.avg !== undefined ? 1 : 0);
    if (count === 0) continue;
    merged.count += count;
    weighted += (v.avg ?? 0) * count;
    for (const [name, rank] of percentileStats) {
      const value = v[name];
      if (value === undefined) continue;
      const previous = merged.points.get(rank);
      // min is a lower bound (smallest), every other point the largest across instances.
      const keep =
        previous === undefined ? value : rank === 0 ? Math.min(previous, value) : Math.max(previous, value);
      merged.points.set(rank, keep);
    }
  }
  merged.meanMs = merged.count > 0 ? weighted / merged.count : 0;
  return merged;
}

/** The value at rank p: the smallest known percentile at or above p (conservative). */
function percentileOf(trend: MergedTrend, percentile: number): number {
  const ranks = [...trend.points.keys()].sort((a, b) => a - b);
  for (const rank of ranks) if (rank >= percentile) return trend.points.get(rank) ?? 0;
  return ranks.length > 0 ? (trend.points.get(ranks[ranks.length - 1]) ?? 0) : 0;
}

function trendStats(trend: MergedTrend): TrendStats {
  return {
    count: trend.count,
    minMs: trend.points.get(0) ?? 0,
    maxMs: percentileOf(trend, 100),
    meanMs: trend.meanMs,
    percentileMs: (p) => percentileOf(trend, p),
  };
}

function latencySummary(trend: MergedTrend): LatencySummary {
  const round = (value: number) => Math.round(value * 1000) / 1000;
  return {
    count: trend.count,
    minMs: round(trend.points.get(0) ?? 0),
    meanMs: round(trend.meanMs),
    p50Ms: round(percentileOf(trend, 50)),
    p90Ms: round(percentileOf(trend, 90)),
    p95Ms: round(percentileOf(trend, 95)),
    p99Ms: round(percentileOf(trend, 99)),
    p999Ms: round(percentileOf(trend, 99.9)),
    maxMs: round(percentileOf(trend, 100)),
  };
}

/** An HDR histogram with `count` samples spread over the known percentile bands (upper ends). */
function reconstructHistogram(trend: MergedTrend): LatencyHistogram {
  const histogram = hdr.build({
    bitBucketSize: 32,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
  if (trend.count > 0) {
    const ranks = [...trend.points.keys()].sort((a, b) => a - b);
    let placed = 0;
    let previousRank = 0;
    for (const rank of ranks) {
      const upTo = rank === 0 ? 1 : Math.round((rank / 100) * trend.count);
      const samples = Math.max(0, Math.min(trend.count, upTo) - placed);
      if (samples > 0) {
        histogram.recordValueWithCount(
          Math.max(0, Math.round((trend.points.get(rank) ?? 0) * 1000)),
          samples,
        );
      }
      placed += samples;
      previousRank = rank;
    }
    if (placed < trend.count && previousRank < 100) {
      histogram.recordValueWithCount(Math.round(percentileOf(trend, 100) * 1000), trend.count - placed);
    }
  }
  return new LatencyHistogram(histogram);
}

function sumCounter(instances: K6InstanceSummary[], name: string): number {
  let total = 0;
  for (const instance of instances) {
    const metric = instance.metrics[name];
    if (!metric) continue;
    total += metric.type === 'rate' ? (metric.values.passes ?? 0) : (metric.values.count ?? 0);
  }
  return total;
}

function trendOf(instances: K6InstanceSummary[], name: string): MergedTrend {
  return mergeTrends(
    instances
      .map((instance) => instance.metrics[name])
      .filter((metric): metric is K6MetricSummary => metric !== undefined),
  );
}

/**
 * Converts one or several k6 results of a capsim export: summaries (see summary-input.ts for the
 * forms) or `--out json` NDJSON texts (import-ndjson.ts, exact histograms).
 */
export function importK6Summary(input: unknown): LoadTestResult {
  const items = Array.isArray(input) ? input : [input];
  const ndjson = items.filter((item): item is string => typeof item === 'string' && isK6Ndjson(item));
  if (ndjson.length === 0) return importK6Instances(readSummaries(input));
  if (ndjson.length !== items.length) {
    throw new CapsimError('E_K6_MIXED', 'give either k6 summaries or k6 --out json files, not both', {
      problems: [{ message: 'mixed inputs', expected: 'all summaries, or all --out json (NDJSON) files' }],
    });
  }
  return importK6Ndjson(ndjson);
}

export function importK6Instances(instances: K6InstanceSummary[]): LoadTestResult {
  const meta =
    instances.find((instance) => instance.meta.scenario !== undefined)?.meta ?? instances[0]?.meta ?? {};
  const connect = trendOf(instances, 'connect_latency');
  const ack = trendOf(instances, 'ack_latency');
  const delivery = trendOf(instances, 'delivery_latency');
  const inbox = trendOf(instances, 'inbox_latency');
  const httpTrend = trendOf(instances, 'http_latency');
  const counter = (name: string) => sumCounter(instances, name);
  const sent = counter('messages_sent');
  const acked = counter('messages_acked');
  const unacked = counter('unacked');
  const sendErrors = counter('send_errors');
  const attempts = counter('connect_attempts');
  const connectErrors = counter('connect_errors');
  const reconnects = counter('reconnects');
  const expected = counter('expected_deliveries');
  const lost = counter('lost');
  const duplicated = counter('duplicated');
  const outOfOrder = counter('out_of_order');
  const redelivered = counter('redelivered');
  const firstDeliveries = counter('messages_delivered');
  const errors = counter('errors');
  const dropped = counter('dropped_iterations');
  const durationMs =
    meta.sendEndMs ?? Math.max(0, ...instances.map((instance) => instance.testRunDurationMs ?? 0));
  const sendSeconds = Math.max(durationMs / 1000, 0.001);
  const longestRunMs = Math.max(0, ...instances.map((instance) => instance.testRunDurationMs ?? 0));

  const metrics: ThresholdMetrics = {
    trends: {
      connect_latency: trendStats(connect),
      ack_latency: trendStats(ack),
      delivery_latency: trendStats(delivery),
      inbox_latency: trendStats(inbox),
      ...(httpTrend.count > 0 ? { http_latency: trendStats(httpTrend) } : {}),
    },
    counters: {
      lost: { count: lost, total: expected },
      duplicated: { count: duplicated, total: firstDeliveries + duplicated + redelivered },
      out_of_order: { count: outOfOrder, total: firstDeliveries + duplicated + redelivered },
      unacked: { count: unacked, total: sent },
      connect_errors: { count: connectErrors, total: attempts },
      send_errors: { count: sendErrors, total: sent },
      errors: { count: errors, total: sent + attempts },
      reconnects: { count: reconnects, total: attempts },
      messages_sent: { count: sent, total: sent },
      messages_acked: { count: acked, total: sent },
      messages_delivered: { count: expected - lost, total: expected },
      http_errors: { count: counter('http_errors'), total: counter('http_requests') },
    },
    values: { ack_throughput: acked / sendSeconds },
  };
  const sources = (meta.thresholds ?? [])
    .map((t) => t.source)
    .filter((source) => source !== DROPPED_ITERATIONS_THRESHOLD);
  const verdicts: ThresholdVerdict[] = evaluateThresholds(
    sources.map((source) => parseThreshold(source)),
    metrics,
  );
  verdicts.push(droppedIterationsVerdict(dropped));

  const segments = instances.map(
    (instance, index) => instance.meta.executionSegment ?? `instance ${index + 1}`,
  );
  const several = instances.length > 1;
  const finishedAt = meta.finishedAt !== undefined ? Date.parse(meta.finishedAt) : NaN;
  const startedAt = Number.isFinite(finishedAt)
    ? new Date(finishedAt - longestRunMs).toISOString()
    : new Date(0).toISOString();
  const peak = meta.peakConnections ?? meta.users ?? 0;
  const deliveredExpected = Math.max(0, expected - lost);

  return {
    schema: 'capsim.loadtest',
    version: LOADTEST_RESULT_VERSION,
    runId: `k6-${meta.scenario ?? 'run'}-${meta.finishedAt ?? 'unknown'}`,
    scenario: { name: meta.scenario ?? 'k6', load: {} },
    target: meta.target ?? 'unknown',
    slice: null,
    step: null,
    startedAt,
    durationMs,
    drainMs: meta.graceMs ?? 0,
    environment: {
      capsimVersion: '0.1.0',
      node: 'k6',
      platform: 'k6',
      arch: 'unknown',
      hostname: several ? `${instances.length} k6 instances` : 'k6',
      cpus: 0,
      cpuModel: 'unknown',
      totalMemoryBytes: 0,
      adapter: `k6 summary import (${instances.length} instance${several ? 's' : ''}; histograms reconstructed from k6 percentiles${several ? ', percentiles are the largest instance value (upper bound)' : ''})`,
      sourceAddresses: [],
      workers: instances.map((instance, index) => ({
        index,
        host: `k6 segment ${segments[index]}`,
        pid: 0,
        users: 0,
        clockOffsetMs: null,
        clockErrorMs: null,
        cpuShareOfOneCore: 0,
        eventLoopDelayP99Ms: 0,
      })),
    },
    summary: {
      users: meta.users ?? peak,
      connections: {
        attempts,
        errors: connectErrors,
        reconnects,
        // k6 has no fleet-wide open-connection gauge; successful first connects are the best bound.
        maxOpen: Math.min(peak > 0 ? peak : Infinity, Math.max(0, attempts - connectErrors - reconnects)),
        target: peak,
      },
      messages: {
        scheduled: sent,
        sent,
        resent: 0,
        acked,
        unacked,
        sendErrors,
        retries: 0,
        deliveries: firstDeliveries + duplicated + redelivered,
      },
      throughput: {
        sentPerSecond: Math.round((sent / sendSeconds) * 100) / 100,
        ackedPerSecond: Math.round((acked / sendSeconds) * 100) / 100,
        deliveredPerSecond: Math.round((deliveredExpected / sendSeconds) * 100) / 100,
      },
      errorsByCode: sendErrors > 0 ? { send_errors: sendErrors } : {},
      closesByCode: {},
    },
    latency: {
      connect: latencySummary(connect),
      ack: latencySummary(ack),
      delivery: latencySummary(delivery),
      inbox: latencySummary(inbox),
    },
    histograms: {
      connect: reconstructHistogram(connect).encode(),
      ack: reconstructHistogram(ack).encode(),
      delivery: reconstructHistogram(delivery).encode(),
      inbox: reconstructHistogram(inbox).encode(),
    },
    checkerSamples: [],
    checker: {
      expectedDeliveries: expected,
      deliveredExpected,
      deliveries: firstDeliveries + duplicated + redelivered,
      lost,
      duplicated,
      redelivered,
      outOfOrder,
      seqGaps: 0,
      unackedDelivered: 0,
    },
    timeSeries: [],
    generator: {
      cpuShare: 0,
      maxWorkerCpuShare: 0,
      saturated: dropped > 0,
      note:
        dropped > 0
          ? `k6 dropped ${dropped} iterations (cells): the generators could not offer the planned load; add runners or memory`
          : 'k6 import: generator CPU is not in k6 summaries; check runner pods (kubectl top pods) and dropped_iterations (0 here)',
    },
    server: null,
    // k6 summaries aggregate every HTTP phase into one trend: one row for all of them.
    http:
      counter('http_requests') > 0
        ? [
            {
              name: 'k6 HTTP phases',
              endpoint: 'all',
              requests: counter('http_requests'),
              errors: counter('http_errors'),
              non2xx: counter('http_errors'),
              requestsPerSecond:
                Math.round((counter('http_requests') / Math.max(longestRunMs / 1000, 0.001)) * 100) / 100,
              latency: latencySummary(httpTrend),
              histogram: reconstructHistogram(httpTrend).encode(),
            },
          ]
        : [],
    thresholds: verdicts,
    passed: verdicts.every((verdict) => verdict.passed),
  };
}
