/**
 * Imports k6's granular output (`k6 run --out json=results.json`: one JSON object per line, `Metric`
 * declarations and `Point` samples) into a LoadTestResult. Unlike a summary, every sample is there,
 * so latency histograms are exact HDR histograms of all samples, several runners' files merge exactly,
 * and the per-second time series (sent, ACKed, delivered, connects, errors) is rebuilt.
 *
 * Thresholds: k6 declares them on each `Metric` line in k6 syntax (`p(95)<100` on delivery_latency,
 * `rate<0.001` on connect_errors_rate); they are read back into capsim's syntax and evaluated once
 * over the merged samples.
 */
import { LatencyHistogram } from '../loadgen/metrics/latency-histogram.js';
import { emptySecond, type CounterField } from '../loadgen/metrics/time-series.js';
import { LOADTEST_RESULT_VERSION, type LoadTestResult } from '../loadgen/outputs/result-schema.js';
import {
  evaluateThresholds,
  parseThreshold,
  type ThresholdMetrics,
  type Threshold,
} from '../loadgen/thresholds.js';
import { CapsimError } from '../common/errors.js';
import { droppedIterationsVerdict } from './dropped-iterations.js';

interface PointLine {
  type: 'Point';
  metric: string;
  data: { time: string; value: number; tags?: Record<string, string> | null };
}
interface MetricLine {
  type: 'Metric';
  metric: string;
  data: { type: string; thresholds?: string[] | null };
}

/** True when the text is k6 `--out json` output (its first line is a Metric or Point object). */
export function isK6Ndjson(text: string): boolean {
  const first = text.trimStart().split('\n', 1)[0] ?? '';
  if (!first.startsWith('{')) return false;
  try {
    const parsed = JSON.parse(first) as { type?: unknown; metric?: unknown };
    return (parsed.type === 'Metric' || parsed.type === 'Point') && typeof parsed.metric === 'string';
  } catch {
    return false;
  }
}

const trendNames = [
  'connect_latency',
  'ack_latency',
  'delivery_latency',
  'inbox_latency',
  'http_latency',
] as const;
const seriesFields: Partial<Record<string, CounterField>> = {
  messages_sent: 'sent',
  messages_acked: 'acked',
  messages_delivered: 'delivered',
  errors: 'errors',
  connect_attempts: 'connects',
  connect_errors: 'connectErrors',
};

/** `p(95)<100` on `delivery_latency` → `delivery_latency: p(95) < 100`; `_rate` metrics → `rate` of the counter. */
export function capsimThresholdText(k6Metric: string, expression: string): string | null {
  const match =
    /^\s*(p\([\d.]+\)|avg|min|max|med|count|rate|value)\s*(<=|>=|==|!=|<|>)\s*(-?[\d.]+)\s*$/.exec(
      expression,
    );
  if (!match) return null;
  const [, aggregate, operator, value] = match;
  if (k6Metric === 'dropped_iterations') return null;
  if (k6Metric.endsWith('_rate') && aggregate === 'rate')
    return `${k6Metric.slice(0, -'_rate'.length)}: rate ${operator} ${value}`;
  return `${k6Metric}: ${aggregate} ${operator} ${value}`;
}

