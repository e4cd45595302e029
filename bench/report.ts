/**
 * Report benchmark: size of the self-contained HTML and time to build it from results
 * (goals: under 2 MB, under one second), for the representative sample input with a long run.
 */
import { readFileSync } from 'node:fs';
import { loadTestResultSchema } from '../loadgen/outputs/result-schema.js';
import { evaluateModel } from '../model/evaluate.js';
import { assembleReportInput } from '../reports/assemble.js';
import { buildReport } from '../reports/build.js';
import { loadScenario } from '../scenarios/load.js';
import { sampleReportInput } from '../reports/fixtures/sample-input.js';
import { buildJunit } from '../reports/junit.js';
import { buildMarkdown } from '../reports/markdown.js';
import type { BenchSection } from './section.js';

async function timeMs(task: () => Promise<unknown> | unknown, repetitions: number): Promise<number> {
  const times: number[] = [];
  for (let index = 0; index < repetitions; index += 1) {
    const start = performance.now();
    await task();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export async function run(): Promise<BenchSection[]> {
  const rows: (string | number)[][] = [];
  // Warm up module loading (vega, vega-lite) so the timings are the build itself.
  await buildReport(sampleReportInput(10));
  for (const durationS of [60, 120, 600]) {
    const input = sampleReportInput(durationS);
    const html = await buildReport(input);
    const htmlMs = await timeMs(() => buildReport(input), 5);
    const noSvgMs = await timeMs(() => buildReport(input, { svgFallback: false }), 5);
    const summariesMs = await timeMs(() => [buildMarkdown(input), buildJunit(input)], 5);
    rows.push([
      `${durationS} s load test, 10 charts`,
      (Buffer.byteLength(html) / 2 ** 20).toFixed(2),
      htmlMs.toFixed(0),
      noSvgMs.toFixed(0),
      summariesMs.toFixed(2),
    ]);
  }
  // Real results: the 000 model (Monte Carlo, sensitivity) with the recorded load test, as `capsim report` builds it.
  const scenario = await loadScenario('whatsapp-agent-backend');
  const model = evaluateModel(scenario);
  const loadTest = loadTestResultSchema.parse(
    JSON.parse(readFileSync(new URL('../reports/fixtures/loadtest-result.json', import.meta.url), 'utf8')),
  );
  const real = assembleReportInput({ scenario, model, loadTests: [loadTest], generatedAt: 'bench' });
  const realHtml = await buildReport(real);
  rows.push([
    `000 model (${Object.keys(model.metrics).length} metrics) + recorded load test`,
    (Buffer.byteLength(realHtml) / 2 ** 20).toFixed(2),
    (await timeMs(() => buildReport(real), 5)).toFixed(0),
    (await timeMs(() => buildReport(real, { svgFallback: false }), 5)).toFixed(0),
    (await timeMs(() => [buildMarkdown(real), buildJunit(real)], 5)).toFixed(2),
  ]);
  return [
    {
      title: 'HTML report: size and build time',
      command: 'npm run bench -- report',
      columns: [
        'input',
        'HTML size (MiB)',
        'build ms (with SVG fallbacks)',
        'build ms (no SVG)',
        'Markdown + JUnit ms',
      ],
      rows,
      notes: [
        'Goals: under 2 MB and under 1 s to build from results. Median of 5 builds after a warm-up.',
        'About 0.8 MB of each report is vega + vega-lite + vega-embed, inlined so it opens from disk.',
        'Time series are downsampled to at most 400 points per chart, so longer runs do not grow the report.',
      ],
    },
  ];
}
