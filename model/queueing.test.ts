import { describe, expect, it } from 'vitest';
import {
  erlangB,
  erlangC,
  halfinWhittBeta,
  halfinWhittWaitProbability,
  littlesLawItems,
  littlesLawTimeSeconds,
  mmcMeanWaitSeconds,
  normalCdf,
  requiredServers,
  squareRootStaffing,
  utilization,
} from './queueing.js';

/** Erlang C from its textbook sum formula, for cross-checking the recursion. */
function erlangCDirect(c: number, a: number): number {
  let sum = 0;
  let term = 1;
  for (let k = 0; k < c; k++) {
    if (k > 0) term *= a / k;
    sum += term;
  }
  const top = (term * a) / c / (1 - a / c);
  return top / (sum + top);
}

describe('queueing formulas', () => {
  it('utilization and Little’s law', () => {
    expect(utilization(80, 10, 10)).toBeCloseTo(0.8, 12);
    expect(littlesLawItems(100, 0.25)).toBe(25);
    expect(littlesLawTimeSeconds(25, 100)).toBe(0.25);
  });

  it('Erlang B matches known values', () => {
    expect(erlangB(1, 1)).toBeCloseTo(0.5, 12);
    expect(erlangB(2, 1)).toBeCloseTo(0.2, 12);
    expect(erlangB(5, 3)).toBeCloseTo(0.110054, 5);
  });

  it('Erlang C matches M/M/1, M/M/2 and the sum formula', () => {
    expect(erlangC(1, 0.5)).toBeCloseTo(0.5, 12); // M/M/1: P(wait) = ρ
    expect(erlangC(2, 1)).toBeCloseTo(1 / 3, 12);
    for (const [c, a] of [
      [10, 8],
      [35, 34.7],
      [100, 90],
    ]) {
      expect(erlangC(c, a)).toBeCloseTo(erlangCDirect(c, a), 10);
    }
    expect(erlangC(10, 8)).toBeCloseTo(0.409, 3);
    expect(erlangC(4, 4)).toBe(1);
  });

  it('mean wait of M/M/1 is ρ / (μ − λ)', () => {
    expect(mmcMeanWaitSeconds(5, 10, 1)).toBeCloseTo(0.5 / 5, 12);
    expect(mmcMeanWaitSeconds(10, 10, 1)).toBe(Infinity);
  });

  it('required servers is the smallest count meeting the target', () => {
    const result = requiredServers(80, 10, { waitProbability: 0.2 });
    expect(result.waitProbability).toBeLessThanOrEqual(0.2);
    expect(erlangC(result.servers - 1, 8)).toBeGreaterThan(0.2);
    const byWait = requiredServers(9, 10, { meanWaitSeconds: 0.05 });
    expect(mmcMeanWaitSeconds(9, 10, byWait.servers)).toBeLessThanOrEqual(0.05);
    expect(mmcMeanWaitSeconds(9, 10, byWait.servers - 1)).toBeGreaterThan(0.05);
  });

  it('square-root staffing agrees with Erlang C for large loads', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.96)).toBeCloseTo(0.975, 4);
    const beta = halfinWhittBeta(0.2);
    expect(halfinWhittWaitProbability(beta)).toBeCloseTo(0.2, 6);
    const offered = 1000;
    const exact = requiredServers(offered, 1, { waitProbability: 0.2 }).servers;
    expect(Math.abs(squareRootStaffing(offered, beta) - exact)).toBeLessThanOrEqual(2);
    expect(squareRootStaffing(100, 1)).toBe(110);
  });
});
