import { describe, expect, it } from 'vitest';
import { scenarioSchema } from '../scenarios/schema.js';
import { formatCompact, formatNumber } from './format.js';
import { quantileSorted } from './monte-carlo.js';
import { resolveScenario, sampleSlot, triangularQuantile } from './resolve.js';
import { parseSweep } from './sweep.js';

describe('resolving ranges', () => {
  const scenario = scenarioSchema.parse({
    name: 'ranges',
    workload: {
      dailyActiveUsers: [100, 300],
      peakFactor: { low: 2, mid: 3, high: 6 },
      registeredUsers: 1000,
    },
  });

  it('replaces ranges by point values and lists each as a slot with its path', () => {
    const { scenario: resolved, slots } = resolveScenario(scenario);
    expect(resolved.workload).toEqual({ dailyActiveUsers: 200, peakFactor: 3, registeredUsers: 1000 });
    expect(slots.map((slot) => [slot.path, slot.shape])).toEqual([
      ['workload.dailyActiveUsers', 'uniform'],
      ['workload.peakFactor', 'triangular'],
    ]);
    expect(scenario.workload.dailyActiveUsers).toEqual([100, 300]);
  });

  it('samples uniform and triangular ranges by their inverse CDF', () => {
    const { slots } = resolveScenario(scenario);
    expect(sampleSlot(slots[0], 0)).toBe(100);
    expect(sampleSlot(slots[0], 0.25)).toBe(150);
    const bounds = { low: 2, mid: 3, high: 6 };
    expect(triangularQuantile(bounds, 0)).toBe(2);
    expect(triangularQuantile(bounds, 0.25)).toBeCloseTo(3, 12); // F(mode) = (mode − low) / (high − low)
    expect(triangularQuantile(bounds, 1)).toBe(6);
    expect(triangularQuantile({ low: 5, mid: 5, high: 5 }, 0.7)).toBe(5);
  });
});

describe('helpers', () => {
  it('interpolates quantiles like R type 7', () => {
    const sorted = Float64Array.from([1, 2, 3, 4, 5]);
    expect(quantileSorted(sorted, 0.5)).toBe(3);
    expect(quantileSorted(sorted, 0.1)).toBeCloseTo(1.4, 12);
    expect(quantileSorted(sorted, 0.9)).toBeCloseTo(4.6, 12);
  });

  it('formats numbers for formulas and tables', () => {
    expect(formatNumber(7_500_000_000)).toBe('7,500,000,000');
    expect(formatNumber(86_805.5555)).toBe('86,805.6');
    expect(formatNumber(0.05)).toBe('0.05');
    expect(formatCompact(86_805.5)).toBe('86.81 K');
    expect(formatCompact(5000)).toBe('5,000');
    expect(formatCompact(7.5e9)).toBe('7.5 B');
  });

  it('parses sweeps', () => {
    expect(parseSweep('workload.peakFactor=1..5:9')).toEqual({
      input: 'workload.peakFactor',
      from: 1,
      to: 5,
      steps: 9,
    });
    expect(parseSweep('workload.concurrentConnections=1e7..1e8')).toMatchObject({
      from: 1e7,
      to: 1e8,
      steps: 5,
    });
    expect(() => parseSweep('workload.peakFactor=1-5')).toThrow(/path=from\.\.to:steps/);
  });
});
