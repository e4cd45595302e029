import { describe, expect, it } from 'vitest';
import { looksLikeRange, pointValue, quantity, quantityBounds } from './quantity.js';

describe('quantity', () => {
  it('accepts a number, [low, high] and { low, mid, high }', () => {
    const schema = quantity();
    expect(schema.safeParse(15).success).toBe(true);
    expect(schema.safeParse([10, 20]).success).toBe(true);
    expect(schema.safeParse({ low: 10, mid: 12, high: 20 }).success).toBe(true);
    expect(schema.safeParse({ low: 10, high: 20 }).success).toBe(true);
  });

  it('rejects reversed ranges, a mid outside the range, negatives and strings', () => {
    const schema = quantity();
    expect(schema.safeParse([20, 10]).success).toBe(false);
    expect(schema.safeParse({ low: 10, mid: 30, high: 20 }).success).toBe(false);
    expect(schema.safeParse(-1).success).toBe(false);
    const text = schema.safeParse('ten');
    expect(text.success).toBe(false);
    expect(text.error?.issues[0].message).toMatch(/a number, a range \[low, high\]/);
  });

  it('uses the midpoint of [low, high] and mid of { low, mid, high } as the point value', () => {
    expect(pointValue(7)).toBe(7);
    expect(pointValue([10, 20])).toBe(15);
    expect(pointValue({ low: 10, mid: 12, high: 20 })).toBe(12);
    expect(quantityBounds({ low: 1, high: 3 })).toEqual({ low: 1, mid: 2, high: 3 });
  });

  it('recognises range shapes', () => {
    expect(looksLikeRange([1, 2])).toBe(true);
    expect(looksLikeRange({ low: 1, high: 2 })).toBe(true);
    expect(looksLikeRange({ low: 1, high: 2, other: 3 })).toBe(false);
    expect(looksLikeRange([1, 2, 3])).toBe(false);
    expect(looksLikeRange(3)).toBe(false);
  });
});
