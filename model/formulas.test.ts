import { describe, expect, it } from 'vitest';
import { CapsimError } from '../common/errors.js';
import { scenarioSchema, type Scenario } from '../scenarios/schema.js';
import { evaluateModel } from './evaluate.js';
import { retryDelaysMs } from './policies.js';

function scenario(fields: Record<string, unknown>): Scenario {
  return scenarioSchema.parse({ name: 'test', workload: {}, ...fields });
}

function values(fields: Record<string, unknown>): Record<string, number> {
  const result = evaluateModel(scenario(fields), { samples: 0 });
  return Object.fromEntries(Object.entries(result.metrics).map(([id, metric]) => [id, metric.value]));
}

describe('throughput formulas', () => {
  it('derives daily, per-second and per-minute volumes, peak and shortfall', () => {
    const m = values({
      workload: { dailyActiveUsers: 864, messagesPerUserPerDay: [50, 150], peakFactor: 3 },
      current: { messagesPerMinute: 30 },
    });
    expect(m['messages.perDay.avg']).toBe(86_400);
    expect(m['messages.perDay.low']).toBe(43_200);
    expect(m['messages.perDay.high']).toBe(129_600);
    expect(m['messages.perSecond.avg']).toBe(1);
    expect(m['messages.perSecond.peak']).toBe(3);
    expect(m['messages.perMinute.avg']).toBe(60);
    expect(m['messages.perMinute.peak']).toBe(180);
    expect(m['messages.shortfall.avg']).toBe(2);
    expect(m['messages.shortfall.peak']).toBe(6);
    expect(m['messages.gap.perMinute']).toBe(30);
  });

  it('accepts a rate instead of per-user figures', () => {
    expect(values({ workload: { messagesPerSecond: 10 } })['messages.perDay.avg']).toBe(864_000);
  });

  it('derives user ratios, operations and database load', () => {
    const m = values({
      workload: {
        registeredUsers: 1000,
        dailyActiveUsers: 500,
        messagesPerUserPerDay: 172.8,
        operationsPerUserPerDay: { send: 100, presence: 72.8 },
      },
      current: { registeredUsers: 10 },
      database: { writesPerMessage: 2, readsPerOperation: 1 },
    });
    expect(m['users.dauRatio']).toBe(0.5);
    expect(m['users.shortfall']).toBe(100);
    expect(m['users.dauShortfall']).toBe(50);
    expect(m['operations.perUserPerDay']).toBeCloseTo(172.8, 10);
    expect(m['operations.perSecond']).toBeCloseTo(1, 10);
    expect(m['database.writesPerSecond']).toBeCloseTo(2, 10);
    expect(m['database.opsPerSecond']).toBeCloseTo(3, 10);
  });
});

describe('component sizing', () => {
  const components = {
    gateway: {
      demand: 'workload.concurrentConnections',
      capacityPerUnit: 300,
      improvedCapacityPerUnit: 1000,
      perUnit: { cpuCores: 2, memoryGB: 4, networkGbps: 1 },
      unitCostPerMonthUSD: 10,
    },
    db: {
      demand: 900,
      capacityPerUnit: 100,
      unitsDeployed: 2,
      unitsFactors: { regions: 2, shards: 3 },
      replicasPerUnit: [1, 3],
      unitCostPerMonthUSD: 5,
    },
    half: { demand: 'workload.concurrentConnections', capacityPerUnit: 100, targetUtilization: 0.5 },
  };

  it('rounds units up, multiplies resources and costs by instances', () => {
    const m = values({ workload: { concurrentConnections: 1000 }, components });
    expect(m['components.gateway.unitsRequired']).toBe(4);
    expect(m['components.gateway.unitsRequiredImproved']).toBe(1);
    expect(m['components.gateway.improvementFactor']).toBeCloseTo(10 / 3, 12);
    expect(m['components.gateway.cpuCores']).toBe(8);
    expect(m['components.gateway.memoryTB']).toBe(0.016);
    expect(m['components.gateway.networkTbps']).toBe(0.004);
    expect(m['components.gateway.utilization']).toBeCloseTo(1000 / 1200, 12);
    expect(m['components.gateway.costPerMonthUSD']).toBe(40);
    expect(m['components.db.units']).toBe(6);
    expect(m['components.db.replicas']).toBe(12);
    expect(m['components.db.instances']).toBe(18);
    expect(m['components.db.shortfall']).toBe(4.5);
    expect(m['components.db.costPerMonthUSD']).toBe(90);
    expect(m['components.half.unitsRequired']).toBe(20);
    expect(m['costs.totalPerMonthUSD']).toBe(130);
  });

  it('does not add a unit for floating-point dust', () => {
    const m = values({
      workload: { concurrentConnections: 50e6 },
      components: { gateway: { demand: 'workload.concurrentConnections', capacityPerUnit: 10_000 } },
    });
    expect(m['components.gateway.unitsRequired']).toBe(5000);
  });

  it('sizes by Erlang C when asked', () => {
    const m = values({
      workload: { messagesPerSecond: 80 },
      components: {
        workers: {
          demand: 'messages.perSecond.avg',
          capacityPerUnit: 10,
          queueing: { targetWaitProbability: 0.2 },
        },
      },
    });
    expect(m['components.workers.unitsRequired']).toBe(8);
    expect(m['components.workers.erlangC.unitsRequired']).toBeGreaterThan(8);
    expect(m['components.workers.erlangC.waitProbability']).toBeLessThanOrEqual(0.2);
  });

  it('names an unknown demand metric (E_UNKNOWN_METRIC)', () => {
    expect(() =>
      evaluateModel(scenario({ components: { x: { demand: 'messages.perSecnd.avg', capacityPerUnit: 1 } } })),
    ).toThrow(CapsimError);
    try {
      evaluateModel(scenario({ components: { x: { demand: 'nope.metric', capacityPerUnit: 1 } } }));
    } catch (error) {
      expect((error as CapsimError).code).toBe('E_UNKNOWN_METRIC');
      expect((error as CapsimError).problems[0].path).toBe('components.x.demand');
    }
  });
});

