/**
 * Model benchmark: time to evaluate every bundled scenario with 10,000 Monte Carlo samples each
 * (goal: all five under one second), beside the deterministic evaluation of the same scenarios.
 */
import { evaluateModel } from '../model/evaluate.js';
import { resolveScenario } from '../model/resolve.js';
import { bundledScenarioNames } from '../scenarios/bundled.js';
import { loadScenario } from '../scenarios/load.js';
import type { BenchSection } from './section.js';

const SAMPLES = 10_000;

function medianMs(task: () => unknown, repetitions: number): number {
  const times: number[] = [];
  for (let index = 0; index < repetitions; index++) {
    const start = performance.now();
    task();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export async function run(): Promise<BenchSection[]> {
  const names = bundledScenarioNames();
  const scenarios = await Promise.all(names.map((name) => loadScenario(name)));
  // Warm up the JIT on every scenario once.
  for (const scenario of scenarios) evaluateModel(scenario, { samples: 1000, sensitivity: false });
  const rows: (string | number)[][] = [];
  let totalMonteCarloMs = 0;
  let totalPointMs = 0;
  scenarios.forEach((scenario, index) => {
    const ranges = resolveScenario(scenario).slots.length;
    const metrics = Object.keys(evaluateModel(scenario, { samples: 0, sensitivity: false }).metrics).length;
    const pointMs = medianMs(() => evaluateModel(scenario, { samples: 0, sensitivity: false }), 5);
    const monteCarloMs =
      ranges === 0
        ? pointMs
        : medianMs(() => evaluateModel(scenario, { samples: SAMPLES, sensitivity: false }), 3);
    totalMonteCarloMs += monteCarloMs;
    totalPointMs += pointMs;
    rows.push([
      names[index],
      ranges,
      metrics,
      pointMs.toFixed(2),
      ranges === 0 ? 'no ranges' : monteCarloMs.toFixed(0),
      ranges === 0 ? '—' : ((monteCarloMs * 1000) / SAMPLES).toFixed(1),
    ]);
  });
  rows.push(['**all five**', '', '', totalPointMs.toFixed(2), totalMonteCarloMs.toFixed(0), '']);
  return [
    {
      title: 'Analytic model: five bundled scenarios, 10,000 Monte Carlo samples each',
      command: 'npm run bench -- model',
      columns: [
        'scenario',
        'uncertain inputs',
        'metrics',
        'deterministic (ms)',
        `Monte Carlo ×${SAMPLES} (ms)`,
        'µs per sample',
      ],
      rows,
      notes: [
        'Goal: all five scenarios with 10,000 samples each in under 1 s on the 2-core machine.',
        'Peer: the deterministic evaluation (with formulas) of the same scenario in the same run; a sample evaluates the model without formulas.',
        'Median of 3 runs (5 for the deterministic column) after one warm-up per scenario.',
      ],
    },
  ];
}
