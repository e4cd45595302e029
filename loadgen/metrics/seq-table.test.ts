import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeqTable } from './seq-table.js';

describe('SeqTable', () => {
  it('behaves like a Map for any seqs, dense or sparse, integer or not', () => {
    const seq = fc.oneof(
      fc.integer({ min: 1, max: 300 }),
      fc.integer({ min: -5, max: 2 ** 40 }),
      fc.double({ min: -10, max: 1e6, noNaN: true }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(seq, fc.integer({ min: 1, max: 2 ** 31 - 1 })), { maxLength: 400 }),
        (ops) => {
          const table = new SeqTable();
          const model = new Map<number, number>();
          for (const [key, value] of ops) {
            table.set(key, value);
            model.set(key, value);
          }
          expect(table.size).toBe(model.size);
          for (const [key, value] of model) expect(table.get(key)).toBe(value);
          for (const [key] of ops) expect(table.has(key + 0.5)).toBe(model.has(key + 0.5));
          expect(table.keys().sort((a, b) => a - b)).toEqual([...model.keys()].sort((a, b) => a - b));
        },
      ),
    );
  });

  it('stays a compact array for per-conversation numbering and leaves it for a far seq', () => {
    const table = new SeqTable();
    for (let seq = 1; seq <= 10_000; seq += 2) table.set(seq, 7);
    expect(table.get(9_999)).toBe(7);
    expect(table.get(10_000)).toBeUndefined();
    table.set(1_764_690_000_000, 3); // a timestamp used as seq: sparse from now on, nothing lost
    expect(table.get(1_764_690_000_000)).toBe(3);
    expect(table.get(1)).toBe(7);
    expect(table.size).toBe(5_001);
  });
});
