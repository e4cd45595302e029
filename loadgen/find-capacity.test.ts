import { afterEach, describe, expect, it } from 'vitest';
import { findCapacity, renderCapacityTable } from './find-capacity.js';
import { startFakeServer, type FakeServer } from './testing/fake-server.js';

let server: FakeServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('--find-capacity', () => {
  it('doubles the offered load until a threshold fails and reports the last passing step', async () => {
    server = await startFakeServer();
    // A threshold the third step must break: 20, 40, 80 messages/s for 3 s ≈ 60, 120, 240 messages.
    const scenario = {
      name: 'capacity',
      load: {
        phases: [
          { name: 'hold', duration: '3s', connections: 10, connectRatePerSecond: 1000 },
          { duration: '3s' },
        ],
        messages: { perSecond: 20, arrival: 'uniform' as const },
        grace: '1s',
        thresholds: ['messages_sent: count < 180'],
      },
    };
    const result = await findCapacity(
      scenario,
      { target: server.wsUrl, scrapeMetrics: false },
      { stepDurationMs: 3000, maxSteps: 5 },
    );
    expect(result.steps.map((s) => s.passed)).toEqual([true, true, false]);
    expect(result.steps.map((s) => s.messageRateFactor)).toEqual([1, 2, 4]);
    expect(result.maxSustainableMessagesPerSecond).toBe(result.steps[1].ackedMessagesPerSecond);
    expect(result.results).toHaveLength(3);
    expect(renderCapacityTable(result)).toContain('max sustainable');
  });
});
