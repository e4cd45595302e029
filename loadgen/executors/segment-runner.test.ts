import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mergeSeries, type SecondStats } from '../metrics/time-series.js';
import { referenceAdapter } from '../protocol/reference.js';
import { resolveLoad } from '../resolve-load.js';
import { startFakeServer, type FakeServer } from '../testing/fake-server.js';
import { nowMs } from './clock.js';
import { buildConversations, splitSegments } from './conversations.js';
import { runSegment } from './segment-runner.js';

// The generator's clock (every nowMs() of the runner and its virtual users), plus an offset the test
// can jump: a jump of 2.5 s is what a stalled event loop looks like to the code that reads the clock.
const clock = vi.hoisted(() => ({ offsetMs: 0 }));
vi.mock('./clock.js', () => ({
  nowMs: () => performance.timeOrigin + performance.now() + clock.offsetMs,
}));

let server: FakeServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
  clock.offsetMs = 0;
});

describe('segment runner gauges', () => {
  it('a stall longer than a second leaves no second without gauges, so the merged open count does not dip', async () => {
    server = await startFakeServer();
    const plan = resolveLoad({
      name: 'stall',
      load: {
        phases: [
          { name: 'ramp-up', connections: 20, connectRatePerSecond: 400 },
          { name: 'hold', duration: '6s' },
        ],
        messages: { perSecond: 2 },
        grace: '0s',
      },
    });
    const adapter = referenceAdapter();
    const conversations = buildConversations(
      plan.users,
      plan.groupFraction,
      plan.groupSize,
      'stall',
      adapter,
    );
    const segments = splitSegments(conversations, 2);
    const startAtMs = nowMs() + 100;
    // 2.3 s in, the clock jumps 2.5 s: no loop iteration of either worker runs in second 3.
    const stall = setTimeout(() => (clock.offsetMs += 2_500), startAtMs + 2_300 - nowMs());
    const target = server.wsUrl;
    const results = await Promise.all(
      segments.map((segment, workerIndex) =>
        runSegment(
          {
            runId: 'stall',
            target,
            plan,
            workerIndex,
            workerCount: segments.length,
            conversations: segment,
            totalUsers: plan.users,
            sourceAddresses: [],
          },
          startAtMs,
          { adapter },
        ),
      ),
    );
    clearTimeout(stall);
    expect(clock.offsetMs).toBe(2_500);

    const lastHoldSecond = Math.ceil(plan.durationMs / 1000) - 1;
    const openAt = (rows: SecondStats[], second: number) =>
      rows.find((row) => row.second === second)?.openConnections;
    const holdSeconds = Array.from({ length: lastHoldSecond }, (_, i) => i + 1);
    // Each worker: every second of the hold has its gauges (the skipped one carries the next sample).
    for (const result of results) {
      expect(result.counters.maxOpenConnections).toBe(result.users);
      expect(holdSeconds.map((second) => openAt(result.series, second))).toEqual(
        holdSeconds.map(() => result.users),
      );
    }
    // Merged across workers (what the results document's timeSeries holds): flat at every user.
    const merged = mergeSeries(results.map((result) => result.series));
    expect(holdSeconds.map((second) => openAt(merged, second))).toEqual(holdSeconds.map(() => plan.users));
  });
});
