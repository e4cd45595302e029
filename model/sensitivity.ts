/**
 * One-at-a-time sensitivity (tornado): each uncertain input is moved to its low and then its high bound
 * with every other input at its point value; inputs are ranked by how far each output moves.
 */
import type { Scenario } from '../scenarios/schema.js';
import { computeMetrics } from './compute.js';
import { resetSlots, type RangeSlot, type ResolvedScenario } from './resolve.js';

export interface SensitivityInput {
  input: string;
  inputLow: number;
  inputHigh: number;
  outputAtLow: number;
  outputAtHigh: number;
  /** |outputAtHigh − outputAtLow| */
  swing: number;
}

export interface SensitivityRanking {
  metric: string;
  base: number;
  inputs: SensitivityInput[];
}

export function sensitivity(
  resolved: ResolvedScenario,
  slots: readonly RangeSlot[],
  raw: Scenario,
  metrics: readonly string[],
  base: Record<string, number>,
): SensitivityRanking[] {
  const rankings = metrics.map((metric) => ({
    metric,
    base: base[metric],
    inputs: [] as SensitivityInput[],
  }));
  try {
    for (const slot of slots) {
      slot.holder[slot.key] = slot.bounds.low;
      const low = computeMetrics(resolved, raw, false).values;
      slot.holder[slot.key] = slot.bounds.high;
      const high = computeMetrics(resolved, raw, false).values;
      slot.holder[slot.key] = slot.bounds.mid;
      for (const ranking of rankings) {
        const outputAtLow = low.get(ranking.metric) ?? NaN;
        const outputAtHigh = high.get(ranking.metric) ?? NaN;
        ranking.inputs.push({
          input: slot.path,
          inputLow: slot.bounds.low,
          inputHigh: slot.bounds.high,
          outputAtLow,
          outputAtHigh,
          swing: Math.abs(outputAtHigh - outputAtLow),
        });
      }
    }
  } finally {
    resetSlots(slots);
  }
  for (const ranking of rankings)
    ranking.inputs.sort((a, b) => b.swing - a.swing || a.input.localeCompare(b.input));
  return rankings;
}
