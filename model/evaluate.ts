/**
 * evaluateModel: the analytic model of a scenario as stable JSON —
 *   { scenario, metrics: { id: { value, unit, formula, p10?, p50?, p90? } }, checks: [...] }
 * plus `sensitivity` and `sweep` when asked. Pure: no I/O, no clock; randomness only from the seed.
 * Percentiles appear when the scenario has ranges (Monte Carlo over `samples` draws).
 */
import type { Scenario } from '../scenarios/schema.js';
import { evaluateChecks, type CheckResult } from './checks.js';
import { computeMetrics } from './compute.js';
import { unknownMetricError, type Metric } from './context.js';
import { monteCarloPercentiles } from './monte-carlo.js';
import { phaseMetrics } from './phases.js';
import { resolveScenario } from './resolve.js';
import { sensitivity as rankSensitivity, type SensitivityRanking } from './sensitivity.js';
import { runSweep, type SweepResult, type SweepSpec } from './sweep.js';

export interface ModelOptions {
  /** Monte Carlo seed (default 1). */
  seed?: number;
  /** Monte Carlo samples when the scenario has ranges (default 10,000; 0 turns percentiles off). */
  samples?: number;
  /** Metrics to rank inputs for (tornado); default: the scenario's `summary` metrics. `false` skips it. */
  sensitivity?: readonly string[] | false;
  /** A what-if sweep of one input. */
  sweep?: SweepSpec;
  /** Metrics the sweep tabulates; default: the scenario's `summary` metrics. */
  sweepMetrics?: readonly string[];
}

export interface ModelResult {
  scenario: string;
  metrics: Record<string, Metric>;
  checks: CheckResult[];
  sensitivity?: SensitivityRanking[];
  sweep?: SweepResult;
}

export const DEFAULT_SAMPLES = 10_000;
export const DEFAULT_SEED = 1;

function requireMetrics(ids: readonly string[], metrics: Record<string, Metric>, path: string): void {
  for (const id of ids)
    if (metrics[id] === undefined) throw unknownMetricError(id, path, Object.keys(metrics));
}

export function evaluateModel(scenario: Scenario, options: ModelOptions = {}): ModelResult {
  const { scenario: resolved, slots } = resolveScenario(scenario);
  const context = computeMetrics(resolved, scenario, true);
  phaseMetrics(scenario, context);
  const metrics = context.table();
  const summary = scenario.summary ?? [];
  requireMetrics(summary, metrics, 'summary');

  const samples = options.samples ?? DEFAULT_SAMPLES;
  if (slots.length > 0 && samples > 0) {
    // The context's own id strings: samples set the very same string objects, so lookups stay cheap.
    const ids = [...context.values.keys()].filter((id) => !id.startsWith('phases.'));
    const percentiles = monteCarloPercentiles(
      resolved,
      slots,
      scenario,
      ids,
      samples,
      options.seed ?? DEFAULT_SEED,
    );
    for (const [id, p] of percentiles) Object.assign(metrics[id], p);
  }

  const result: ModelResult = {
    scenario: scenario.name,
    metrics,
    checks: evaluateChecks(scenario.expect ?? [], metrics),
  };

  const sensitivityMetrics = options.sensitivity === false ? [] : (options.sensitivity ?? summary);
  if (sensitivityMetrics.length > 0 && slots.length > 0) {
    requireMetrics(sensitivityMetrics, metrics, '--sensitivity');
    const base = Object.fromEntries(sensitivityMetrics.map((id) => [id, metrics[id].value]));
    result.sensitivity = rankSensitivity(resolved, slots, scenario, sensitivityMetrics, base);
  }
  if (options.sweep !== undefined) {
    const sweepMetrics = options.sweepMetrics ?? summary;
    requireMetrics(sweepMetrics, metrics, '--metric');
    result.sweep = runSweep(scenario, options.sweep, sweepMetrics);
  }
  return result;
}
