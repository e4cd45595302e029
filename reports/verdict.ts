/**
 * The report's verdict, computed the way the source documents present theirs: each capacity dimension
 * has a required and a measured value, a ratio and a status; the system is ready only when every
 * measured dimension, every load-test threshold and the simulated SLO pass.
 */
import { formatValue } from './format.js';
import type { ReportInput, RequirementRow } from './inputs.js';

export type RowStatus = 'pass' | 'fail' | 'not measured';

export interface EvaluatedRow extends RequirementRow {
  /** measured / required; undefined when not measured or the requirement is 0. */
  ratio?: number;
  status: RowStatus;
}

export type Verdict = 'ready' | 'not ready' | 'not measured';

export interface VerdictSummary {
  verdict: Verdict;
  rows: EvaluatedRow[];
  /** One line per failing item, for the banner. */
  failures: string[];
  passedCount: number;
  failedCount: number;
}

/** Status of one dimension: `atLeast` passes when measured ≥ required, `atMost` when measured ≤ required. */
export function evaluateRow(row: RequirementRow): EvaluatedRow {
  if (row.measured === undefined || !Number.isFinite(row.measured)) return { ...row, status: 'not measured' };
  const ratio = row.required === 0 ? undefined : row.measured / row.required;
  // A noisy rate (Poisson arrivals) may fall a little short of its target by chance: `tolerance` allows that.
  const slack = row.tolerance ?? 0;
  const pass =
    row.direction === 'atLeast' ? row.measured >= row.required * (1 - slack) : row.measured <= row.required;
  return { ...row, ratio, status: pass ? 'pass' : 'fail' };
}

export function summarizeVerdict(input: ReportInput): VerdictSummary {
  const rows = (input.requirements ?? []).map(evaluateRow);
  const failures: string[] = [];
  let passedCount = 0;
  for (const row of rows) {
    if (row.status === 'fail')
      failures.push(
        `${row.dimension}: required ${formatValue(row.required, row.unit)}, ${row.basis === 'current' ? 'today' : 'measured'} ${formatValue(row.measured, row.unit)}`,
      );
    if (row.status === 'pass') passedCount += 1;
  }
  for (const test of input.loadTests ?? []) {
    for (const threshold of test.thresholds) {
      if (threshold.pass) passedCount += 1;
      else failures.push(`threshold ${threshold.expression} failed (${test.label})`);
    }
  }
  if (input.simulation?.slo !== undefined) {
    if (input.simulation.slo.pass) passedCount += 1;
    else failures.push(`simulated SLO failed: ${input.simulation.slo.description}`);
  }
  const measured = rows.some((row) => row.status !== 'not measured') || (input.loadTests ?? []).length > 0;
  const anySimulated = input.simulation?.slo !== undefined;
  let verdict: Verdict;
  if (failures.length > 0) verdict = 'not ready';
  else if (measured || anySimulated) verdict = 'ready';
  else verdict = 'not measured';
  return { verdict, rows, failures, passedCount, failedCount: failures.length };
}
