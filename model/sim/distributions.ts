/**
 * Service-time, delay and inter-arrival distributions, in milliseconds. Each is a small object with
 * `sample(random)` (no allocation) and its exact `meanMs`/`varianceMs2` (used by the analytic
 * comparisons: ρ = λ·E[S]/c, Pollaczek–Khinchine needs E[S²] = Var + E[S]²).
 */
import type { Random } from '../random.js';

export interface Distribution {
  readonly kind: string;
  readonly meanMs: number;
  readonly varianceMs2: number;
  sample(random: Random): number;
}

/** The YAML form of a distribution; a bare number is a deterministic value in ms. */
export type DistributionSpec =
  | number
  | { dist: 'deterministic'; valueMs: number }
  | { dist: 'exponential'; meanMs: number }
  | { dist: 'uniform'; minMs: number; maxMs: number }
  | { dist: 'normal'; meanMs: number; sdMs: number }
  | { dist: 'lognormal'; meanMs: number; sdMs: number }
  | { dist: 'empirical'; edgesMs: number[]; counts: number[] };

class Deterministic implements Distribution {
  readonly kind = 'deterministic';
  readonly varianceMs2 = 0;
  constructor(readonly meanMs: number) {}
  sample(): number {
    return this.meanMs;
  }
}

class Exponential implements Distribution {
  readonly kind = 'exponential';
  readonly varianceMs2: number;
  constructor(readonly meanMs: number) {
    this.varianceMs2 = meanMs * meanMs;
  }
  sample(random: Random): number {
    // Inversion: -m·ln(1-U), U ∈ [0,1) so the argument is in (0,1].
    return -this.meanMs * Math.log(1 - random.next());
  }
}

class Uniform implements Distribution {
  readonly kind = 'uniform';
  readonly meanMs: number;
  readonly varianceMs2: number;
  private readonly width: number;
  constructor(
    readonly minMs: number,
    maxMs: number,
  ) {
    this.width = maxMs - minMs;
    this.meanMs = (minMs + maxMs) / 2;
    this.varianceMs2 = (this.width * this.width) / 12;
  }
  sample(random: Random): number {
    return this.minMs + this.width * random.next();
  }
}

/** Standard normal by Box–Muller (one value per call, two uniforms; no hidden state). */
function standardNormal(random: Random): number {
  const u1 = 1 - random.next();
  const u2 = random.next();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * Normal truncated at zero by resampling (durations cannot be negative). The stated mean/variance are
 * the untruncated ones; keep sd ≤ mean/3 for them to hold within 0.1 %.
 */
class Normal implements Distribution {
  readonly kind = 'normal';
  readonly varianceMs2: number;
  constructor(
    readonly meanMs: number,
    readonly sdMs: number,
  ) {
    this.varianceMs2 = sdMs * sdMs;
  }
  sample(random: Random): number {
    for (;;) {
      const value = this.meanMs + this.sdMs * standardNormal(random);
      if (value >= 0) return value;
    }
  }
}

/** Lognormal given the mean and sd of the variable itself: σ² = ln(1 + s²/m²), μ = ln m − σ²/2. */
class LogNormal implements Distribution {
  readonly kind = 'lognormal';
  readonly varianceMs2: number;
  private readonly mu: number;
  private readonly sigma: number;
  constructor(
    readonly meanMs: number,
    sdMs: number,
  ) {
    const sigma2 = Math.log(1 + (sdMs * sdMs) / (meanMs * meanMs));
    this.sigma = Math.sqrt(sigma2);
    this.mu = Math.log(meanMs) - sigma2 / 2;
    this.varianceMs2 = sdMs * sdMs;
  }
  sample(random: Random): number {
    return Math.exp(this.mu + this.sigma * standardNormal(random));
  }
}

/**
 * Empirical distribution from a histogram (e.g. measured latencies fed back from a load test): bucket
 * i spans [edges[i], edges[i+1]) and holds counts[i]; a sample picks a bucket by weight, then a
 * uniform point inside it. Mean and variance are those of that piecewise-uniform density.
 */
class Empirical implements Distribution {
  readonly kind = 'empirical';
  readonly meanMs: number;
  readonly varianceMs2: number;
  private readonly cumulative: Float64Array;
  private readonly edges: Float64Array;
  constructor(edgesMs: number[], counts: number[]) {
    this.edges = Float64Array.from(edgesMs);
    this.cumulative = new Float64Array(counts.length);
    let total = 0;
    let first = 0;
    let second = 0;
    for (let index = 0; index < counts.length; index++) {
      total += counts[index];
      this.cumulative[index] = total;
      const low = edgesMs[index];
      const high = edgesMs[index + 1];
      first += counts[index] * ((low + high) / 2);
      second += counts[index] * ((low * low + low * high + high * high) / 3);
    }
    for (let index = 0; index < counts.length; index++) this.cumulative[index] /= total;
    this.meanMs = first / total;
    this.varianceMs2 = second / total - this.meanMs * this.meanMs;
  }
  sample(random: Random): number {
    const u = random.next();
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.cumulative[middle] > u) high = middle;
      else low = middle + 1;
    }
    const start = this.edges[low];
    const previous = low === 0 ? 0 : this.cumulative[low - 1];
    const fraction = (u - previous) / (this.cumulative[low] - previous);
    return start + (this.edges[low + 1] - start) * fraction;
  }
}

export const deterministic = (valueMs: number): Distribution => new Deterministic(valueMs);
export const exponential = (meanMs: number): Distribution => new Exponential(meanMs);
export const uniform = (minMs: number, maxMs: number): Distribution => new Uniform(minMs, maxMs);
export const normal = (meanMs: number, sdMs: number): Distribution => new Normal(meanMs, sdMs);
export const lognormal = (meanMs: number, sdMs: number): Distribution => new LogNormal(meanMs, sdMs);
export const empirical = (edgesMs: number[], counts: number[]): Distribution =>
  new Empirical(edgesMs, counts);

/** Builds a distribution from its YAML form (already validated by the pipeline schema). */
export function createDistribution(spec: DistributionSpec): Distribution {
  if (typeof spec === 'number') return deterministic(spec);
  switch (spec.dist) {
    case 'deterministic':
      return deterministic(spec.valueMs);
    case 'exponential':
      return exponential(spec.meanMs);
    case 'uniform':
      return uniform(spec.minMs, spec.maxMs);
    case 'normal':
      return normal(spec.meanMs, spec.sdMs);
    case 'lognormal':
      return lognormal(spec.meanMs, spec.sdMs);
    case 'empirical':
      return empirical(spec.edgesMs, spec.counts);
  }
}

/** Mean of a distribution spec, in ms. */
export function distributionMeanMs(spec: DistributionSpec): number {
  return createDistribution(spec).meanMs;
}
