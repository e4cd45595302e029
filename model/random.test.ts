import { describe, expect, it } from 'vitest';
import { createRandom, createRandomFromState } from './random.js';

function draw(count: number, next: () => number): number[] {
  return Array.from({ length: count }, () => next());
}

describe('createRandom (xoshiro128**)', () => {
  it('matches the reference C implementation for state {1, 2, 3, 4}', () => {
    const random = createRandomFromState([1, 2, 3, 4]);
    expect(draw(8, () => random.nextUint32())).toEqual([
      11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849,
    ]);
    for (let index = 0; index < 992; index++) random.nextUint32();
    expect(random.nextUint32()).toBe(136054147);
  });

  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const first = createRandom(42);
    const second = createRandom(42);
    expect(draw(100, () => first.next())).toEqual(draw(100, () => second.next()));
    const other = createRandom(43);
    expect(draw(100, () => other.next())).not.toEqual(draw(100, () => createRandom(42).next()));
    expect(draw(4, () => createRandom(1.5).next())).not.toEqual(draw(4, () => createRandom(1).next()));
    expect(createRandom(-1).next()).not.toBe(createRandom(1).next());
  });

  it('is pinned: seed 12345 always starts with the same numbers (cross-platform golden values)', () => {
    const random = createRandom(12345);
    const words = draw(4, () => random.nextUint32());
    // Frozen on first run; a change here breaks reproducibility of every saved result.
    expect(words).toEqual([2163560521, 2991802712, 2402839975, 1135452037]);
  });

  it('draws in [0, 1) with a uniform histogram (chi-square, 20 bins)', () => {
    const random = createRandom(7);
    const bins = new Array<number>(20).fill(0);
    const count = 200_000;
    let sum = 0;
    let outside = 0;
    for (let index = 0; index < count; index++) {
      const u = random.next();
      if (!(u >= 0 && u < 1)) outside++;
      sum += u;
      bins[Math.floor(u * 20)]++;
    }
    expect(outside).toBe(0);
    const expected = count / 20;
    const chiSquare = bins.reduce((total, observed) => total + (observed - expected) ** 2 / expected, 0);
    // 19 degrees of freedom: P(chi2 > 43.8) = 0.001.
    expect(chiSquare).toBeLessThan(43.8);
    expect(Math.abs(sum / count - 0.5)).toBeLessThan(0.005);
  });

  it('nextDouble stays in [0, 1) and nextInt covers [0, n) without bias', () => {
    const random = createRandom(9);
    const counts = [0, 0, 0];
    let outside = 0;
    for (let index = 0; index < 30_000; index++) {
      const d = random.nextDouble();
      if (!(d >= 0 && d < 1)) outside++;
      counts[random.nextInt(3)]++;
    }
    expect(outside).toBe(0);
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
    expect(() => random.nextInt(0)).toThrow(RangeError);
  });

  it('forks independent streams that depend only on the root seed and the stream id', () => {
    const parent = createRandom(5);
    const before = parent.fork('arrivals');
    for (let index = 0; index < 1000; index++) parent.next();
    const after = parent.fork('arrivals');
    expect(draw(50, () => before.next())).toEqual(draw(50, () => after.next()));

    const streamOne = createRandom(5).fork(1);
    const streamTwo = createRandom(5).fork(2);
    const one = draw(10_000, () => streamOne.next());
    const two = draw(10_000, () => streamTwo.next());
    expect(one).not.toEqual(two);
    // Independent streams: sample correlation near zero (|r| < 4/sqrt(n)).
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const m1 = mean(one);
    const m2 = mean(two);
    let cov = 0;
    let v1 = 0;
    let v2 = 0;
    for (let index = 0; index < one.length; index++) {
      cov += (one[index] - m1) * (two[index] - m2);
      v1 += (one[index] - m1) ** 2;
      v2 += (two[index] - m2) ** 2;
    }
    expect(Math.abs(cov / Math.sqrt(v1 * v2))).toBeLessThan(0.04);
    const nested = createRandom(5).fork('a').fork('b');
    expect(nested.next()).toBe(createRandom(5).fork('a').fork('b').next());
    expect(createRandom(5).fork('a').next()).not.toBe(createRandom(6).fork('a').next());
  });

  it('rejects non-finite seeds', () => {
    expect(() => createRandom(Number.NaN)).toThrow(RangeError);
  });
});