describe('storage, tiering, caching, bandwidth', () => {
  it('sums per-user bytes and data sets', () => {
    const m = values({
      workload: { registeredUsers: 1e9 },
      storage: {
        perUser: { profile: { bytes: 1000 }, meta: { bytes: 500, count: 10 } },
        datasetsTB: { messages: 50 },
      },
    });
    expect(m['storage.perUserBytes']).toBe(6000);
    expect(m['storage.userDataTB']).toBe(6);
    expect(m['storage.totalTB']).toBe(56);
  });

  it('splits records across tiers by age and prices them', () => {
    const m = values({
      tiering: {
        records: 100e9,
        bytesPerRecord: 1000,
        baselinePricePerTBMonthUSD: 1000,
        horizonDays: 100,
        tiers: [
          { name: 'hot', fromDay: 0, toDay: 10, pricePerTBMonthUSD: 1000 },
          { name: 'warm', fromDay: 10, toDay: 50, pricePerTBMonthUSD: 500, compressionRatio: 2 },
          { name: 'cold', fromDay: 50, toDay: 100, pricePerTBMonthUSD: 20 },
          { name: 'glacier', fromDay: 100, toDay: 365, pricePerTBMonthUSD: 4 },
        ],
      },
    });
    expect(m['tiering.baselineTB']).toBe(100);
    expect(m['tiering.hot.records']).toBe(10e9);
    expect(m['tiering.warm.storedTB']).toBe(20);
    expect(m['tiering.warm.costPerMonthUSD']).toBe(10_000);
    expect(m['tiering.cold.costPerMonthUSD']).toBe(1000);
    expect(m['tiering.glacier.records']).toBe(0);
    expect(m['tiering.totalCostPerMonthUSD']).toBe(21_000);
    expect(m['tiering.savings']).toBeCloseTo(0.79, 12);
  });

  it('derives database fraction and load reduction from cumulative hit ratios', () => {
    const m = values({
      database: { readsPerSecond: 1000 },
      caching: {
        layers: [
          { name: 'l1', cumulativeHitRatio: 0.5 },
          { name: 'l2', cumulativeHitRatio: 0.9 },
        ],
      },
    });
    expect(m['caching.l2.conditionalHitRatio']).toBeCloseTo(0.8, 12);
    expect(m['caching.databaseFraction']).toBeCloseTo(0.1, 12);
    expect(m['caching.databaseLoadReduction']).toBeCloseTo(10, 9);
    expect(m['caching.databaseReadsPerSecond']).toBeCloseTo(100, 9);
  });

  it('prices transfer per TB', () => {
    const m = values({
      workload: { dailyActiveUsers: 1e9, messagesPerUserPerDay: 100 },
      bandwidth: { bytesPerMessage: 1000, pricePerTBUSD: 10, daysPerMonth: 30 },
      costs: { fixedPerMonthUSD: { monitoring: 5 } },
    });
    expect(m['bandwidth.perDayTB']).toBe(100);
    expect(m['costs.bandwidthPerMonthUSD']).toBe(30_000);
    expect(m['costs.totalPerMonthUSD']).toBe(30_005);
  });
});

