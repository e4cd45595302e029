/**
 * Translates capsim thresholds (loadgen/thresholds.ts: `delivery_latency: p95 < 100ms`, `lost == 0`,
 * `connect_errors: rate < 0.1%`) into k6 threshold expressions on the metrics the generated script
 * emits (k6/script-runtime.ts uses capsim's metric names).
 *
 * Differences the translation bridges:
 * - k6 writes percentiles as `p(95)`; capsim as `p95`. Latencies are milliseconds in both.
 * - capsim's `rate` of a counter is a ratio (lost per expected delivery, errors per attempt); a k6
 *   Counter's `rate` is per second. The script therefore emits a k6 Rate metric `<name>_rate` for each
 *   counter a rate threshold names, and the threshold goes there (`rate<0.001`).
 * - `count` of a trend, and the run-level values (`ack_throughput`, `generator_cpu`),
 *   have no faithful k6 form here: they are listed as untranslated, evaluated by `capsim k6 --import`
 *   when the runners' summaries are imported.
 */
import type { Threshold, ThresholdOperator } from '../loadgen/thresholds.js';
import { thresholdMetrics } from '../loadgen/thresholds.js';

export interface K6Threshold {
  /** capsim's text, e.g. `delivery_latency: p95 < 100ms`. */
  source: string;
  k6Metric: string;
  /** k6's expression, e.g. `p(95)<100`. */
  k6Expression: string;
}

export interface UntranslatedThreshold {
  source: string;
  reason: string;
}

export interface ThresholdTranslation {
  thresholds: K6Threshold[];
  untranslated: UntranslatedThreshold[];
  /** Counters that need a companion k6 Rate metric (`<name>_rate`). */
  rateMetrics: string[];
}

/** Counters the script can express as ratios, and what each ratio divides by. */
const ratioCounters = new Set([
  'lost',
  'duplicated',
  'out_of_order',
  'unacked',
  'connect_errors',
  'send_errors',
  'errors',
  'reconnects',
  'messages_acked',
  'messages_delivered',
  'http_errors',
]);

/** Counters the script emits under the same name. */
const emittedCounters = new Set([...ratioCounters, 'messages_sent']);
const emittedTrends = new Set([
  'connect_latency',
  'ack_latency',
  'delivery_latency',
  'inbox_latency',
  'http_latency',
]);

function formatNumber(value: number): string {
  // Enough digits for 0.1% (0.001) and sub-millisecond limits, without float noise.
  return String(Number(value.toPrecision(12)));
}

function k6Operator(operator: ThresholdOperator): string {
  return operator;
}

/** Translates one capsim threshold; `null` with a reason when k6 cannot express it faithfully. */
export function translateThreshold(
  threshold: Threshold,
): { ok: true; value: K6Threshold; rateMetric?: string } | { ok: false; reason: string } {
  const kind = thresholdMetrics[threshold.metric]?.kind;
  const limit = formatNumber(threshold.value);
  const operator = k6Operator(threshold.operator);
  if (kind === 'trend') {
    if (!emittedTrends.has(threshold.metric)) {
      return { ok: false, reason: `the k6 script does not measure \`${threshold.metric}\`` };
    }
    if (threshold.aggregate === 'count') {
      return { ok: false, reason: 'k6 trends have no `count` threshold; evaluated by `capsim k6 --import`' };
    }
    const aggregate =
      threshold.percentile !== undefined ? `p(${formatNumber(threshold.percentile)})` : threshold.aggregate;
    return {
      ok: true,
      value: {
        source: threshold.source,
        k6Metric: threshold.metric,
        k6Expression: `${aggregate}${operator}${limit}`,
      },
    };
  }
  if (kind === 'counter') {
    if (!emittedCounters.has(threshold.metric)) {
      return { ok: false, reason: `the k6 script does not count \`${threshold.metric}\`` };
    }
    if (threshold.aggregate === 'rate') {
      if (!ratioCounters.has(threshold.metric)) {
        return { ok: false, reason: `\`${threshold.metric}\` has no ratio form in the k6 script` };
      }
      return {
        ok: true,
        value: {
          source: threshold.source,
          k6Metric: `${threshold.metric}_rate`,
          k6Expression: `rate${operator}${limit}`,
        },
        rateMetric: threshold.metric,
      };
    }
    return {
      ok: true,
      value: {
        source: threshold.source,
        k6Metric: threshold.metric,
        k6Expression: `count${operator}${limit}`,
      },
    };
  }
  return {
    ok: false,
    reason: `\`${threshold.metric}\` is a run-level value k6 does not compute; evaluated by \`capsim k6 --import\` (fails there without data)`,
  };
}

/** Translates every threshold; the k6 `thresholds` option is `toK6ThresholdOption(result)`. */
export function translateThresholds(thresholds: readonly Threshold[]): ThresholdTranslation {
  const result: ThresholdTranslation = { thresholds: [], untranslated: [], rateMetrics: [] };
  for (const threshold of thresholds) {
    const translated = translateThreshold(threshold);
    if (!translated.ok) {
      result.untranslated.push({ source: threshold.source, reason: translated.reason });
      continue;
    }
    result.thresholds.push(translated.value);
    if (translated.rateMetric !== undefined && !result.rateMetrics.includes(translated.rateMetric)) {
      result.rateMetrics.push(translated.rateMetric);
    }
  }
  return result;
}

/** The k6 `options.thresholds` object: metric → list of expressions. */
export function toK6ThresholdOption(translation: ThresholdTranslation): Record<string, string[]> {
  const option: Record<string, string[]> = {};
  for (const threshold of translation.thresholds) {
    (option[threshold.k6Metric] ??= []).push(threshold.k6Expression);
  }
  return option;
}
