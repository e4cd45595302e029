import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../scenarios/load.js';
import { scenarioSchema } from '../scenarios/schema.js';
import { evaluateModel } from './evaluate.js';

const components = {
  gateway: {
    demand: 'workload.concurrentConnections',
    capacityPerUnit: 10_000,
    perUnit: { cpuCores: 2 },
    unitCostPerMonthUSD: 300,
  },
  brokers: {
    demand: 'messages.perSecond.peak',
    capacityPerUnit: 2500,
    replicasPerUnit: 1,
    unitCostPerMonthUSD: 200,
    queueing: { targetWaitProbability: 0.2 },
  },
  db: {
    demand: 'database.opsPerSecond',
    capacityPerUnit: 60_000,
    targetUtilization: 0.7,
    unitCostPerMonthUSD: 1000,
  },
};

function model(connections: number, dau: number, perUser: number, peak: number) {
  const scenario = scenarioSchema.parse({
    name: 'property',
    workload: {
      concurrentConnections: connections,
      dailyActiveUsers: dau,
      messagesPerUserPerDay: perUser,
      peakFactor: peak,
      operationsPerUserPerDay: { presence: 100 },
    },
    database: { readsPerOperation: 1 },
    bandwidth: { bytesPerMessage: 1000, pricePerTBUSD: 20 },
    components,
  });
  return evaluateModel(scenario, { samples: 0, sensitivity: false }).metrics;
}

const load = fc.record({
  connections: fc.integer({ min: 1, max: 1e8 }),
  dau: fc.integer({ min: 1, max: 1e9 }),
  perUser: fc.double({ min: 0.1, max: 500, noNaN: true }),
  peak: fc.double({ min: 1, max: 10, noNaN: true }),
  factor: fc.double({ min: 1, max: 20, noNaN: true }),
});

describe('model properties', () => {
  it('required units never decrease when load rises', () => {
    fc.assert(
      fc.property(load, ({ connections, dau, perUser, peak, factor }) => {
        const before = model(connections, dau, perUser, peak);
        const after = model(connections * factor, dau * factor, perUser, peak);
        for (const id of Object.keys(before).filter((key) => key.endsWith('unitsRequired'))) {
          expect(after[id].value).toBeGreaterThanOrEqual(before[id].value);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('costs are never negative', () => {
    fc.assert(
      fc.property(load, ({ connections, dau, perUser, peak }) => {
        const metrics = model(connections, dau, perUser, peak);
        for (const [id, metric] of Object.entries(metrics))
          if (metric.unit === 'USD/month') expect(metric.value, id).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 60 },
    );
  });

  it('Monte Carlo percentiles are ordered p10 ≤ p50 ≤ p90', async () => {
    const scenario = await loadScenario('whatsapp-agent-backend');
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 }), async (seed) => {
        const { metrics } = evaluateModel(scenario, { seed, samples: 300, sensitivity: false });
        for (const [id, metric] of Object.entries(metrics)) {
          if (metric.p10 === undefined) continue;
          expect(metric.p10, id).toBeLessThanOrEqual(metric.p50 as number);
          expect(metric.p50, id).toBeLessThanOrEqual(metric.p90 as number);
        }
      }),
      { numRuns: 10 },
    );
  });
});

describe('reproducibility', () => {
  it('same seed gives identical JSON; another seed gives other samples', async () => {
    const scenario = await loadScenario('chat-1b-users');
    const first = JSON.stringify(evaluateModel(scenario, { seed: 42, samples: 2000 }));
    const second = JSON.stringify(evaluateModel(scenario, { seed: 42, samples: 2000 }));
    expect(second).toBe(first);
    const other = evaluateModel(scenario, { seed: 43, samples: 2000 });
    expect(JSON.stringify(other)).not.toBe(first);
    expect(other.metrics['messages.perSecond.avg'].value).toBe(
      JSON.parse(first).metrics['messages.perSecond.avg'].value,
    );
  });

  it('ranges widen the percentiles around the point value', async () => {
    const scenario = await loadScenario('whatsapp-agent-backend');
    const metric = evaluateModel(scenario, { samples: 4000, sensitivity: false }).metrics[
      'messages.perDay.avg'
    ];
    // messagesPerUserPerDay ~ U(10, 20) × 500M: p10 = 5.5e9, p50 = 7.5e9, p90 = 9.5e9.
    expect(metric.p10).toBeCloseTo(5.5e9, -8);
    expect(metric.p50).toBeCloseTo(7.5e9, -8);
    expect(metric.p90).toBeCloseTo(9.5e9, -8);
  });
});
