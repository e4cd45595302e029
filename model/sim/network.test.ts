import { describe, expect, it } from 'vitest';
import { runReplication } from './network.js';
import { diurnalShape } from './sources.js';
import { createDistribution, type DistributionSpec } from './distributions.js';
import { createRandom } from '../random.js';
import type { ResolvedPipeline, ResolvedSource, ResolvedStation } from './resolved.js';

function pipeline(
  sources: ResolvedSource[],
  stations: ResolvedStation[],
  extra: Partial<ResolvedPipeline> = {},
): ResolvedPipeline {
  return { sliceFactor: 1, sliceUnit: 'test', sources, stations, sinks: [], failures: [], ...extra };
}
const open = (ratePerSecond: number, to = 'station'): ResolvedSource => ({
  name: 'arrivals',
  type: 'open',
  ratePerSecond,
  routes: [{ to, probability: 1 }],
});
const options = (durationMs: number, warmupMs = 0) => ({
  seed: 11,
  replication: 0,
  durationMs,
  warmupMs,
  backlogSamples: 20,
});

describe('stations', () => {
  it('drops arrivals beyond the queue capacity as M/M/1/K predicts', () => {
    // ρ = 0.8, K = 1 in service + 4 waiting: P(block) = (1−ρ)ρ^K / (1−ρ^(K+1)).
    const result = runReplication(
      pipeline(
        [open(800)],
        [
          {
            name: 'station',
            servers: 1,
            queueCapacity: 4,
            service: { dist: 'exponential', meanMs: 1 },
            routes: [{ to: 'exit', probability: 1 }],
          } as ResolvedStation,
        ],
      ),
      options(1_000_000, 10_000),
    );
    const station = result.stations[0];
    const expected = (0.2 * 0.8 ** 5) / (1 - 0.8 ** 6);
    expect(Math.abs(station.drops / station.arrivals - expected) / expected).toBeLessThan(0.05);
    expect(station.maxQueueLength).toBe(4);
    expect(result.sources[0].failed).toBe(station.drops);
  });

  it('times out waiting jobs, retries them with backoff, and accounts for every job', () => {
    const result = runReplication(
      pipeline(
        [open(1_100)],
        [
          {
            name: 'station',
            servers: 1,
            service: { dist: 'exponential', meanMs: 1 },
            timeoutMs: 5,
            retry: { retries: 2, baseMs: 10, maxMs: 100, jitter: 1 },
            routes: [{ to: 'exit', probability: 1 }],
          } as ResolvedStation,
        ],
      ),
      options(100_000),
    );
    const station = result.stations[0];
    const source = result.sources[0];
    expect(station.timeouts).toBeGreaterThan(0);
    expect(station.retries).toBeGreaterThan(0);
    expect(station.failed).toBeGreaterThan(0);
    expect(station.retries + station.failed).toBe(station.timeouts);
    // Every created job finished, failed, or is still in the system at the end.
    const inFlight = source.created - source.completed - source.failed;
    expect(inFlight).toBeGreaterThanOrEqual(0);
    expect(inFlight).toBeLessThan(50);
    // Overloaded (ρ = 1.1) yet stable: timeouts shed the excess.
    expect(station.utilization).toBeGreaterThan(0.9);
  });

  it('takes servers down for a failure and reconnects the cut-off clients with backoff', () => {
    const result = runReplication(
      pipeline(
        [open(1_500)],
        [
          {
            name: 'station',
            servers: 2,
            service: { dist: 'exponential', meanMs: 1 },
            serviceBySource: { 'reconnect-station': 2 },
            routes: [{ to: 'exit', probability: 1 }],
          } as ResolvedStation,
        ],
        {
          failures: [
            {
              station: 'station',
              atMs: 10_000,
              durationMs: 5_000,
              servers: 1,
              reconnect: {
                clients: 500,
                to: 'station',
                backoff: { baseMs: 1_000, maxMs: 10_000, jitter: 1 },
              },
            },
          ],
        },
      ),
      { ...options(30_000), backlogSamples: 30 },
    );
    const backlog = result.backlog.stations.station;
    // λ = 1.5/ms against one server (1/ms) during the outage: the backlog grows by ~0.5 jobs per ms.
    const before = Math.max(...backlog.slice(0, 9));
    const during = backlog[14];
    expect(during).toBeGreaterThan(before + 1_000);
    expect(backlog[29]).toBeLessThan(during);
    const reconnects = result.sinks.find((sink) => sink.name === 'reconnected');
    expect(reconnects?.count).toBe(500);
  });

  it('flushes batches by size under heavy load and by time under light load', () => {
    const batch = (ratePerSecond: number, durationMs: number) =>
      runReplication(
        pipeline(
          [open(ratePerSecond)],
          [
            {
              name: 'station',
              type: 'batch',
              servers: 4,
              maxBatch: 50,
              maxDelayMs: 20,
              baseMs: 1,
              perItemMs: 0.01,
              routes: [{ to: 'exit', probability: 1 }],
            } as ResolvedStation,
          ],
        ),
        options(durationMs, 1_000),
      ).stations[0];
    expect(batch(100_000, 3_000).meanBatchSize).toBeCloseTo(50, 1);
    // 100/s × 20 ms = 2 more jobs after the first, on average.
    const light = batch(100, 200_000).meanBatchSize ?? 0;
    expect(light).toBeGreaterThan(2.9);
    expect(light).toBeLessThan(3.1);
  });

  it('sends fan-out copies down a side path without completing the original twice', () => {
    const result = runReplication(
      pipeline(
        [open(100)],
        [
          {
            name: 'station',
            servers: 1,
            service: 0.1,
            fanOut: ['copies'],
            routes: [{ to: 'exit', probability: 1 }],
          } as ResolvedStation,
        ],
        { sinks: [{ name: 'copies' }] },
      ),
      options(100_000),
    );
    const exit = result.sinks.find((sink) => sink.name === 'exit')?.count ?? 0;
    const copies = result.sinks.find((sink) => sink.name === 'copies')?.count ?? 0;
    expect(copies).toBe(exit);
    expect(result.sources[0].completed).toBe(exit);
  });
});

