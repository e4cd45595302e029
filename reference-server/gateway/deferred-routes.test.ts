import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BusEnvelope } from '../contracts.js';
import { DeferredRoutes, type RouteAttempt } from './deferred-routes.js';

const envelope = (seq: number): BusEnvelope => ({
  kind: 'deliver',
  targets: [],
  frame: `{"seq":${seq}}`,
  conversationId: 'dm:a:b',
  seq,
});
const options = { maxDeferred: 10, maxDeferredAgeMs: 1_000, initialRetryDelayMs: 10, maxRetryDelayMs: 40 };

describe('DeferredRoutes', () => {
  let nowMs = 0;
  beforeEach(() => {
    vi.useFakeTimers();
    nowMs = 0;
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('retries the oldest with doubling backoff, then sends every waiting route in order', async () => {
    const calls: { atMs: number; seq: number; sent: boolean }[] = [];
    let reachable = false;
    const attempt: RouteAttempt = async (_users, template) => {
      calls.push({ atMs: Date.now(), seq: template.seq ?? -1, sent: reachable });
      return reachable;
    };
    const routes = new DeferredRoutes(attempt, options, () => nowMs);
    const start = Date.now();
    for (const seq of [1, 2, 3]) routes.defer(['b'], envelope(seq));
    expect(routes.busy).toBe(true);
    await vi.advanceTimersByTimeAsync(10 + 20 + 40 + 40); // four failed tries of seq 1: 10, 20, 40, 40 (cap)
    expect(calls.map((call) => [call.atMs - start, call.seq])).toEqual([
      [10, 1],
      [30, 1],
      [70, 1],
      [110, 1],
    ]);
    reachable = true;
    await vi.advanceTimersByTimeAsync(40);
    expect(calls.filter((call) => call.sent).map((call) => call.seq)).toEqual([1, 2, 3]);
    expect(routes.size).toBe(0);
    expect(routes.busy).toBe(false);
    expect(routes.dropped).toBe(0);
  });

  it('drops the oldest beyond maxDeferred', async () => {
    const sent: number[] = [];
    const routes = new DeferredRoutes(
      async (_users, template) => {
        sent.push(template.seq ?? -1);
        return true;
      },
      { ...options, maxDeferred: 2 },
      () => nowMs,
    );
    for (const seq of [1, 2, 3]) routes.defer(['b'], envelope(seq));
    expect(routes.size).toBe(2);
    expect(routes.dropped).toBe(1);
    await vi.advanceTimersByTimeAsync(10);
    expect(sent).toEqual([2, 3]);
  });

  it('drops routes that waited longer than maxDeferredAgeMs when it next tries', async () => {
    const sent: number[] = [];
    let reachable = false;
    const routes = new DeferredRoutes(
      async (_users, template) => {
        if (reachable) sent.push(template.seq ?? -1);
        return reachable;
      },
      options,
      () => nowMs,
    );
    routes.defer(['b'], envelope(1)); // deferred at 0 ms
    nowMs = 600;
    routes.defer(['b'], envelope(2)); // deferred at 600 ms
    nowMs = 1_500; // cutoff 500 ms: seq 1 is too old, seq 2 is not
    reachable = true;
    await vi.advanceTimersByTimeAsync(10);
    expect(sent).toEqual([2]);
    expect(routes.dropped).toBe(1);
    expect(routes.size).toBe(0);
  });

  it('close() while an attempt runs leaves nothing waiting and stops retrying', async () => {
    let finish: (sent: boolean) => void = () => undefined;
    let attempts = 0;
    const routes = new DeferredRoutes(
      () => {
        attempts += 1;
        return new Promise<boolean>((resolve) => (finish = resolve));
      },
      options,
      () => nowMs,
    );
    routes.defer(['b'], envelope(1));
    routes.defer(['b'], envelope(2));
    await vi.advanceTimersByTimeAsync(10);
    expect(attempts).toBe(1);
    routes.close();
    finish(true);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(attempts).toBe(1);
    expect(routes.size).toBe(0);
    routes.defer(['b'], envelope(3)); // after close: ignored
    expect(routes.size).toBe(0);
  });
});
