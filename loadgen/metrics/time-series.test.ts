import { describe, expect, it } from 'vitest';
import { emptySecond, mergeSeries, type SecondStats } from './time-series.js';

const row = (second: number, fields: Partial<SecondStats>): SecondStats => ({
  ...emptySecond(second),
  ...fields,
});

describe('mergeSeries', () => {
  it('sums counters and gauges second by second', () => {
    const merged = mergeSeries([
      [row(0, { sent: 3, openConnections: 10 }), row(1, { sent: 1, openConnections: 12 })],
      [row(1, { sent: 2, openConnections: 5, generatorCpuCores: 0.5 })],
    ]);
    expect(merged.map((r) => [r.second, r.sent, r.openConnections, r.generatorCpuCores])).toEqual([
      [0, 3, 10, 0],
      [1, 3, 17, 0.5],
    ]);
  });

  it("carries a worker's last gauges over a second it has no row for, without inventing events", () => {
    const gauges = { openConnections: 50_000, targetConnections: 50_000, generatorCpuCores: 0.2 };
    const stalled = [row(4, { ...gauges, acked: 7 }), row(6, { ...gauges, acked: 9 })];
    const steady = [4, 5, 6].map((second) => row(second, { ...gauges, acked: 1 }));
    const merged = mergeSeries([stalled, steady]);
    expect(merged.map((r) => r.openConnections)).toEqual([100_000, 100_000, 100_000]);
    expect(merged.map((r) => r.targetConnections)).toEqual([100_000, 100_000, 100_000]);
    expect(merged.map((r) => r.generatorCpuCores)).toEqual([0.4, 0.4, 0.4]);
    expect(merged.map((r) => r.acked)).toEqual([8, 1, 10]);
  });

  it('adds nothing for a worker before its first row or after its last', () => {
    const early = [row(0, { openConnections: 4 }), row(1, { openConnections: 4 })];
    const late = [row(2, { openConnections: 6 }), row(3, { openConnections: 6 })];
    expect(mergeSeries([early, late]).map((r) => r.openConnections)).toEqual([4, 4, 6, 6]);
  });
});
