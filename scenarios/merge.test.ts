import { describe, expect, it } from 'vitest';
import { deepMerge, parseOverride, setPath } from './merge.js';
import { closest, editDistance } from './suggest.js';
import { allowedKeys } from './suggest.js';
import { scenarioSchema } from './schema.js';

describe('deepMerge', () => {
  it('merges mappings, replaces lists and ranges whole, and deletes on null', () => {
    const merged = deepMerge(
      { workload: { a: 1, range: { low: 1, mid: 2, high: 5 }, list: [1, 2] }, gone: { x: 1 } },
      { workload: { b: 2, range: { low: 3, high: 4 }, list: [9] }, gone: null },
    );
    expect(merged).toEqual({ workload: { a: 1, b: 2, range: { low: 3, high: 4 }, list: [9] } });
  });
});

describe('overrides', () => {
  it('parses path=value with YAML values', () => {
    expect(parseOverride('workload.peakFactor=4')).toMatchObject({
      path: ['workload', 'peakFactor'],
      value: 4,
    });
    expect(parseOverride('workload.messagesPerUserPerDay=[10, 30]').value).toEqual([10, 30]);
    expect(parseOverride('expect.0.tolerance=0.1').path).toEqual(['expect', 0, 'tolerance']);
    expect(() => parseOverride('=4')).toThrow(/path=value/);
  });

  it('sets values without changing the original', () => {
    const original = { workload: { peakFactor: 3 } };
    expect(setPath(original, ['workload', 'peakFactor'], 5)).toEqual({ workload: { peakFactor: 5 } });
    expect(setPath(original, ['slo', 'ackLatencyMs', 'p99'], 100)).toEqual({
      workload: { peakFactor: 3 },
      slo: { ackLatencyMs: { p99: 100 } },
    });
    expect(original.workload.peakFactor).toBe(3);
  });
});

describe('did you mean', () => {
  it('finds the closest allowed field', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(closest('peakFactr', ['peakFactor', 'registeredUsers'])).toBe('peakFactor');
    expect(closest('zzz', ['peakFactor', 'registeredUsers'])).toBeUndefined();
    expect(allowedKeys(scenarioSchema, ['components', 'gateway'])).toContain('capacityPerUnit');
    expect(allowedKeys(scenarioSchema, ['tiering', 'tiers', 0])).toContain('pricePerTBMonthUSD');
  });
});
