import { afterEach, describe, expect, it } from 'vitest';
import { runLoadTest } from './index.js';
import type { LoadSpec } from './load-schema.js';
import { loadTestResultSchema } from './outputs/result-schema.js';
import { startFakeServer, type FakeServer, type FakeServerFaults } from './testing/fake-server.js';

let server: FakeServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const scenario: { name: string; load: LoadSpec } = {
  name: 'tiny',
  load: {
    phases: [
      { name: 'ramp-up', connections: 30, connectRatePerSecond: 60 },
      { name: 'hold', duration: '2s' },
    ],
    messages: { perSecond: 60 },
    conversations: { groupFraction: 0.3, groupSize: 4 },
    grace: '2s',
  },
};

async function runAgainst(faults: FakeServerFaults, extra: Partial<LoadSpec> = {}) {
  server = await startFakeServer(faults);
  return runLoadTest(
    { ...scenario, load: { ...scenario.load, ...extra } },
    { target: server.wsUrl, scrapeMetrics: true },
  );
}

describe('runLoadTest against fake servers', () => {
  it('a correct server gives zero lost, duplicated and out-of-order messages and passes', async () => {
    const result = await runAgainst({});
    expect(loadTestResultSchema.safeParse(result).success).toBe(true);
    expect(result.summary.messages.acked).toBeGreaterThan(20);
    expect(result.checker).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0, seqGaps: 0 });
    expect(result.checker.expectedDeliveries).toBeGreaterThan(result.summary.messages.acked - 1);
    expect(result.latency.delivery.count + (result.latency.inbox?.count ?? 0)).toBe(
      result.checker.deliveredExpected,
    );
    expect(result.passed).toBe(true);
    expect(result.server?.samples.length).toBeGreaterThan(0);
    expect(result.timeSeries.reduce((n, row) => n + row.acked, 0)).toBe(result.summary.messages.acked);
  });

  it('catches a server that ACKs but drops deliveries', async () => {
    const result = await runAgainst({ dropEvery: 7 });
    expect(result.checker.lost).toBeGreaterThan(0);
    expect(result.thresholds.find((t) => t.metric === 'lost')).toMatchObject({ passed: false });
    expect(result.passed).toBe(false);
  });

  it('catches duplicated deliveries', async () => {
    const result = await runAgainst({ duplicateEvery: 5 });
    expect(result.checker.duplicated).toBeGreaterThan(0);
    expect(result.checker.lost).toBe(0);
    expect(result.passed).toBe(false);
  });

  it('catches reordered deliveries', async () => {
    // Reordering needs two deliveries of one conversation in a row: one busy DM pair.
    const result = await runAgainst(
      { reorderEvery: 4 },
      {
        phases: [
          { name: 'ramp-up', connections: 2, connectRatePerSecond: 10 },
          { name: 'hold', duration: '2s' },
        ],
        conversations: { groupFraction: 0, groupSize: 4 },
        messages: { perSecond: 40 },
      },
    );
    expect(result.checker.outOfOrder).toBeGreaterThan(0);
    expect(result.passed).toBe(false);
  });

  it('a user with many messages due in one tick (sent as one corked write) gets them all, in order', async () => {
    const result = await runAgainst(
      {},
      {
        phases: [
          { name: 'ramp-up', connections: 2, connectRatePerSecond: 10 },
          { name: 'hold', duration: '1.5s' },
        ],
        conversations: { groupFraction: 0, groupSize: 4 },
        messages: { perSecond: 2000, arrival: 'uniform' }, // ~5 per user per 5 ms tick
      },
    );
    expect(result.summary.messages.acked).toBeGreaterThan(2000);
    expect(result.checker).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0, seqGaps: 0 });
    expect(result.environment.workers[0].scheduleLagP99Ms).toBeGreaterThanOrEqual(0);
  });

  it('users that go offline get their messages from the inbox when they come back', async () => {
    const result = await runAgainst({}, { offline: { fraction: 0.5, at: '0.8s', awayDuration: '0.8s' } });
    expect(result.checker.lost).toBe(0);
    expect(result.summary.connections.attempts).toBeGreaterThan(30);
    expect(result.passed).toBe(true);
  });
});
