/**
 * k6-like thresholds: `delivery_latency: p95 < 100ms`, `lost == 0`, `ack_latency: p(99) < 200`,
 * `connect_errors: rate < 0.1%`. Parsed once (with errors that say what was expected) and evaluated
 * over the merged result of every worker, never per worker.
 *
 * Grammar: `metric [:] [aggregate] op number [unit]`
 *   aggregate: pNN | p(NN) | avg | min | max | med | count | rate | value
 *   op: < <= > >= == !=      unit: ms | s | us (latency), % (rate), /s (throughput)
 */
import { CapsimError } from '../common/errors.js';

export type MetricKind = 'trend' | 'counter' | 'value';
export type ThresholdOperator = '<' | '<=' | '>' | '>=' | '==' | '!=';

/** Every metric a threshold may name, with its kind and (for counters) what `rate` divides by. */
export const thresholdMetrics: Record<string, { kind: MetricKind; description: string }> = {
  connect_latency: { kind: 'trend', description: 'WebSocket connect until the hello frame, ms' },
  ack_latency: { kind: 'trend', description: 'intended send time until the ACK, ms' },
  delivery_latency: {
    kind: 'trend',
    description: 'intended send time until live delivery to an online recipient, ms',
  },
  inbox_latency: {
    kind: 'trend',
    description: 'intended send time until an inbox replay after reconnect, ms',
  },
  http_latency: { kind: 'trend', description: 'HTTP request latency, ms' },
  lost: {
    kind: 'counter',
    description: 'ACKed messages never delivered to a recipient (rate: per expected delivery)',
  },
  duplicated: {
    kind: 'counter',
    description: 'deliveries of a message already received (rate: per delivery)',
  },
  out_of_order: {
    kind: 'counter',
    description: 'deliveries below the highest seq seen (rate: per delivery)',
  },
  unacked: { kind: 'counter', description: 'sent messages never ACKed (rate: per message sent)' },
  connect_errors: { kind: 'counter', description: 'failed connection attempts (rate: per attempt)' },
  send_errors: { kind: 'counter', description: 'error frames answering a send (rate: per message sent)' },
  errors: { kind: 'counter', description: 'all errors (rate: per message sent + connection attempt)' },
  reconnects: { kind: 'counter', description: 'unplanned reconnections (rate: per connection attempt)' },
  http_errors: { kind: 'counter', description: 'HTTP non-2xx and socket errors (rate: per request)' },
  messages_sent: { kind: 'counter', description: 'messages sent' },
  messages_acked: { kind: 'counter', description: 'messages ACKed (rate: per message sent)' },
  messages_delivered: { kind: 'counter', description: 'deliveries (rate: per expected delivery)' },
  ack_throughput: { kind: 'value', description: 'ACKed messages per second over the sending window' },
  generator_cpu: { kind: 'value', description: 'load-generator CPU use, share of its cores (0..1, or %)' },
};

export interface Threshold {
  /** The text as written, normalised to `metric: expression`. */
  source: string;
  metric: string;
  /** `p95`, `p99.9`, `avg`, `min`, `max`, `med`, `count`, `rate` or `value`. */
  aggregate: string;
  percentile?: number;
  operator: ThresholdOperator;
  /** In the metric's base unit: ms for latencies, a ratio 0..1 for rates, a count, or per second. */
  value: number;
}

