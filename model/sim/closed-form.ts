/**
 * Closed-form results the simulator is validated against (times in ms, rates per ms).
 * - M/M/c (Erlang C): a = λ/μ offered load, ρ = a/c;
 *   P(wait) = C(c, a) = [a^c/c! · 1/(1−ρ)] / [Σ_{k<c} a^k/k! + a^c/c! · 1/(1−ρ)],
 *   Wq = C(c, a)/(cμ − λ), Lq = λ·Wq (Little), W = Wq + 1/μ.
 * - M/G/1 (Pollaczek–Khinchine): Wq = λ·E[S²] / (2(1 − ρ)); for M/D/1 E[S²] = S², so Wq = ρS/(2(1−ρ)).
 * - Batching (flush at N jobs or T ms after the first, Poisson λ, ample servers, service a + b·K):
 *   per cycle the buffer area is A = ∫_0^C (1 + N(t)) dt with C = min(T, time of the (N−1)-th later
 *   arrival), so E[A] = (1/λ)·Σ_{k=0}^{N−2} (1 + k)·P(N(T) ≥ k + 1)  (using ∫_0^T p_k(λt) dt = P(N(T) > k)/λ);
 *   K = 1 + min(N(T), N − 1); mean formation wait = E[A]/E[K] (renewal–reward), and a job's mean
 *   sojourn = E[A]/E[K] + a + b·E[K²]/E[K] (jobs see batches size-biased).
 */

export interface MmcResult {
  utilization: number;
  waitProbability: number;
  meanWaitMs: number;
  meanQueueLength: number;
  meanSojournMs: number;
}

export function mmc(arrivalsPerMs: number, meanServiceMs: number, servers: number): MmcResult {
  const offered = arrivalsPerMs * meanServiceMs;
  const utilization = offered / servers;
  if (utilization >= 1) throw new RangeError(`M/M/c needs ρ < 1, got ${utilization}`);
  // Sum a^k/k! iteratively to avoid overflow.
  let term = 1;
  let sum = 0;
  for (let k = 0; k < servers; k++) {
    sum += term;
    term *= offered / (k + 1);
  }
  const top = term / (1 - utilization);
  const waitProbability = top / (sum + top);
  const meanWaitMs = (waitProbability * meanServiceMs) / (servers - offered);
  return {
    utilization,
    waitProbability,
    meanWaitMs,
    meanQueueLength: arrivalsPerMs * meanWaitMs,
    meanSojournMs: meanWaitMs + meanServiceMs,
  };
}

/** Pollaczek–Khinchine mean wait of M/G/1. */
export function mg1MeanWaitMs(
  arrivalsPerMs: number,
  meanServiceMs: number,
  serviceVarianceMs2: number,
): number {
  const utilization = arrivalsPerMs * meanServiceMs;
  if (utilization >= 1) throw new RangeError(`M/G/1 needs ρ < 1, got ${utilization}`);
  const secondMoment = serviceVarianceMs2 + meanServiceMs * meanServiceMs;
  return (arrivalsPerMs * secondMoment) / (2 * (1 - utilization));
}

/** Poisson(mean) pmf for k = 0…kMax, computed stably in log space. */
function poissonPmf(mean: number, kMax: number): Float64Array {
  const pmf = new Float64Array(kMax + 1);
  let logTerm = -mean;
  for (let k = 0; k <= kMax; k++) {
    if (k > 0) logTerm += Math.log(mean) - Math.log(k);
    pmf[k] = Math.exp(logTerm);
  }
  return pmf;
}

export interface BatchingResult {
  meanBatchSize: number;
  meanFormationWaitMs: number;
  meanSojournMs: number;
  batchesPerMs: number;
}

export function batching(
  arrivalsPerMs: number,
  maxBatch: number,
  maxDelayMs: number,
  baseMs: number,
  perItemMs: number,
): BatchingResult {
  const mean = arrivalsPerMs * maxDelayMs;
  const pmf = poissonPmf(mean, maxBatch);
  // tail[k] = P(N(T) ≥ k)
  const tail = new Float64Array(maxBatch + 1);
  let cumulative = 0;
  for (let k = 0; k <= maxBatch; k++) {
    tail[k] = 1 - cumulative;
    cumulative += pmf[k];
  }
  let area = 0;
  for (let k = 0; k <= maxBatch - 2; k++) area += (1 + k) * tail[k + 1];
  area /= arrivalsPerMs;
  // K = 1 + min(N(T), N−1)
  let firstMoment = 0;
  let secondMoment = 0;
  for (let k = 0; k < maxBatch - 1; k++) {
    firstMoment += (1 + k) * pmf[k];
    secondMoment += (1 + k) ** 2 * pmf[k];
  }
  const capped = tail[maxBatch - 1];
  firstMoment += maxBatch * capped;
  secondMoment += maxBatch * maxBatch * capped;
  // Cycle: a close time, then an exponential gap until the next first arrival; E[cycle] = E[K]/λ.
  return {
    meanBatchSize: firstMoment,
    meanFormationWaitMs: area / firstMoment,
    meanSojournMs: area / firstMoment + baseMs + (perItemMs * secondMoment) / firstMoment,
    batchesPerMs: arrivalsPerMs / firstMoment,
  };
}
