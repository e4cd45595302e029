import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { rssOf } from '../common/process-tree.js';
import { childTreeRss, sampleHold, type HoldSample } from './generator-memory.js';

const mib = 1024 * 1024;

describe('generator memory at the hold', () => {
  // The 100,000-connection run: 6 workers of ~250 MiB each, 30 s of sending, then a drain in which
  // five workers finish and exit while the live view still sums their last snapshots (100,000 open).
  const options = (rssPerWorker: number[]) => ({
    minOpen: 99_900,
    workers: 6,
    readRss: () => rssPerWorker,
  });
  const allSix = Array.from({ length: 6 }, () => 250 * mib);

  it('samples while sending, with every worker alive', () => {
    const tick = { elapsedMs: 25_000, durationMs: 530_000, openConnections: 100_000 };
    expect(sampleHold(undefined, tick, options(allSix))).toEqual({
      rss: 6 * 250 * mib,
      open: 100_000,
      workers: 6,
    });
  });

  it('keeps the hold sample when workers have exited after sending, though the live view still shows their connections', () => {
    const hold: HoldSample = { rss: 6 * 250 * mib, open: 100_000, workers: 6 };
    const oneLeft = [260 * mib];
    const drainTick = { elapsedMs: 533_000, durationMs: 530_000, openConnections: 100_000 };
    expect(sampleHold(hold, drainTick, options(oneLeft))).toBe(hold);
    // Even inside the sending period, a sample that misses a worker is no sample.
    const sendingTick = { ...drainTick, elapsedMs: 529_000 };
    expect(sampleHold(hold, sendingTick, options(oneLeft))).toBe(hold);
    expect(sampleHold(undefined, sendingTick, options(oneLeft))).toBeUndefined();
    // What the bench then reports: ~15 KiB per VU (runtime included), not 2.5.
    expect(hold.rss / hold.open / 1024).toBeCloseTo(15.4, 0);
  });

  it('ignores ticks below the hold and ticks with fewer connections than the sample', () => {
    const hold: HoldSample = { rss: 6 * 250 * mib, open: 100_000, workers: 6 };
    const ramping = { elapsedMs: 100_000, durationMs: 530_000, openConnections: 20_000 };
    expect(sampleHold(undefined, ramping, options(allSix))).toBeUndefined();
    expect(sampleHold(hold, { ...ramping, openConnections: 99_950 }, options(allSix))).toBe(hold);
  });
});

describe('childTreeRss', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill();
    child = undefined;
  });

  it('finds the children whose command line has the marker and sums each one’s tree', async () => {
    child = spawn(
      process.execPath,
      [
        '-e',
        'globalThis.keep = Buffer.alloc(32 * 1024 * 1024, 1); console.log("up"); setInterval(() => {}, 1000);',
        'capsim-test-worker-marker',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('child did not start within 20 s')), 20_000);
      child?.stdout?.once('data', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    const found = childTreeRss('capsim-test-worker-marker');
    expect(found).toHaveLength(1);
    expect(found[0]).toBeGreaterThanOrEqual(32 * mib);
    expect(found[0]).toBeGreaterThanOrEqual(rssOf(child.pid ?? -1) * 0.9);
    expect(childTreeRss('no-such-marker-anywhere')).toEqual([]);
  });
});