const grammar =
  /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*:?\s*(?:(p\(\s*\d+(?:\.\d+)?\s*\)|p\d+(?:\.\d+)?|avg|min|max|med|count|rate|value)\s*)?(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*(ms|s|us|%|\/s)?\s*$/;

function fail(source: string, message: string, expected: string, found?: string): never {
  throw new CapsimError('E_BAD_THRESHOLD', `threshold \`${source.trim()}\`: ${message}`, {
    problems: [{ path: 'load.thresholds', message, expected, found: found ?? source.trim() }],
  });
}

/** Parses one threshold such as `delivery_latency: p95 < 100ms`; throws E_BAD_THRESHOLD. */
export function parseThreshold(source: string): Threshold {
  const match = grammar.exec(source);
  if (!match) {
    fail(
      source,
      'cannot parse',
      '`metric: [aggregate] op number[unit]`, e.g. `ack_latency: p99 < 200ms` or `lost == 0`',
    );
  }
  const [, metric, rawAggregate, operator, rawNumber, unit] = match;
  const spec = thresholdMetrics[metric];
  if (!spec)
    fail(
      source,
      `unknown metric \`${metric}\``,
      `one of ${Object.keys(thresholdMetrics).join(', ')}`,
      metric,
    );
  const aggregateText = (rawAggregate ?? defaultAggregate(spec.kind)).replace(/[()\s]/g, '');
  if (aggregateText === '')
    fail(
      source,
      `\`${metric}\` is a latency: say which statistic`,
      'p50, p95, p99, p99.9, avg, min, max, med or count',
    );
  let percentile: number | undefined;
  let aggregate = aggregateText;
  if (/^p\d/.test(aggregateText)) {
    percentile = Number(aggregateText.slice(1));
    if (!(percentile > 0 && percentile <= 100))
      fail(source, 'percentile out of range', 'p0 < pNN ≤ p100', aggregateText);
    aggregate = `p${percentile}`;
  }
  const allowed = allowedAggregates(spec.kind);
  if (percentile === undefined && !allowed.includes(aggregate)) {
    fail(
      source,
      `\`${aggregate}\` does not apply to ${spec.kind} metric \`${metric}\``,
      allowed.join(', '),
      aggregate,
    );
  }
  if (percentile !== undefined && spec.kind !== 'trend') {
    fail(source, `percentiles apply to latencies, not to \`${metric}\``, allowed.join(', '), aggregate);
  }
  let value = Number(rawNumber);
  if (spec.kind === 'trend' && aggregate !== 'count') {
    if (unit === 's') value *= 1000;
    else if (unit === 'us') value /= 1000;
    else if (unit !== undefined && unit !== 'ms')
      fail(source, `unit \`${unit}\` does not fit a latency`, 'ms, s or us', unit);
  } else if (aggregate === 'rate' || metric === 'generator_cpu') {
    if (unit === '%') value /= 100;
    else if (unit !== undefined)
      fail(source, `unit \`${unit}\` does not fit a rate`, '% or a ratio without unit', unit);
  } else if (unit !== undefined && !(unit === '/s' && metric === 'ack_throughput')) {
    fail(source, `unit \`${unit}\` does not fit \`${aggregate}\` of \`${metric}\``, 'a plain number', unit);
  }
  const expression = `${rawAggregate ? `${aggregate} ` : ''}${operator} ${rawNumber}${unit ?? ''}`;
  return {
    source: `${metric}: ${expression}`,
    metric,
    aggregate,
    percentile,
    operator: operator as ThresholdOperator,
    value,
  };
}

function defaultAggregate(kind: MetricKind): string {
  return kind === 'counter' ? 'count' : kind === 'value' ? 'value' : '';
}

function allowedAggregates(kind: MetricKind): string[] {
  if (kind === 'trend') return ['pNN', 'avg', 'min', 'max', 'med', 'count'];
  if (kind === 'counter') return ['count', 'rate'];
  return ['value'];
}

/** A latency distribution as the evaluator needs it (milliseconds). */
export interface TrendStats {
  count: number;
  minMs: number;
  maxMs: number;
  meanMs: number;
  percentileMs(percentile: number): number;
}

/** What thresholds are evaluated against: the merged result of a run. */
export interface ThresholdMetrics {
  trends: Partial<Record<string, TrendStats>>;
  /** `count` and the denominator that `rate` divides by. */
  counters: Partial<Record<string, { count: number; total: number }>>;
  values: Partial<Record<string, number>>;
}

export interface ThresholdVerdict {
  threshold: string;
  metric: string;
  aggregate: string;
  operator: ThresholdOperator;
  limit: number;
  /** null when the metric had no data (a trend without samples): that fails the threshold. */
  observed: number | null;
  passed: boolean;
}

export function observe(threshold: Threshold, metrics: ThresholdMetrics): number | null {
  const kind = thresholdMetrics[threshold.metric].kind;
  if (kind === 'trend') {
    const trend = metrics.trends[threshold.metric];
    if (!trend) return null;
    if (threshold.aggregate === 'count') return trend.count;
    if (trend.count === 0) return null;
    if (threshold.percentile !== undefined) return trend.percentileMs(threshold.percentile);
    if (threshold.aggregate === 'avg') return trend.meanMs;
    if (threshold.aggregate === 'min') return trend.minMs;
    if (threshold.aggregate === 'max') return trend.maxMs;
    return trend.percentileMs(50);
  }
  if (kind === 'counter') {
    const counter = metrics.counters[threshold.metric] ?? { count: 0, total: 0 };
    if (threshold.aggregate === 'rate') return counter.total === 0 ? 0 : counter.count / counter.total;
    return counter.count;
  }
  return metrics.values[threshold.metric] ?? null;
}

function compare(observed: number, operator: ThresholdOperator, limit: number): boolean {
  switch (operator) {
    case '<':
      return observed < limit;
    case '<=':
      return observed <= limit;
    case '>':
      return observed > limit;
    case '>=':
      return observed >= limit;
    case '==':
      return observed === limit;
    case '!=':
      return observed !== limit;
  }
}

/** Evaluates every threshold; a metric without data fails its threshold (nothing measured ≠ fast). */
export function evaluateThresholds(thresholds: Threshold[], metrics: ThresholdMetrics): ThresholdVerdict[] {
  return thresholds.map((threshold) => {
    const observed = observe(threshold, metrics);
    return {
      threshold: threshold.source,
      metric: threshold.metric,
      aggregate: threshold.aggregate,
      operator: threshold.operator,
      limit: threshold.value,
      observed,
      passed: observed !== null && compare(observed, threshold.operator, threshold.value),
    };
  });
}
