import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from './latency-histogram.js';

describe('LatencyHistogram', () => {
  it('merging encoded per-worker histograms equals the histogram of all samples', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.double({ min: 0, max: 60_000, noNaN: true }), { maxLength: 300 }), {
          minLength: 1,
          maxLength: 5,
        }),
        (workers) => {
          const all = new LatencyHistogram();
          const encoded = workers.map((samples) => {
            const h = new LatencyHistogram();
            for (const ms of samples) {
              h.recordMs(ms);
              all.recordMs(ms);
            }
            return h.encode();
          });
          const merged = LatencyHistogram.merge(encoded);
          expect(merged.count).toBe(all.count);
          expect(merged.summary()).toEqual(all.summary());
          for (const p of [1, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100])
            expect(merged.percentileMs(p)).toBe(all.percentileMs(p));
        },
      ),
      { numRuns: 50 },
    );
  });

  it('keeps percentiles within 0.1% of the true value', () => {
    const h = new LatencyHistogram();
    const samples = Array.from({ length: 10_000 }, (_, i) => (i + 1) * 0.37);
    for (const ms of samples) h.recordMs(ms);
    const trueP99 = samples[Math.ceil(0.99 * samples.length) - 1];
    expect(Math.abs(h.percentileMs(99) - trueP99) / trueP99).toBeLessThan(0.001);
  });
});
