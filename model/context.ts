/**
 * The model's working state while it evaluates one scenario: metric values by id, and — only when
 * explaining (the deterministic run) — each metric's unit and formula with inputs substituted. Monte
 * Carlo samples run the same code with `explain` off, so formulas are never built 10,000 times.
 */
import { CapsimError } from '../common/errors.js';

export interface Metric {
  value: number;
  unit: string;
  /** How the number was obtained, e.g. `a × b = 500,000,000 × 15`. */
  formula: string;
  p10?: number;
  p50?: number;
  p90?: number;
}

/** A lookup failure that names where in the scenario the bad reference sits. */
export function unknownMetricError(id: string, path: string, known: Iterable<string>): CapsimError {
  const candidates = [...known];
  const near = candidates
    .filter((candidate) => candidate.split('.')[0] === id.split('.')[0])
    .slice(0, 8)
    .join(', ');
  return new CapsimError('E_UNKNOWN_METRIC', `${path} names a metric the model does not compute: ${id}`, {
    problems: [
      {
        path,
        message: `unknown metric \`${id}\``,
        expected:
          near === ''
            ? 'a metric id computed earlier (see `capsim model <scenario> --json`)'
            : `e.g. ${near}`,
        found: id,
      },
    ],
  });
}

/**
 * How a metric was computed, built only when explaining. Call sites write
 * `ctx.explain && (() => \`…\`)` so that Monte Carlo samples allocate no closures at all.
 */
export type Formula = false | (() => string);

export class ModelContext {
  readonly values = new Map<string, number>();
  readonly units = new Map<string, string>();
  readonly formulas = new Map<string, string>();
  /** Monthly cost line items, in the order they were computed (summed into costs.totalPerMonthUSD). */
  readonly costs: [string, number][] = [];

  constructor(readonly explain: boolean) {}

  /** Records a metric; `formula` is only called when explaining. Returns the value. */
  set(id: string, unit: string, value: number, formula: Formula): number {
    this.values.set(id, value);
    if (this.explain && formula) {
      this.units.set(id, unit);
      this.formulas.set(id, formula());
    }
    return value;
  }

  /** Records a monthly cost line item (USD/month). */
  setCost(id: string, value: number, formula: Formula): number {
    this.costs.push([id, value]);
    return this.set(id, 'USD/month', value, formula);
  }

  has(id: string): boolean {
    return this.values.has(id);
  }

  get(id: string): number | undefined {
    return this.values.get(id);
  }

  /** Value of a metric another part of the scenario refers to (`path` says where, for the error). */
  require(id: string, path: string): number {
    const value = this.values.get(id);
    if (value === undefined) throw unknownMetricError(id, path, this.values.keys());
    return value;
  }

  /** Metrics with units and formulas (explaining contexts only). */
  table(): Record<string, Metric> {
    const table: Record<string, Metric> = {};
    for (const [id, value] of this.values) {
      table[id] = { value, unit: this.units.get(id) ?? '', formula: this.formulas.get(id) ?? '' };
    }
    return table;
  }
}

/**
 * A context reused across Monte Carlo samples: metrics known from the deterministic run live at fixed
 * positions of a Float64Array (no map growth or allocation per sample); a generation stamp tells which
 * were set in the current sample. Metrics outside the layout fall back to the map.
 */
export class SampleContext extends ModelContext {
  private readonly layout = new Map<string, number>();
  private readonly sampleValues: Float64Array;
  private readonly stamps: Uint32Array;
  private generation = 1;

  constructor(ids: readonly string[]) {
    super(false);
    ids.forEach((id, index) => this.layout.set(id, index));
    this.sampleValues = new Float64Array(ids.length);
    this.stamps = new Uint32Array(ids.length);
  }

  /** Forgets the previous sample's values. */
  reset(): void {
    this.generation++;
    this.costs.length = 0;
    if (this.values.size > 0) this.values.clear();
  }

  override set(id: string, _unit: string, value: number): number {
    const index = this.layout.get(id);
    if (index === undefined) this.values.set(id, value);
    else {
      this.sampleValues[index] = value;
      this.stamps[index] = this.generation;
    }
    return value;
  }

  override has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  override get(id: string): number | undefined {
    const index = this.layout.get(id);
    if (index === undefined) return this.values.get(id);
    return this.stamps[index] === this.generation ? this.sampleValues[index] : undefined;
  }

  override require(id: string, path: string): number {
    const value = this.get(id);
    if (value === undefined) throw unknownMetricError(id, path, this.layout.keys());
    return value;
  }

  /** Value of the metric at `index` of the layout in this sample, if it was set. */
  valueAt(index: number): number | undefined {
    return this.stamps[index] === this.generation ? this.sampleValues[index] : undefined;
  }
}