describe('arrivals and distributions', () => {
  it('diurnal shape: mean 1 over the day, peak factor at noon, never negative', () => {
    for (const peakFactor of [1.5, 3, 5]) {
      const shape = diurnalShape(peakFactor);
      let sum = 0;
      let min = Infinity;
      for (let minute = 0; minute < 1440; minute++) {
        const value = shape(minute / 60);
        sum += value;
        min = Math.min(min, value);
      }
      expect(sum / 1440).toBeCloseTo(1, 3);
      expect(shape(12)).toBeCloseTo(peakFactor, 9);
      expect(min).toBeGreaterThanOrEqual(0);
    }
  });

  it('a diurnal open source delivers the average rate over a day and the peak rate at noon', () => {
    const day = runReplication(
      pipeline(
        [
          {
            name: 'arrivals',
            type: 'open',
            ratePerSecond: 2,
            profile: { peakFactor: 3, startHour: 0 },
            routes: [{ to: 'exit', probability: 1 }],
          },
        ],
        [
          {
            name: 'station',
            servers: 1,
            service: 0,
            routes: [{ to: 'exit', probability: 1 }],
          } as ResolvedStation,
        ],
      ),
      { ...options(86_400_000), backlogSamples: 1 },
    );
    expect(Math.abs(day.sources[0].created / (2 * 86_400) - 1)).toBeLessThan(0.02);
  });

  it('samples every distribution with its stated mean', () => {
    const specs: DistributionSpec[] = [
      3,
      { dist: 'exponential', meanMs: 2 },
      { dist: 'uniform', minMs: 5, maxMs: 15 },
      { dist: 'normal', meanMs: 10, sdMs: 2 },
      { dist: 'lognormal', meanMs: 4, sdMs: 3 },
      { dist: 'empirical', edgesMs: [0, 1, 2, 10], counts: [5, 3, 2] },
    ];
    const random = createRandom(5);
    for (const spec of specs) {
      const distribution = createDistribution(spec);
      let sum = 0;
      let sumSquares = 0;
      const count = 100_000;
      for (let index = 0; index < count; index++) {
        const value = distribution.sample(random);
        sum += value;
        sumSquares += value * value;
      }
      const mean = sum / count;
      const variance = sumSquares / count - mean * mean;
      expect(Math.abs(mean - distribution.meanMs)).toBeLessThan(0.02 * distribution.meanMs);
      if (distribution.varianceMs2 > 0)
        expect(Math.abs(variance / distribution.varianceMs2 - 1)).toBeLessThan(0.05);
    }
  });
});
