import { describe, expect, it } from 'vitest';
import { evaluateModel } from '../model/evaluate.js';
import { bundledScenarioNames } from './bundled.js';
import { listBundledScenarios } from './list.js';
import { loadScenario } from './load.js';

const expected = {
  'whatsapp-agent-backend': '000_e2ba6581a2b65330.txt',
  'chat-1b-users': '001_d8fe8d2713191ddd.txt',
  'agent-backend-nfr': '002_21f66d6ef3d3fdb3.txt',
  'broadcast-3000-devices': '003_85b537912c305f82.txt',
  'chat-microservices': '004_2453a9cc411222d8.txt',
};

describe('bundled scenarios', () => {
  it('are the five documents', () => {
    expect(bundledScenarioNames()).toEqual(Object.keys(expected).sort());
  });

  it('list with one-line descriptions (capsim scenarios)', () => {
    const list = listBundledScenarios();
    expect(list.map((item) => item.name)).toEqual(Object.keys(expected).sort());
    for (const item of list) {
      expect(item.description).toMatch(/^\d{3}: /);
      expect(item.description?.includes('\n')).toBe(false);
    }
  });

  for (const [name, source] of Object.entries(expected)) {
    it(`${name} reproduces every checked figure of ${source}`, async () => {
      const scenario = await loadScenario(name);
      expect(scenario.source).toBe(source);
      expect(scenario.description).toBeTruthy();
      expect(scenario.workload).toBeDefined();
      const result = evaluateModel(scenario, { samples: 0, sensitivity: false });
      expect(result.checks.length).toBeGreaterThanOrEqual(5);
      expect(result.checks.filter((check) => !check.pass)).toEqual([]);
      for (const check of result.checks) expect(check.source).toMatch(/^\d{3}_[0-9a-f]{16}\.txt:\d+(-\d+)?$/);
    });
  }
});
