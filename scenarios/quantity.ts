/**
 * Numbers in a scenario may be uncertain. Wherever a document gives a range (10–20 messages per user per
 * day, 3–5 replicas per shard, 5–15 s delays) the scenario may write:
 *   - a plain number:            `15`
 *   - a range `[low, high]`:     `[10, 20]`          (point value: the midpoint; sampled uniformly)
 *   - three points `{low, mid, high}`: `{ low: 10, mid: 12, high: 20 }` (point value: mid; triangular)
 * `mid` may be omitted from the object form (it then defaults to the midpoint).
 */
import { z } from 'zod';

export type RangeTuple = [number, number];
export interface RangeObject {
  low: number;
  mid?: number;
  high: number;
}
export type Quantity = number | RangeTuple | RangeObject;

/** Low, most likely and high values of a quantity (all equal for a plain number). */
export interface QuantityBounds {
  low: number;
  mid: number;
  high: number;
}

const QUANTITY_HELP = 'a number, a range [low, high] or { low, mid, high }';

function boundsCheck(value: Quantity, context: z.RefinementCtx): void {
  const { low, mid, high } = quantityBounds(value);
  if (!(low <= high))
    context.addIssue({ code: 'custom', message: `range low (${low}) must not exceed high (${high})` });
  else if (!(low <= mid && mid <= high))
    context.addIssue({
      code: 'custom',
      message: `mid (${mid}) must lie between low (${low}) and high (${high})`,
    });
}

interface QuantityOptions {
  /** Smallest allowed value (inclusive); default 0 (capacity figures are never negative). */
  min?: number;
  /** Largest allowed value (inclusive). */
  max?: number;
  /** Only integers (counts of servers, shards, retries). */
  int?: boolean;
}

function boundedNumber(options: QuantityOptions): z.ZodNumber {
  let schema = z.number();
  if (options.int) schema = schema.int();
  schema = schema.min(options.min ?? 0);
  if (options.max !== undefined) schema = schema.max(options.max);
  return schema;
}

function makeQuantity(options: QuantityOptions) {
  const n = boundedNumber(options);
  return z
    .union([n, z.tuple([n, n]), z.strictObject({ low: n, mid: n.optional(), high: n })], {
      error: (issue) => (issue.code === 'invalid_union' ? `expected ${QUANTITY_HELP}` : undefined),
    })
    .superRefine(boundsCheck);
}

type QuantitySchema = ReturnType<typeof makeQuantity>;
const cache = new Map<string, QuantitySchema>();

/** Schema of a possibly uncertain number (one shared instance per option set, so the JSON Schema reuses it). */
export function quantity(options: QuantityOptions = {}): QuantitySchema {
  const key = `${options.min ?? 0}:${options.max ?? ''}:${options.int ? 'int' : ''}`;
  let schema = cache.get(key);
  if (schema === undefined) {
    const name =
      options.max === 1 && (options.min ?? 0) === 0
        ? 'Fraction'
        : options.int
          ? 'Count'
          : (options.min ?? 0) === 0
            ? 'Quantity'
            : `QuantityAtLeast${options.min}`;
    schema = makeQuantity(options).meta({
      id: name,
      description: `${options.int ? 'A whole number' : 'A number'}, a range [low, high] or { low, mid, high }`,
    });
    cache.set(key, schema);
  }
  return schema;
}

/** A quantity that must be a fraction in [0, 1] (hit ratios, utilizations). */
export function fraction() {
  return quantity({ min: 0, max: 1 });
}

export function isQuantityRange(value: Quantity): boolean {
  return typeof value !== 'number';
}

export function quantityBounds(value: Quantity): QuantityBounds {
  if (typeof value === 'number') return { low: value, mid: value, high: value };
  if (Array.isArray(value)) return { low: value[0], mid: (value[0] + value[1]) / 2, high: value[1] };
  return { low: value.low, mid: value.mid ?? (value.low + value.high) / 2, high: value.high };
}

/** The point value used for the deterministic model: the number, the range's midpoint, or `mid`. */
export function pointValue(value: Quantity): number {
  return quantityBounds(value).mid;
}

/** True when `value` is shaped like a quantity range (used when walking a scenario). */
export function looksLikeRange(value: unknown): value is RangeTuple | RangeObject {
  if (Array.isArray(value))
    return value.length === 2 && typeof value[0] === 'number' && typeof value[1] === 'number';
  if (value === null || typeof value !== 'object') return false;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  return (
    typeof record.low === 'number' &&
    typeof record.high === 'number' &&
    (record.mid === undefined || typeof record.mid === 'number') &&
    keys.every((key) => key === 'low' || key === 'mid' || key === 'high')
  );
}
