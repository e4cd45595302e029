import { afterEach, describe, expect, it } from 'vitest';
import { runLoadTest } from './index.js';
import { startFakeServer, type FakeServer } from './testing/fake-server.js';

let server: FakeServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('coordinated omission', () => {
  it('a stalled generator does not hide latency: late sends are measured from their intended time', async () => {
    server = await startFakeServer();
    const stallMs = 400;
    // Block this process's event loop (generator and fake server both) once, mid-run.
    const stall = setTimeout(() => {
      const until = Date.now() + stallMs;
      while (Date.now() < until) {
        // busy wait on purpose
      }
    }, 1500);
    const result = await runLoadTest(
      {
        name: 'stall',
        load: {
          phases: [
            { name: 'connect', connections: 10, connectRatePerSecond: 100 },
            { name: 'hold', duration: '2.5s' },
          ],
          messages: { perSecond: 100, arrival: 'uniform' },
          grace: '2s',
        },
      },
      { target: server.wsUrl, scrapeMetrics: false },
    );
    clearTimeout(stall);
    // The schedule is open: the messages due during the stall were still sent (late), not skipped.
    expect(result.summary.messages.scheduled).toBeGreaterThan(200);
    // About 40 of ~260 messages fell in the 400 ms stall, waiting 0–400 ms each: the top few percent
    // of ACK latencies must show it. Measured from the actual send they would all be ~1 ms.
    expect(result.latency.ack.maxMs).toBeGreaterThan(stallMs * 0.8);
    expect(result.latency.ack.p95Ms).toBeGreaterThan(stallMs * 0.25);
    expect(result.latency.delivery.maxMs).toBeGreaterThan(stallMs * 0.8);
    // And the generator's own event-loop delay and schedule lag are reported next to the result.
    expect(result.environment.workers[0].eventLoopDelayP99Ms).toBeGreaterThan(0);
    expect(result.environment.workers[0].scheduleLagMaxMs).toBeGreaterThan(stallMs * 0.8);
  });
});
