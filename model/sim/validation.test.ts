import { afterAll, describe, expect, it } from 'vitest';
import { runSimValidation } from './validation.js';
import { closeWorkerPool } from './worker-pool.js';

afterAll(closeWorkerPool);

describe('runSimValidation (quick level)', () => {
  it('passes every closed-form, batching, Little and 003 case', async () => {
    const cases = await runSimValidation({ level: 'quick' });
    const failing = cases
      .filter((c) => !c.pass)
      .map((c) => `${c.name} ${c.metric}: ${c.expected} vs ${c.simulated}`);
    expect(failing).toEqual([]);
    // Every requested family is present.
    const names = cases.map((c) => `${c.name} ${c.metric}`).join('\n');
    for (const rho of ['0.5', '0.8', '0.9', '0.95']) {
      expect(names).toContain(`M/M/1 ρ=${rho} mean wait`);
      expect(names).toContain(`M/M/4 ρ=${rho} P(wait) (Erlang C)`);
    }
    expect(names).toContain('M/D/1 ρ=0.8 mean wait (ms, Pollaczek–Khinchine)');
    expect(names).toContain('mean batch size');
    expect(names).toContain('sends per device-hour');
    expect(names).toContain('drain time (hours)');
    expect(cases.filter((c) => c.metric.startsWith("Little's law")).length).toBeGreaterThanOrEqual(12);
    for (const c of cases) {
      expect(Object.keys(c)).toEqual(
        expect.arrayContaining([
          'name',
          'metric',
          'expected',
          'simulated',
          'relativeError',
          'ciLow',
          'ciHigh',
          'pass',
        ]),
      );
      expect(c.ciLow).toBeLessThanOrEqual(c.ciHigh);
    }
  });
});
