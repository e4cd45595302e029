/**
 * In-process sliding-window rate limiter using the two-window approximation (constant memory per key,
 * unlike seed 001's sorted-set log):
 *   estimate = previousWindowCount × (1 − elapsedInCurrentWindow / windowMs) + currentWindowCount
 * An event is allowed when estimate + 1 ≤ limit. retryAfterMs is the time until the previous window's
 * weighted share has decayed enough for one more event (or until the current window ends).
 */
import type { RateDecision, RateLimiter } from '../contracts.js';

interface WindowState {
  windowStartMs: number;
  current: number;
  previous: number;
}

export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, WindowState>();
  private sweepCounter = 0;

  async consume(key: string, limit: number, windowMs: number, nowMs: number): Promise<RateDecision> {
    return this.consumeSync(key, limit, windowMs, nowMs);
  }

  consumeSync(key: string, limit: number, windowMs: number, nowMs: number): RateDecision {
    const windowStartMs = Math.floor(nowMs / windowMs) * windowMs;
    let state = this.windows.get(key);
    if (state === undefined) {
      state = { windowStartMs, current: 0, previous: 0 };
      this.windows.set(key, state);
    } else if (state.windowStartMs !== windowStartMs) {
      state.previous = state.windowStartMs === windowStartMs - windowMs ? state.current : 0;
      state.current = 0;
      state.windowStartMs = windowStartMs;
    }
    const elapsedFraction = (nowMs - windowStartMs) / windowMs;
    const estimate = state.previous * (1 - elapsedFraction) + state.current;
    if (estimate + 1 <= limit) {
      state.current += 1;
      if (++this.sweepCounter % 10_000 === 0) this.prune(nowMs, windowMs);
      return { allowed: true, retryAfterMs: 0 };
    }
    // Solve previous × (1 − f) + current + 1 ≤ limit for the fraction f, else wait for the next window.
    const needed = state.previous > 0 ? 1 - (limit - 1 - state.current) / state.previous : 1;
    const waitFraction = Math.min(1, Math.max(needed, elapsedFraction));
    const retryAfterMs = Math.max(1, Math.ceil(windowStartMs + waitFraction * windowMs - nowMs));
    return { allowed: false, retryAfterMs };
  }

  /** Drops keys idle for two windows so memory follows active users only. */
  private prune(nowMs: number, windowMs: number): void {
    for (const [key, state] of this.windows) {
      if (state.windowStartMs < nowMs - 2 * windowMs) this.windows.delete(key);
    }
  }

  async close(): Promise<void> {
    this.windows.clear();
  }
}
