/**
 * Turns a scenario whose numbers may be ranges into one with plain numbers: the point values (range
 * midpoints or `mid`) for the deterministic model, or one Monte Carlo draw per range. Ranges are found
 * once ("slots"); each sample then overwrites the slots of one reusable copy in place, so sampling
 * allocates nothing per draw.
 */
import { looksLikeRange, quantityBounds, type Quantity, type QuantityBounds } from '../scenarios/quantity.js';
import type { Scenario } from '../scenarios/schema.js';

/** A scenario type with every quantity replaced by a number. */
export type Resolved<T> = T extends Quantity
  ? number
  : T extends (infer Item)[]
    ? Resolved<Item>[]
    : T extends object
      ? { [Key in keyof T]: Resolved<T[Key]> }
      : T;
export type ResolvedScenario = Resolved<Scenario>;

/** One uncertain input: where it sits and its bounds. */
export interface RangeSlot {
  /** Dotted input path, e.g. `workload.messagesPerUserPerDay`. */
  path: string;
  bounds: QuantityBounds;
  /** `uniform` for [low, high]; `triangular` for { low, mid, high }. */
  shape: 'uniform' | 'triangular';
  holder: Record<string | number, unknown>;
  key: string | number;
}

/** Sections that are not model inputs (simulation, load test, checks) and are never resolved. */
const skipped = new Set(['pipeline', 'load', 'expect', 'phases']);

/**
 * Ranges that describe variation from one event to the next rather than uncertainty: a device waits
 * 5–15 s before *each* send, so its long-run rate uses the mean delay with certainty. The model takes
 * their mean and does not sample them (the simulation draws them per event).
 */
const perEventDistributions = new Set(['broadcast.sendDelaySeconds']);

function walk(
  value: unknown,
  path: string,
  slots: RangeSlot[],
  holder: Record<string | number, unknown>,
  key: string | number,
): unknown {
  if (looksLikeRange(value)) {
    const bounds = quantityBounds(value as Quantity);
    if (perEventDistributions.has(path)) return bounds.mid;
    slots.push({ path, bounds, shape: Array.isArray(value) ? 'uniform' : 'triangular', holder, key });
    return bounds.mid;
  }
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    value.forEach((item, index) => {
      copy[index] = walk(item, `${path}.${index}`, slots, copy as unknown as Record<number, unknown>, index);
    });
    return copy;
  }
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [childKey, child] of Object.entries(value)) {
      if (path === '' && skipped.has(childKey)) copy[childKey] = child;
      else
        copy[childKey] = walk(child, path === '' ? childKey : `${path}.${childKey}`, slots, copy, childKey);
    }
    return copy;
  }
  return value;
}

export interface ResolvedWithSlots {
  /** A private copy holding point values; sampling overwrites its slots in place. */
  scenario: ResolvedScenario;
  slots: RangeSlot[];
}

/** Point-valued copy of `scenario` plus the list of its uncertain inputs. */
export function resolveScenario(scenario: Scenario): ResolvedWithSlots {
  const slots: RangeSlot[] = [];
  const root: Record<string, unknown> = {};
  const resolved = walk(scenario, '', slots, root, 'scenario') as ResolvedScenario;
  // Slots recorded at the top level point into `root`; re-point them at the resolved object.
  return { scenario: resolved, slots };
}

/** Puts every slot back to its point value. */
export function resetSlots(slots: readonly RangeSlot[]): void {
  for (const slot of slots) slot.holder[slot.key] = slot.bounds.mid;
}

/** Inverse CDF of the triangular distribution on [low, high] with mode `mid`. */
export function triangularQuantile(bounds: QuantityBounds, u: number): number {
  const { low, mid, high } = bounds;
  const width = high - low;
  if (width <= 0) return low;
  const split = (mid - low) / width;
  return u < split
    ? low + Math.sqrt(u * width * (mid - low))
    : high - Math.sqrt((1 - u) * width * (high - mid));
}

/** Value of a slot at uniform draw `u` ∈ [0, 1). */
export function sampleSlot(slot: RangeSlot, u: number): number {
  const { low, high } = slot.bounds;
  return slot.shape === 'uniform' ? low + (high - low) * u : triangularQuantile(slot.bounds, u);
}
