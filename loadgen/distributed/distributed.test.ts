import { afterEach, describe, expect, it } from 'vitest';
import { runLoadTest } from '../index.js';
import { LatencyHistogram } from '../metrics/latency-histogram.js';
import { startFakeServer, type FakeServer } from '../testing/fake-server.js';
import { tcpChannel } from './channels.js';
import { joinCoordinator, listenForWorkers } from './listen.js';
import type { CoordinatorMessage, WorkerMessage } from './messages.js';
import { serveWorker } from './worker-loop.js';

let server: FakeServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const scenario = {
  name: 'distributed',
  load: {
    phases: [
      { name: 'ramp-up', connections: 40, connectRatePerSecond: 80 },
      { name: 'hold', duration: '2s' },
    ],
    messages: { perSecond: 60 },
    conversations: { groupFraction: 0.4, groupSize: 5 },
    grace: '3s',
  },
};

describe('distributed load generation', () => {
  it('a coordinator with two workers on different 127.x addresses merges them exactly', async () => {
    server = await startFakeServer({ host: '127.0.0.1' });
    const listener = await listenForWorkers('127.0.0.1', 0);
    // Two workers, each joining from (and opening its client sockets on) its own loopback address.
    const workers = ['127.0.0.2', '127.0.0.3'].map(async (address) => {
      const socket = await joinCoordinator('127.0.0.1', listener.port, address);
      await serveWorker(tcpChannel<WorkerMessage, CoordinatorMessage>(socket), {
        sourceAddresses: [address],
      });
      socket.end();
    });
    const channels = await listener.accept(2);
    listener.close();
    const result = await runLoadTest(scenario, {
      target: server.wsUrl,
      remoteWorkers: channels,
      scrapeMetrics: false,
    });
    for (const channel of channels) channel.close();
    await Promise.all(workers);

    expect(result.environment.workers).toHaveLength(2);
    for (const worker of result.environment.workers) {
      // Same host: the estimated offset is within its own error bound of zero.
      expect(Math.abs(worker.clockOffsetMs ?? Infinity)).toBeLessThanOrEqual((worker.clockErrorMs ?? 0) + 1);
    }
    const users = result.environment.workers.map((w) => w.users);
    expect(users[0] + users[1]).toBe(40);
    expect(Math.min(...users)).toBeGreaterThan(10);
    expect([...server.stats.remoteAddresses].sort()).toEqual(['127.0.0.2', '127.0.0.3']);
    expect(result.summary.connections.maxOpen).toBe(40);
    expect(result.checker).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0 });
    expect(result.checker.expectedDeliveries).toBeGreaterThan(0);
    expect(result.passed).toBe(true);
  });

  it('--workers 2 runs child processes and the merged histogram equals the histogram of all samples', async () => {
    server = await startFakeServer();
    const result = await runLoadTest(scenario, { target: server.wsUrl, workers: 2, scrapeMetrics: false });
    expect(new Set(result.environment.workers.map((w) => w.pid)).size).toBe(2);
    expect(result.checker).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0 });
    // Total ACK samples = total ACKs, across both processes.
    expect(result.latency.ack.count).toBe(result.summary.messages.acked);
    const merged = LatencyHistogram.decode(result.histograms.ack);
    expect(merged.count).toBe(result.summary.messages.acked);
    expect(result.timeSeries.reduce((n, row) => n + row.acked, 0)).toBe(result.summary.messages.acked);
  });
});
