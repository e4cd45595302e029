import { describe, expect, it } from 'vitest';
import { KeyFilter } from './key-filter.js';

describe('KeyFilter (Bloom filter of idempotency keys)', () => {
  it('never forgets a key it was given, across generations', () => {
    const filter = new KeyFilter(10_000);
    for (let i = 0; i < 35_000; i += 1) filter.add(`u${i % 97}\u0000k${i}`, 1_000);
    expect(filter.generationCount).toBe(4);
    for (let i = 0; i < 35_000; i += 1) expect(filter.mightContain(`u${i % 97}\u0000k${i}`)).toBe(true);
  });

  it('answers "absent" for nearly all new keys at capacity (about 1% false positives)', () => {
    const filter = new KeyFilter(50_000);
    for (let i = 0; i < 50_000; i += 1) filter.add(`sender-${i % 500}\u0000${i}`, 0);
    let falsePositives = 0;
    for (let i = 0; i < 50_000; i += 1)
      if (filter.mightContain(`sender-${i % 500}\u0000new-${i}`)) falsePositives += 1;
    expect(falsePositives / 50_000).toBeLessThan(0.02);
  });

  it('drops only generations whose newest key is past the cutoff', () => {
    const filter = new KeyFilter(1_000);
    for (let i = 0; i < 1_000; i += 1) filter.add(`old${i}`, 1_000);
    for (let i = 0; i < 10; i += 1) filter.add(`new${i}`, 5_000);
    filter.dropOlderThan(2_000);
    expect(filter.generationCount).toBe(1);
    for (let i = 0; i < 10; i += 1) expect(filter.mightContain(`new${i}`)).toBe(true);
    let kept = 0;
    for (let i = 0; i < 1_000; i += 1) if (filter.mightContain(`old${i}`)) kept += 1;
    expect(kept).toBeLessThan(50);
  });

  it('merges the oldest generations instead of growing without bound, still without false negatives', () => {
    const filter = new KeyFilter(100);
    for (let i = 0; i < 100 * 40; i += 1) filter.add(`k${i}`, i);
    expect(filter.generationCount).toBeLessThanOrEqual(32);
    for (let i = 0; i < 100 * 40; i += 1) expect(filter.mightContain(`k${i}`)).toBe(true);
  });
});