/** Converts one or several runners' `--out json` files (merged exactly). */
export function importK6Ndjson(texts: string | readonly string[]): LoadTestResult {
  const histograms = Object.fromEntries(trendNames.map((name) => [name, new LatencyHistogram()])) as Record<
    (typeof trendNames)[number],
    LatencyHistogram
  >;
  const counters = new Map<string, number>();
  const rates = new Map<string, { passes: number; total: number }>();
  const thresholdTexts = new Set<string>();
  const perSecond = new Map<number, ReturnType<typeof emptySecond>>();
  let firstMs = Infinity;
  let lastMs = -Infinity;
  let scenario: string | undefined;
  const points: { timeMs: number; field: CounterField; value: number }[] = [];
  let lineNumber = 0;
  for (const text of typeof texts === 'string' ? [texts] : texts) {
    for (const line of text.split('\n')) {
      lineNumber++;
      if (line.trim() === '') continue;
      let parsed: PointLine | MetricLine;
      try {
        parsed = JSON.parse(line) as PointLine | MetricLine;
      } catch {
        throw new CapsimError('E_K6_NDJSON', `k6 --out json output: line ${lineNumber} is not JSON`, {
          problems: [{ line: lineNumber, message: 'not JSON (truncated file?)', found: line.slice(0, 80) }],
        });
      }
      if (parsed.type === 'Metric') {
        for (const expression of parsed.data.thresholds ?? []) {
          const capsim = capsimThresholdText(parsed.metric, expression);
          if (capsim !== null) thresholdTexts.add(capsim);
        }
        continue;
      }
      if (parsed.type !== 'Point') continue;
      const { metric } = parsed;
      const { value } = parsed.data;
      const timeMs = Date.parse(parsed.data.time);
      scenario ??= parsed.data.tags?.capsim_scenario;
      if ((trendNames as readonly string[]).includes(metric)) {
        histograms[metric as (typeof trendNames)[number]].recordMs(value);
      } else if (metric.endsWith('_rate')) {
        const entry = rates.get(metric) ?? { passes: 0, total: 0 };
        entry.passes += value !== 0 ? 1 : 0;
        entry.total += 1;
        rates.set(metric, entry);
      } else {
        counters.set(metric, (counters.get(metric) ?? 0) + value);
      }
      if (Number.isFinite(timeMs)) {
        firstMs = Math.min(firstMs, timeMs);
        lastMs = Math.max(lastMs, timeMs);
        const field = seriesFields[metric];
        if (field) points.push({ timeMs, field, value });
      }
    }
  }
  for (const point of points) {
    const second = Math.floor((point.timeMs - firstMs) / 1000);
    const row = perSecond.get(second) ?? emptySecond(second);
    row[point.field] += point.value;
    perSecond.set(second, row);
  }
  const count = (name: string) => counters.get(name) ?? 0;
  const sent = count('messages_sent');
  const acked = count('messages_acked');
  const unacked = count('unacked');
  const sendErrors = count('send_errors');
  const attempts = count('connect_attempts');
  const connectErrors = count('connect_errors');
  const reconnects = count('reconnects');
  const expected = count('expected_deliveries');
  const lost = count('lost');
  const duplicated = count('duplicated');
  const outOfOrder = count('out_of_order');
  const redelivered = count('redelivered');
  const firstDeliveries = count('messages_delivered');
  const dropped = count('dropped_iterations');
  const deliveries = firstDeliveries + duplicated + redelivered;
  const durationMs = Number.isFinite(firstMs) ? lastMs - firstMs : 0;
  const seconds = Math.max(durationMs / 1000, 0.001);
  const metrics: ThresholdMetrics = {
    trends: Object.fromEntries(trendNames.map((name) => [name, histograms[name].stats()])),
    counters: {
      lost: { count: lost, total: expected },
      duplicated: { count: duplicated, total: deliveries },
      out_of_order: { count: outOfOrder, total: deliveries },
      unacked: { count: unacked, total: sent },
      connect_errors: { count: connectErrors, total: attempts },
      send_errors: { count: sendErrors, total: sent },
      errors: { count: count('errors'), total: sent + attempts },
      reconnects: { count: reconnects, total: attempts },
      messages_sent: { count: sent, total: sent },
      messages_acked: { count: acked, total: sent },
      messages_delivered: { count: expected - lost, total: expected },
      http_errors: { count: count('http_errors'), total: count('http_requests') },
    },
    values: { ack_throughput: acked / seconds },
  };
  const thresholds: Threshold[] = [...thresholdTexts].map((text) => parseThreshold(text));
  const verdicts = evaluateThresholds(thresholds, metrics);
  verdicts.push(droppedIterationsVerdict(dropped));
  const files = typeof texts === 'string' ? 1 : texts.length;
  const rate = (value: number) => Math.round((value / seconds) * 100) / 100;
  return {
    schema: 'capsim.loadtest',
    version: LOADTEST_RESULT_VERSION,
    runId: `k6-${scenario ?? 'run'}-${Number.isFinite(firstMs) ? new Date(firstMs).toISOString() : 'unknown'}`,
    scenario: { name: scenario ?? 'k6', load: {} },
    target: 'unknown',
    slice: null,
    step: null,
    startedAt: new Date(Number.isFinite(firstMs) ? firstMs : 0).toISOString(),
    durationMs,
    drainMs: 0,
    environment: {
      capsimVersion: '0.1.0',
      node: 'k6',
      platform: 'k6',
      arch: 'unknown',
      hostname: files > 1 ? `${files} k6 instances` : 'k6',
      cpus: 0,
      cpuModel: 'unknown',
      totalMemoryBytes: 0,
      adapter: `k6 --out json import (${files} file${files > 1 ? 's' : ''}; exact histograms of every sample)`,
      sourceAddresses: [],
      workers: [],
    },
    summary: {
      users: 0,
      connections: {
        attempts,
        errors: connectErrors,
        reconnects,
        maxOpen: Math.max(0, attempts - connectErrors - reconnects),
        target: 0,
      },
      messages: { scheduled: sent, sent, resent: 0, acked, unacked, sendErrors, retries: 0, deliveries },
      throughput: {
        sentPerSecond: rate(sent),
        ackedPerSecond: rate(acked),
        deliveredPerSecond: rate(expected - lost),
      },
      errorsByCode: sendErrors > 0 ? { send_errors: sendErrors } : {},
      closesByCode: {},
    },
    latency: {
      connect: histograms.connect_latency.summary(),
      ack: histograms.ack_latency.summary(),
      delivery: histograms.delivery_latency.summary(),
      inbox: histograms.inbox_latency.summary(),
    },
    histograms: {
      connect: histograms.connect_latency.encode(),
      ack: histograms.ack_latency.encode(),
      delivery: histograms.delivery_latency.encode(),
      inbox: histograms.inbox_latency.encode(),
    },
    checkerSamples: [],
    checker: {
      expectedDeliveries: expected,
      deliveredExpected: Math.max(0, expected - lost),
      deliveries,
      lost,
      duplicated,
      redelivered,
      outOfOrder,
      seqGaps: 0,
      unackedDelivered: 0,
    },
    timeSeries: [...perSecond.values()].sort((a, b) => a.second - b.second),
    generator: {
      cpuShare: 0,
      maxWorkerCpuShare: 0,
      saturated: dropped > 0,
      note:
        dropped > 0
          ? `k6 dropped ${dropped} iterations (cells): the generators could not offer the planned load`
          : 'k6 import: generator CPU is not in k6 output; check the runners (kubectl top pods)',
    },
    server: null,
    http:
      count('http_requests') > 0
        ? [
            {
              name: 'k6 HTTP phases',
              endpoint: 'all',
              requests: count('http_requests'),
              errors: count('http_errors'),
              non2xx: count('http_errors'),
              requestsPerSecond: rate(count('http_requests')),
              latency: histograms.http_latency.summary(),
              histogram: histograms.http_latency.encode(),
            },
          ]
        : [],
    thresholds: verdicts,
    passed: verdicts.every((verdict) => verdict.passed),
  };
}
