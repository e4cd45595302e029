/**
 * Queueing basics the documents size fleets without: utilization, Little's law, Erlang B/C (M/M/c),
 * mean wait, the smallest server count meeting a wait target, and square-root staffing.
 * Rates are per second; times in seconds unless the name says otherwise.
 */

/** ρ = λ / (c·μ): the fraction of time each of c servers is busy. */
export function utilization(arrivalRatePerSecond: number, serviceRatePerSecond: number, servers = 1): number {
  return arrivalRatePerSecond / (servers * serviceRatePerSecond);
}

/** Little's law: L = λ · W (items in system = arrival rate × time in system). */
export function littlesLawItems(arrivalRatePerSecond: number, timeInSystemSeconds: number): number {
  return arrivalRatePerSecond * timeInSystemSeconds;
}

/** Little's law solved for W = L / λ. */
export function littlesLawTimeSeconds(itemsInSystem: number, arrivalRatePerSecond: number): number {
  return itemsInSystem / arrivalRatePerSecond;
}

/**
 * Erlang B (blocking probability of M/M/c/c) for offered load a = λ/μ, by the stable recursion
 * B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1)).
 */
export function erlangB(servers: number, offeredLoad: number): number {
  let blocking = 1;
  for (let k = 1; k <= servers; k++) blocking = (offeredLoad * blocking) / (k + offeredLoad * blocking);
  return blocking;
}

/** C from B: C = c·B / (c − a·(1 − B)); 1 when a ≥ c (the queue grows without bound). */
function erlangCFromB(servers: number, offeredLoad: number, blocking: number): number {
  if (offeredLoad >= servers) return 1;
  return (servers * blocking) / (servers - offeredLoad * (1 - blocking));
}

/** Erlang C: probability that an arrival waits in M/M/c with offered load a = λ/μ. */
export function erlangC(servers: number, offeredLoad: number): number {
  return erlangCFromB(servers, offeredLoad, erlangB(servers, offeredLoad));
}

/** Mean wait in queue of M/M/c: Wq = C / (c·μ − λ); Infinity when unstable. */
export function mmcMeanWaitSeconds(
  arrivalRatePerSecond: number,
  serviceRatePerSecond: number,
  servers: number,
): number {
  const capacity = servers * serviceRatePerSecond;
  if (arrivalRatePerSecond >= capacity) return Infinity;
  return erlangC(servers, arrivalRatePerSecond / serviceRatePerSecond) / (capacity - arrivalRatePerSecond);
}

export interface StaffingTarget {
  /** Largest acceptable probability of waiting, P(W > 0). */
  waitProbability?: number;
  /** Largest acceptable mean wait in queue, seconds. */
  meanWaitSeconds?: number;
}

export interface StaffingResult {
  servers: number;
  waitProbability: number;
  meanWaitSeconds: number;
  utilization: number;
}

/**
 * Smallest c with a < c meeting every given target, walking c upward while carrying Erlang B forward
 * (O(c) in total). `maxServers` bounds the search.
 */
export function requiredServers(
  arrivalRatePerSecond: number,
  serviceRatePerSecond: number,
  target: StaffingTarget,
  maxServers = 1e6,
): StaffingResult {
  const offeredLoad = arrivalRatePerSecond / serviceRatePerSecond;
  let blocking = 1;
  for (let servers = 1; servers <= maxServers; servers++) {
    blocking = (offeredLoad * blocking) / (servers + offeredLoad * blocking);
    if (offeredLoad >= servers) continue;
    const waitProbability = erlangCFromB(servers, offeredLoad, blocking);
    const meanWaitSeconds = waitProbability / (servers * serviceRatePerSecond - arrivalRatePerSecond);
    const probabilityOk = target.waitProbability === undefined || waitProbability <= target.waitProbability;
    const waitOk = target.meanWaitSeconds === undefined || meanWaitSeconds <= target.meanWaitSeconds;
    if (probabilityOk && waitOk)
      return { servers, waitProbability, meanWaitSeconds, utilization: offeredLoad / servers };
  }
  throw new RangeError(`no server count up to ${maxServers} meets the target`);
}

/** Standard normal density. */
export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

/** Standard normal CDF (Abramowitz & Stegun 7.1.26 on erf; absolute error < 1.5e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Halfin–Whitt: P(wait) ≈ 1 / (1 + β·Φ(β)/φ(β)) for c = a + β√a servers. */
export function halfinWhittWaitProbability(beta: number): number {
  return 1 / (1 + (beta * normalCdf(beta)) / normalPdf(beta));
}

const betaCache = new Map<number, number>();

/** β giving the target P(wait) in the Halfin–Whitt regime (bisection, memoized; P falls as β rises). */
export function halfinWhittBeta(targetWaitProbability: number): number {
  const cached = betaCache.get(targetWaitProbability);
  if (cached !== undefined) return cached;
  const beta = solveBeta(targetWaitProbability);
  betaCache.set(targetWaitProbability, beta);
  return beta;
}

function solveBeta(targetWaitProbability: number): number {
  let low = 1e-6;
  let high = 10;
  for (let iteration = 0; iteration < 100; iteration++) {
    const middle = (low + high) / 2;
    if (halfinWhittWaitProbability(middle) > targetWaitProbability) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}

/** Square-root staffing: c = ⌈a + β·√a⌉. */
export function squareRootStaffing(offeredLoad: number, beta: number): number {
  return Math.ceil(offeredLoad + beta * Math.sqrt(offeredLoad) - 1e-9);
}