describe('policies and broadcast', () => {
  it('computes exponential backoff delays (002: 100 ms × 2^n for n = 1…5; DLQ 60 s × 2^n for n = 0…4)', () => {
    expect(retryDelaysMs({ baseDelay: { ms: 100 }, multiplier: 2, maxRetries: 5, firstExponent: 1 })).toEqual(
      [200, 400, 800, 1600, 3200],
    );
    expect(retryDelaysMs({ baseDelay: { seconds: 1 }, maxRetries: 4, maxDelay: { seconds: 5 } })).toEqual([
      1000, 2000, 4000, 5000,
    ]);
    const m = values({
      policies: {
        retries: {
          broker: { baseDelay: { ms: 100 }, multiplier: 2, maxRetries: 5, firstExponent: 1 },
          dlq: { baseDelay: { seconds: 60 }, maxRetries: 5 },
        },
        retention: { messages: { days: 90 }, keys: { hours: 24 } },
        rateLimits: { messages: { limit: 100, window: { minutes: 1 } } },
      },
    });
    expect(m['policies.retries.broker.totalDelayMs']).toBe(6200);
    expect(m['policies.retries.dlq.totalDelayMs']).toBe(1_860_000);
    expect(m['policies.retention.messages.seconds']).toBe(7_776_000);
    expect(m['policies.retention.keys.seconds']).toBe(86_400);
    expect(m['policies.rateLimits.messages.perSecond']).toBeCloseTo(100 / 60, 12);
  });

  it('derives write-buffer transactions', () => {
    const m = values({
      workload: { messagesPerSecond: 1000 },
      database: {},
      policies: { writeBuffer: { maxMessages: 100, maxDelay: { ms: 100 } } },
    });
    expect(m['writeBuffer.transactionsPerSecond']).toBe(10);
  });

  it('derives device send rates, the enrollment burst and the backlog drain', () => {
    const m = values({
      broadcast: {
        devices: 3000,
        leadsPerDevice: 1000,
        messagesPerLead: 11,
        sendDelaySeconds: [5, 15],
        enrollmentWindow: { minutes: 5 },
        pollInterval: { seconds: 3 },
      },
    });
    expect(m['broadcast.sendsPerDevicePerHour']).toBe(360);
    expect(m['broadcast.sendsPerDevicePerDay']).toBe(8640);
    expect(m['broadcast.sendsPerDay']).toBe(25_920_000);
    expect(m['broadcast.records']).toBe(33e6);
    expect(m['broadcast.insertsPerSecond']).toBe(110_000);
    expect(m['broadcast.backlogDrainHours']).toBeCloseTo(110_000 / 3600, 9);
    expect(m['broadcast.pollsPerSecond']).toBe(1000);
  });
});

describe('phases and checks', () => {
  it('re-evaluates phases with overrides and reports growth', () => {
    const m = values({
      workload: { concurrentConnections: 5 },
      components: { chat: { demand: 'workload.concurrentConnections', capacityPerUnit: 10 } },
      phases: [
        {
          name: 'one',
          set: { 'workload.concurrentConnections': 100 },
          metrics: ['components.chat.unitsRequired'],
        },
        {
          name: 'two',
          set: { 'workload.concurrentConnections': 1000 },
          metrics: ['components.chat.unitsRequired'],
        },
      ],
    });
    expect(m['components.chat.unitsRequired']).toBe(1);
    expect(m['phases.one.components.chat.unitsRequired']).toBe(10);
    expect(m['phases.two.components.chat.unitsRequired']).toBe(100);
    expect(m['phases.two.growth']).toBe(10);
  });

  it('passes a check within its relative tolerance and fails outside it', () => {
    const result = evaluateModel(
      scenario({
        workload: { messagesPerSecond: 1 },
        expect: [
          { metric: 'messages.perDay.avg', expected: 86_000, tolerance: 0.01, source: 'doc.txt:3' },
          { metric: 'messages.perDay.avg', expected: 86_000, tolerance: 0.001, source: 'doc.txt:3' },
        ],
      }),
    );
    expect(result.checks.map((check) => [check.id, check.pass])).toEqual([
      ['messages.perDay.avg@3', true],
      ['messages.perDay.avg@3#2', false],
    ]);
  });

  it('includes the inputs substituted in each formula', () => {
    const result = evaluateModel(
      scenario({ workload: { dailyActiveUsers: 500e6, messagesPerUserPerDay: [10, 20] } }),
      { samples: 0 },
    );
    expect(result.metrics['messages.perDay.avg']).toEqual({
      value: 7.5e9,
      unit: 'messages/day',
      formula: 'workload.dailyActiveUsers × workload.messagesPerUserPerDay = 500,000,000 × 15',
    });
  });
});
