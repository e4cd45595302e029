/**
 * What-if sweeps: `--sweep path=from..to:steps` evaluates the model at `steps` evenly spaced values of one
 * input (both ends included) and tabulates chosen metrics.
 */
import { CapsimError } from '../common/errors.js';
import type { Scenario } from '../scenarios/schema.js';
import { computeMetrics } from './compute.js';
import { setInput } from './inputs.js';
import { resolveScenario } from './resolve.js';

export interface SweepSpec {
  input: string;
  from: number;
  to: number;
  steps: number;
}

export interface SweepResult {
  input: string;
  metrics: string[];
  rows: { value: number; metrics: Record<string, number | null> }[];
}

export function parseSweep(text: string): SweepSpec {
  const match = /^\s*([A-Za-z][\w.-]*)\s*=\s*([-+0-9.eE]+)\s*\.\.\s*([-+0-9.eE]+)\s*(?::\s*(\d+))?\s*$/.exec(
    text,
  );
  const from = match ? Number(match[2]) : NaN;
  const to = match ? Number(match[3]) : NaN;
  const steps = match?.[4] === undefined ? 5 : Number(match[4]);
  if (!match || !Number.isFinite(from) || !Number.isFinite(to) || steps < 1 || steps > 10_000) {
    throw new CapsimError('E_BAD_SWEEP', `--sweep ${text}: expected path=from..to:steps`, {
      problems: [
        {
          path: '--sweep',
          message: 'not a sweep',
          expected: 'e.g. workload.peakFactor=1..5:9 (1 ≤ steps ≤ 10,000)',
          found: text,
        },
      ],
    });
  }
  return { input: match[1], from, to, steps };
}

export function runSweep(raw: Scenario, spec: SweepSpec, metrics: readonly string[]): SweepResult {
  const { scenario: resolved } = resolveScenario(raw);
  const rows: SweepResult['rows'] = [];
  for (let step = 0; step < spec.steps; step++) {
    const value =
      spec.steps === 1 ? spec.from : spec.from + ((spec.to - spec.from) * step) / (spec.steps - 1);
    setInput(resolved, spec.input, value, '--sweep');
    const values = computeMetrics(resolved, raw, false).values;
    const row: Record<string, number | null> = {};
    for (const metric of metrics) row[metric] = values.get(metric) ?? null;
    rows.push({ value, metrics: row });
  }
  return { input: spec.input, metrics: [...metrics], rows };
}
