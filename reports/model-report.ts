/**
 * `capsim model <scenario> --html out.html`: the report without measurements, for architects — the
 * model (with Monte Carlo ranges, sensitivity and any sweep) and the simulation when the scenario has
 * a pipeline. The verdict table is the document's own gap table (demand vs today's capacity).
 */
import type { ModelResult } from '../model/evaluate.js';
import type { Scenario } from '../scenarios/schema.js';
import { adaptSimulation } from './adapt-simulation.js';
import { assembleReportInput } from './assemble.js';
import { buildReport } from './build.js';
import type { ReportSimulation } from './inputs.js';
import { writeReportOutputs } from './report-files.js';
import { summarizeVerdict, type Verdict } from './verdict.js';

export interface ModelReportOptions {
  out: string;
  markdown?: string;
  junit?: string;
  /** Simulate the pipeline too (default true when the scenario has one). */
  simulate?: boolean;
  simulationDurationS?: number;
  seed?: number;
}

export async function writeModelReport(
  scenario: Scenario,
  model: ModelResult,
  options: ModelReportOptions,
): Promise<{ htmlPath: string; verdict: Verdict }> {
  const notes: string[] = [
    'Model-only report: no load test. "Current" is today’s capacity as the document states it.',
  ];
  let simulation: ReportSimulation | undefined;
  if (options.simulate !== false && scenario.pipeline !== undefined) {
    try {
      const { simulateScenario } = await import('../model/sim/simulate-scenario.js');
      const result = await simulateScenario(scenario, {
        durationS: options.simulationDurationS,
        replications: 3,
        seed: options.seed ?? 1,
      });
      simulation = adaptSimulation(result);
    } catch (error) {
      notes.push(`Simulation skipped: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const input = assembleReportInput({
    scenario,
    model,
    simulation,
    notes,
    generatedAt: new Date().toISOString(),
  });
  const html = await buildReport(input);
  const written = writeReportOutputs(html, input, options);
  return { htmlPath: written.htmlPath, verdict: summarizeVerdict(input).verdict };
}

/** For `capsim model --html`: loads and evaluates the scenario as `capsim model` does, then writes the report. */
export async function writeModelReportFor(
  nameOrPath: string,
  flags: {
    set: string[];
    seed: number;
    samples: number;
    sweep?: string;
    metrics: string[];
    sensitivity: string[];
  },
  options: ModelReportOptions,
): Promise<{ htmlPath: string; verdict: Verdict }> {
  const [{ loadScenario }, { evaluateLoaded }] = await Promise.all([
    import('../scenarios/load.js'),
    import('../cli/model-command.js'),
  ]);
  const scenario = await loadScenario(nameOrPath, { set: flags.set });
  const model = evaluateLoaded(scenario, flags);
  return writeModelReport(scenario, model, { seed: flags.seed, ...options });
}
