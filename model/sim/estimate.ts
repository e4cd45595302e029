/**
 * Replication statistics: the mean of independent replications with a Student-t 95 % confidence
 * interval, mean ± t(0.975, n−1) · s/√n.
 */

export interface Estimate {
  mean: number;
  ciLow: number;
  ciHigh: number;
}

/** t(0.975, df) for df = 1…30; beyond that the normal 1.96 is within 2 %. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export function tQuantile975(degreesOfFreedom: number): number {
  if (degreesOfFreedom < 1) return Infinity;
  if (degreesOfFreedom <= 30) return T975[degreesOfFreedom - 1];
  // Cornish–Fisher style correction of the normal quantile: z + (z³ + z)/(4·df).
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * degreesOfFreedom);
}

export function estimate(values: number[]): Estimate {
  const n = values.length;
  if (n === 0) return { mean: 0, ciLow: 0, ciHigh: 0 };
  const mean = values.reduce((sum, value) => sum + value, 0) / n;
  if (n === 1) return { mean, ciLow: mean, ciHigh: mean };
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (n - 1);
  const half = tQuantile975(n - 1) * Math.sqrt(variance / n);
  return { mean, ciLow: mean - half, ciHigh: mean + half };
}

/** Whether `value` lies in the interval, or within `relativeTolerance` of the mean. */
export function consistent(value: number, interval: Estimate, relativeTolerance = 0): boolean {
  if (value >= interval.ciLow && value <= interval.ciHigh) return true;
  const scale = Math.max(Math.abs(value), 1e-12);
  return Math.abs(interval.mean - value) / scale <= relativeTolerance;
}
