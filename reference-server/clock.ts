/** Clocks: the system clock, and a fake one tests advance by days without waiting. */
import type { Clock } from './contracts.js';

export const systemClock: Clock = { nowMs: () => Date.now() };

export class FakeClock implements Clock {
  private currentMs: number;

  constructor(startMs: number = Date.now()) {
    this.currentMs = startMs;
  }

  nowMs(): number {
    return this.currentMs;
  }

  advance(ms: number): void {
    this.currentMs += ms;
  }

  set(ms: number): void {
    this.currentMs = ms;
  }
}
