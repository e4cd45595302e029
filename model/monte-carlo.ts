/**
 * Monte Carlo over the scenario's ranges: each sample draws every uncertain input (uniform for
 * [low, high], triangular for { low, mid, high }) from the seeded generator in a fixed order, evaluates
 * the model without formulas, and keeps every metric's value. Same seed → same draws → same percentiles.
 */
import { createRandom } from './random.js';
import type { Scenario } from '../scenarios/schema.js';
import { computeInto } from './compute.js';
import { SampleContext } from './context.js';
import { resetSlots, sampleSlot, type RangeSlot, type ResolvedScenario } from './resolve.js';

export interface Percentiles {
  p10: number;
  p50: number;
  p90: number;
}

/** Linear-interpolation quantile of sorted values (type 7, as in R and NumPy). */
export function quantileSorted(sorted: Float64Array, probability: number): number {
  if (sorted.length === 0) return NaN;
  const position = (sorted.length - 1) * probability;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

export function monteCarloPercentiles(
  resolved: ResolvedScenario,
  slots: readonly RangeSlot[],
  raw: Scenario,
  ids: readonly string[],
  samples: number,
  seed: number,
): Map<string, Percentiles> {
  const random = createRandom(seed);
  const columns = ids.map(() => new Float64Array(samples));
  const counts = new Int32Array(ids.length);
  // Columns that never change (inputs without ranges and what depends only on them) need no sort.
  const varies = new Uint8Array(ids.length);
  const context = new SampleContext(ids);
  try {
    for (let sample = 0; sample < samples; sample++) {
      for (const slot of slots) slot.holder[slot.key] = sampleSlot(slot, random.next());
      context.reset();
      computeInto(context, resolved, raw);
      for (let index = 0; index < ids.length; index++) {
        const value = context.valueAt(index);
        if (value !== undefined && Number.isFinite(value)) {
          const column = columns[index];
          const count = counts[index]++;
          column[count] = value;
          if (count > 0 && value !== column[0]) varies[index] = 1;
        }
      }
    }
  } finally {
    resetSlots(slots);
  }
  const result = new Map<string, Percentiles>();
  ids.forEach((id, index) => {
    const values = columns[index].subarray(0, counts[index]);
    if (values.length > 0 && varies[index] === 0) {
      result.set(id, { p10: values[0], p50: values[0], p90: values[0] });
      return;
    }
    const sorted = values.sort();
    if (sorted.length > 0)
      result.set(id, {
        p10: quantileSorted(sorted, 0.1),
        p50: quantileSorted(sorted, 0.5),
        p90: quantileSorted(sorted, 0.9),
      });
  });
  return result;
}
