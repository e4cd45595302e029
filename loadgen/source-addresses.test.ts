import { describe, expect, it } from 'vitest';
import { autoSourceAddresses, defaultWorkerCount, parseSourceAddresses } from './source-addresses.js';

describe('source addresses', () => {
  it('parses ranges and lists, and rejects what is neither', () => {
    expect(parseSourceAddresses('127.0.0.2-127.0.0.4')).toEqual(['127.0.0.2', '127.0.0.3', '127.0.0.4']);
    expect(parseSourceAddresses('127.0.0.2-4,10.0.0.1')).toEqual([
      '127.0.0.2',
      '127.0.0.3',
      '127.0.0.4',
      '10.0.0.1',
    ]);
    expect(() => parseSourceAddresses('127.0.0.5-127.0.0.3')).toThrow();
    expect(() => parseSourceAddresses('localhost')).toThrow();
  });

  it('binds addresses only when the targets’ own port space (~28,000 each) is not enough', () => {
    expect(autoSourceAddresses(20_000)).toEqual([]);
    expect(autoSourceAddresses(60_000)).toEqual(['127.0.0.2', '127.0.0.3', '127.0.0.4']);
    // Six instance ports: 100,000 sockets fit in 6 × 28,000 unbound ports.
    expect(autoSourceAddresses(100_000, 6)).toEqual([]);
    expect(autoSourceAddresses(200_000, 6)).toHaveLength(2);
  });

  it('uses enough workers for the open-files limit, and not more than one per 50 users', () => {
    expect(defaultWorkerCount(100_000)).toBeGreaterThanOrEqual(6);
    expect(defaultWorkerCount(60)).toBe(2);
    expect(defaultWorkerCount(10)).toBe(1);
  });
});
