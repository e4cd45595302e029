/**
 * TEST DOUBLE of k6's end-of-test summary: builds the `data` object k6 passes to handleSummary()
 * (metrics with `type`, `contains`, `values`, and threshold verdicts) from the samples the shims
 * recorded, evaluating the script's `options.thresholds` the way k6 does for these aggregations.
 */
import { shimState, type ShimMetric } from './state.js';

export interface SummaryMetric {
  type: string;
  contains: string;
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}

function percentile(sorted: number[], p: number): number {
  // k6 interpolates linearly between closest ranks.
  if (sorted.length === 0) return 0;
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

function values(metric: ShimMetric, durationS: number, trendStats: string[]): Record<string, number> {
  const sum = metric.values.reduce((a, b) => a + b, 0);
  if (metric.type === 'counter') return { count: sum, rate: durationS > 0 ? sum / durationS : 0 };
  if (metric.type === 'rate') {
    return {
      rate: metric.values.length === 0 ? 0 : sum / metric.values.length,
      passes: sum,
      fails: metric.values.length - sum,
    };
  }
  const sorted = [...metric.values].sort((a, b) => a - b);
  if (metric.type === 'gauge')
    return { value: metric.values.at(-1) ?? 0, min: sorted[0] ?? 0, max: sorted.at(-1) ?? 0 };
  const out: Record<string, number> = {};
  for (const stat of trendStats) {
    if (stat === 'avg') out.avg = sorted.length === 0 ? 0 : sum / sorted.length;
    else if (stat === 'min') out.min = sorted[0] ?? 0;
    else if (stat === 'max') out.max = sorted.at(-1) ?? 0;
    else if (stat === 'med') out.med = percentile(sorted, 50);
    else if (stat === 'count') out.count = sorted.length;
    else {
      const match = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat);
      if (match) out[stat] = percentile(sorted, Number(match[1]));
    }
  }
  return out;
}

function evaluate(expression: string, metric: ShimMetric, v: Record<string, number>): boolean {
  const match =
    /^\s*(p\(\d+(?:\.\d+)?\)|avg|min|max|med|count|rate|value)\s*(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$/.exec(
      expression,
    );
  if (!match) throw new Error(`k6 shim: cannot evaluate threshold ${expression}`);
  const [, aggregate, operator, limitText] = match;
  let observed = v[aggregate];
  if (observed === undefined && metric.type === 'trend') {
    const sorted = [...metric.values].sort((a, b) => a - b);
    const p = /^p\((.+)\)$/.exec(aggregate);
    observed = p ? percentile(sorted, Number(p[1])) : aggregate === 'med' ? percentile(sorted, 50) : NaN;
  }
  const limit = Number(limitText);
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
    default:
      return observed !== limit;
  }
}

/** The handleSummary() argument for what the shims recorded during `durationMs`. */
export function buildShimSummary(
  options: { thresholds?: Record<string, string[]>; summaryTrendStats?: string[] },
  durationMs: number,
): { metrics: Record<string, SummaryMetric>; state: { testRunDurationMs: number } } {
  const trendStats = options.summaryTrendStats ?? ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];
  const metrics: Record<string, SummaryMetric> = {};
  const all = new Map(shimState().metrics);
  // k6 built-in metrics the script's thresholds may name.
  if (!all.has('dropped_iterations'))
    all.set('dropped_iterations', {
      name: 'dropped_iterations',
      type: 'counter',
      isTime: false,
      values: [],
      times: [],
      tags: [],
    });
  for (const metric of all.values()) {
    const thresholds = options.thresholds?.[metric.name];
    if (metric.values.length === 0 && !thresholds) continue;
    const v = values(metric, durationMs / 1000, trendStats);
    const entry: SummaryMetric = {
      type: metric.type,
      contains: metric.isTime ? 'time' : 'default',
      values: v,
    };
    if (thresholds) {
      entry.thresholds = {};
      for (const expression of thresholds)
        entry.thresholds[expression] = { ok: evaluate(expression, metric, v) };
    }
    metrics[metric.name] = entry;
  }
  return { metrics, state: { testRunDurationMs: durationMs } };
}
