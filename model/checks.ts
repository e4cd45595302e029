/**
 * `expect:` checks: each compares a metric with the document's figure. A check passes when
 * |actual − expected| ≤ tolerance × |expected| (tolerance is relative; default 0.5 %; with expected 0 it
 * is absolute).
 */
import type { ExpectCheck } from '../scenarios/schema.js';
import { unknownMetricError, type Metric } from './context.js';

export const DEFAULT_TOLERANCE = 0.005;

export interface CheckResult {
  id: string;
  expected: number;
  actual: number;
  tolerance: number;
  pass: boolean;
  source: string;
}

export function checkPasses(actual: number, expected: number, tolerance: number): boolean {
  const allowed = expected === 0 ? tolerance : tolerance * Math.abs(expected);
  // A little slack for floating-point dust in exact (tolerance 0) checks.
  return Math.abs(actual - expected) <= allowed + 1e-9 * Math.max(1, Math.abs(expected));
}

export function evaluateChecks(
  expectations: readonly ExpectCheck[],
  metrics: Record<string, Metric>,
): CheckResult[] {
  const seen = new Map<string, number>();
  return expectations.map((check, index) => {
    const metric = metrics[check.metric];
    if (metric === undefined)
      throw unknownMetricError(check.metric, `expect.${index}.metric`, Object.keys(metrics));
    const line = check.source.slice(check.source.lastIndexOf(':') + 1);
    let id = check.id ?? `${check.metric}@${line}`;
    const count = (seen.get(id) ?? 0) + 1;
    seen.set(id, count);
    if (count > 1) id = `${id}#${count}`;
    const tolerance = check.tolerance ?? DEFAULT_TOLERANCE;
    return {
      id,
      expected: check.expected,
      actual: metric.value,
      tolerance,
      pass: checkPasses(metric.value, check.expected, tolerance),
      source: check.source,
    };
  });
}
