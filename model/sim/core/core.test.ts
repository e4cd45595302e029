import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EventQueue } from './event-queue.js';
import { LogHistogram } from './log-histogram.js';
import { Simulation } from './simulation.js';
import { createRandom } from '../../random.js';

describe('EventQueue', () => {
  it('pops in (time, priority, insertion) order for any schedule', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: -3, max: 3 })), {
          maxLength: 300,
        }),
        (events) => {
          const queue = new EventQueue(16);
          events.forEach(([time, priority], index) => queue.push(time, priority, 0, 0, index));
          const popped: number[] = [];
          while (queue.size > 0) {
            const slot = queue.pop();
            popped.push(queue.args[slot]);
          }
          const expected = events
            .map(([time, priority], index) => ({ time, priority, index }))
            .sort((a, b) => a.time - b.time || a.priority - b.priority || a.index - b.index)
            .map((event) => event.index);
          expect(popped).toEqual(expected);
        },
      ),
    );
  });

  it('reuses slots and grows without losing events', () => {
    const queue = new EventQueue(16);
    for (let round = 0; round < 3; round++) {
      for (let index = 0; index < 1000; index++) queue.push(1000 - index, 0, 0, 0, index);
      let last = -Infinity;
      let count = 0;
      while (queue.size > 0) {
        queue.pop();
        expect(queue.poppedTime).toBeGreaterThanOrEqual(last);
        last = queue.poppedTime;
        count++;
      }
      expect(count).toBe(1000);
    }
  });
});

describe('Simulation', () => {
  it('fires events in order, advances the clock and stops at the horizon', () => {
    const sim = new Simulation(createRandom(1));
    const seen: string[] = [];
    const id = sim.register({
      handle(kind, arg) {
        seen.push(`${sim.nowMs}:${kind}:${arg}`);
        if (kind === 0 && arg < 3) sim.schedule(10, id, 0, arg + 1);
      },
    });
    sim.schedule(5, id, 1, 0, 1);
    sim.schedule(5, id, 2, 0, -1);
    sim.schedule(0, id, 0, 0);
    sim.run(25);
    expect(seen).toEqual(['0:0:0', '5:2:0', '5:1:0', '10:0:1', '20:0:2']);
    expect(sim.nowMs).toBe(25);
    expect(sim.pendingEvents).toBe(1);
  });
});

describe('LogHistogram', () => {
  it('reports quantiles within 0.4 % of the exact order statistic and an exact mean', () => {
    const random = createRandom(3);
    const histogram = new LogHistogram();
    const values: number[] = [];
    for (let index = 0; index < 20_000; index++) {
      const value = index % 10 === 0 ? 0 : -Math.log(1 - random.next()) * 50;
      values.push(value);
      histogram.record(value);
    }
    values.sort((a, b) => a - b);
    for (const q of [0.5, 0.9, 0.95, 0.99]) {
      const exact = values[Math.ceil(q * values.length) - 1];
      expect(Math.abs(histogram.quantile(q) - exact) / exact).toBeLessThan(0.004);
    }
    expect(histogram.quantile(0.05)).toBe(0);
    expect(histogram.mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 9);
    const other = new LogHistogram();
    other.record(1e6);
    histogram.merge(other);
    expect(histogram.max).toBe(1e6);
    expect(histogram.count).toBe(20_001);
  });
});
