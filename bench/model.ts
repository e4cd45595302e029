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

/** Median wall-clock and CPU milliseconds of `task` (CPU time is what a shared machine cannot steal). */
function measure(task: () => unknown, repetitions: number): { wallMs: number; cpuMs: number } {
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let index = 0; index < repetitions; index++) {
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    task();
    walls.push(performance.now() - start);
    const cpu = process.cpuUsage(cpuStart);
    cpus.push((cpu.user + cpu.system) / 1000);
  }
  walls.sort((a, b) => a - b);
  cpus.sort((a, b) => a - b);
  return { wallMs: walls[Math.floor(walls.length / 2)], cpuMs: cpus[Math.floor(cpus.length / 2)] };
}

export async function run(): Promise<BenchSection[]> {
  const names = bundledScenarioNames();
  const scenarios = await Promise.all(names.map((name) => loadScenario(name)));
  // Warm up the JIT on every scenario once.
  for (const scenario of scenarios) evaluateModel(scenario, { samples: 1000, sensitivity: false });
  const rows: (string | number)[][] = [];
  const total = { pointMs: 0, wallMs: 0, cpuMs: 0 };
  scenarios.forEach((scenario, index) => {
    const ranges = resolveScenario(scenario).slots.length;
    const metrics = Object.keys(evaluateModel(scenario, { samples: 0, sensitivity: false }).metrics).length;
    const point = measure(() => evaluateModel(scenario, { samples: 0, sensitivity: false }), 5);
    const sampled =
      ranges === 0
        ? point
        : measure(() => evaluateModel(scenario, { samples: SAMPLES, sensitivity: false }), 3);
    total.pointMs += point.wallMs;
    total.wallMs += sampled.wallMs;
    total.cpuMs += sampled.cpuMs;
    rows.push([
      names[index],
      ranges,
      metrics,
      point.wallMs.toFixed(2),
      ranges === 0 ? 'no ranges' : sampled.wallMs.toFixed(0),
      ranges === 0 ? '—' : sampled.cpuMs.toFixed(0),
      ranges === 0 ? '—' : ((sampled.wallMs * 1000) / SAMPLES).toFixed(1),
    ]);
  });
  rows.push([
    '**all five**',
    '',
    '',
    total.pointMs.toFixed(2),
    total.wallMs.toFixed(0),
    total.cpuMs.toFixed(0),
    '',
  ]);
  return [
    {
      title: 'Analytic model: five bundled scenarios, 10,000 Monte Carlo samples each',
      command: 'npm run bench -- model',
      columns: [
        'scenario',
        'uncertain inputs',
        'metrics',
        'deterministic (ms)',
        `Monte Carlo ×${SAMPLES} wall (ms)`,
        'CPU (ms)',
        'µs per sample',
      ],
      rows,
      notes: [
        `Goal: all five scenarios with 10,000 samples each in under 1 s on the 2-core machine (this run: ${total.wallMs.toFixed(0)} ms wall, ${total.cpuMs.toFixed(0)} ms CPU).`,
        'Peer: the deterministic evaluation (with formulas) of the same scenario in the same run; a sample evaluates the model without formulas.',
        'Median of 3 runs (5 for the deterministic column) after one warm-up per scenario. CPU time is reported because a shared machine inflates wall time.',
      ],
    },
  ];
}
