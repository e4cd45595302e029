/**
 * `capsim model`: load a scenario (with --set), evaluate it, print a table or JSON, and with --check
 * exit 1 when a check against the document fails. Errors that point into the scenario (an unknown metric
 * id) are given the file/line/column of the field.
 */
import { CapsimError, ExitCode } from '../common/errors.js';
import { evaluateModel, type ModelResult } from '../model/evaluate.js';
import { renderModelText, renderSensitivityText, renderSweepText } from '../model/render-text.js';
import { parseSweep } from '../model/sweep.js';
import { loadScenario, locateScenarioField } from '../scenarios/load.js';
import type { Scenario } from '../scenarios/schema.js';

export interface ModelCommandOptions {
  json: boolean;
  set: string[];
  sweep?: string;
  metrics: string[];
  sensitivity: string[];
  check: boolean;
  seed: number;
  samples: number;
  formulas: boolean;
}

/** Adds file/line/column to problems whose path names a field of the scenario. */
export function locateProblems(error: CapsimError, scenario: Scenario): CapsimError {
  const problems = error.problems.map((problem) => {
    if (problem.path === undefined || problem.line !== undefined || problem.path.startsWith('--'))
      return problem;
    const path = problem.path
      .split('.')
      .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
    return { ...locateScenarioField(scenario, path), ...problem };
  });
  return new CapsimError(error.code, error.message, { exitCode: error.exitCode, problems });
}

export function evaluateLoaded(
  scenario: Scenario,
  options: Omit<ModelCommandOptions, 'json' | 'set' | 'check' | 'formulas'>,
): ModelResult {
  try {
    return evaluateModel(scenario, {
      seed: options.seed,
      samples: options.samples,
      sweep: options.sweep === undefined ? undefined : parseSweep(options.sweep),
      sweepMetrics: options.metrics.length > 0 ? options.metrics : undefined,
      sensitivity: options.sensitivity.length > 0 ? options.sensitivity : undefined,
    });
  } catch (error) {
    throw error instanceof CapsimError ? locateProblems(error, scenario) : error;
  }
}

export async function runModelCommand(nameOrPath: string, options: ModelCommandOptions): Promise<number> {
  const scenario = await loadScenario(nameOrPath, { set: options.set });
  const result = evaluateLoaded(scenario, options);
  if (options.json) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    const parts = [
      renderModelText(result, {
        formulas: options.formulas,
        summary: scenario.summary,
        title: scenario.title,
        source: scenario.source,
        checkComments: scenario.expect?.map((check) => check.comment),
      }),
    ];
    if (result.sweep) parts.push(renderSweepText(result.sweep));
    if (result.sensitivity && options.sensitivity.length > 0)
      parts.push(renderSensitivityText(result.sensitivity));
    console.log(parts.join('\n'));
  }
  const failed = result.checks.filter((check) => !check.pass);
  if (options.check && failed.length > 0) {
    if (!options.json) console.error(`${failed.length} check${failed.length === 1 ? '' : 's'} failed`);
    return ExitCode.checkFailed;
  }
  return ExitCode.ok;
}
