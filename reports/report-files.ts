/**
 * `capsim report` as a library function: reads results files, loads the scenario they ran (named by
 * --scenario or by the results), re-evaluates the model with the measured capacity (calibration),
 * and writes the HTML report plus optional Markdown and JUnit summaries.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CapsimError, ExitCode } from '../common/errors.js';
import type { LoadTestResult } from '../loadgen/outputs/result-schema.js';
import type { Scenario } from '../scenarios/schema.js';
import { adaptSimulation } from './adapt-simulation.js';
import type { ModelResultJson } from './adapt-model.js';
import { assembleReportInput } from './assemble.js';
import { buildReport } from './build.js';
import { adaptCapacity, capacityRun } from './adapt-capacity.js';
import { calibrateConnections, calibrationSkipReason, capacityFromFindCapacity } from './calibrate.js';
import type { CalibrationRow, ReportCapacity, ReportInput, ReportSimulation } from './inputs.js';
import { buildJunit } from './junit.js';
import { buildMarkdown } from './markdown.js';
import { readResultFile } from './read-results.js';
import { summarizeVerdict, type Verdict } from './verdict.js';

export interface ReportFilesOptions {
  results: string[];
  /** Bundled scenario name or YAML path; default: the scenario named in the results, if bundled. */
  scenario?: string;
  out: string;
  markdown?: string;
  junit?: string;
  title?: string;
  /** ISO time to print in the report (default: now). */
  generatedAt?: string;
}

export interface ReportFilesResult {
  verdict: Verdict;
  htmlPath: string;
  markdownPath?: string;
  junitPath?: string;
  input: ReportInput;
}

/** Calibration rows for the load tests against the scenario's model (re-evaluated by the model). */
export async function calibrationFor(
  scenario: Scenario,
  model: ModelResultJson,
  loadTests: readonly LoadTestResult[],
  capacity?: ReportCapacity,
): Promise<CalibrationRow[]> {
  if (loadTests.length === 0) return [];
  const direct = capacity === undefined ? undefined : capacityFromFindCapacity(scenario, capacity, model);
  const [{ evaluateModel }, { applyOverrides }] = await Promise.all([
    import('../model/evaluate.js'),
    import('../scenarios/load.js'),
  ]);
  const evaluate = (overrides: string[]) =>
    evaluateModel(applyOverrides(scenario, overrides), { samples: 0, sensitivity: false });
  const rows: CalibrationRow[] = [];
  for (const test of loadTests) {
    const row = calibrateConnections(scenario, test, model, evaluate, direct);
    if (row !== undefined) {
      rows.push(row);
      break;
    }
  }
  return rows;
}

export function writeReportOutputs(
  html: string,
  input: ReportInput,
  paths: { out: string; markdown?: string; junit?: string },
): Omit<ReportFilesResult, 'verdict' | 'input'> {
  const write = (path: string, text: string): string => {
    const absolute = resolve(path);
    mkdirSync(dirname(absolute), { recursive: true });
    writeFileSync(absolute, text);
    return absolute;
  };
  return {
    htmlPath: write(paths.out, html),
    markdownPath: paths.markdown === undefined ? undefined : write(paths.markdown, buildMarkdown(input)),
    junitPath: paths.junit === undefined ? undefined : write(paths.junit, buildJunit(input)),
  };
}

export async function buildReportFiles(options: ReportFilesOptions): Promise<ReportFilesResult> {
  if (options.results.length === 0) {
    throw new CapsimError('E_NO_RESULTS', 'capsim report needs at least one results file', {
      exitCode: ExitCode.badInput,
      problems: [{ message: 'no results files', expected: 'capsim report results.json … --out report.html' }],
    });
  }
  const documents = options.results.map(readResultFile);
  const ready = documents.find((document) => document.kind === 'report-input');
  if (ready?.kind === 'report-input') {
    const input = { ...ready.input, generatedAt: ready.input.generatedAt ?? options.generatedAt };
    const html = await buildReport(input);
    return { verdict: summarizeVerdict(input).verdict, input, ...writeReportOutputs(html, input, options) };
  }
  const capacityResult = documents.find((document) => document.kind === 'capacity')?.capacity;
  const capacity = capacityResult ? adaptCapacity(capacityResult) : undefined;
  // Of a find-capacity run, the report shows the step that set the capacity (the last to pass).
  const capacityLoadTest = capacityResult ? capacityRun(capacityResult) : undefined;
  const loadTests = [
    ...(capacityLoadTest ? [capacityLoadTest] : []),
    ...documents.flatMap((document) => (document.kind === 'loadtest' ? [document.loadTest] : [])),
  ];
  let model = documents.find((document) => document.kind === 'model')?.model;
  const simulationResult = documents.find((document) => document.kind === 'simulation')?.simulation;
  const notes: string[] = [];

  const scenarioName =
    options.scenario ?? model?.scenario ?? loadTests[0]?.scenario.name ?? simulationResult?.scenario;
  let scenario: Scenario | undefined;
  if (scenarioName !== undefined) {
    const { loadScenario } = await import('../scenarios/load.js');
    try {
      scenario = await loadScenario(scenarioName);
    } catch (error) {
      // An explicit --scenario must load; a name taken from the results may be a scenario file we do not have.
      if (options.scenario !== undefined) throw error;
      notes.push(
        `Scenario "${scenarioName}" not found: no SLO, model or calibration beyond what the results carry (pass --scenario).`,
      );
    }
  }
  if (scenario !== undefined && model === undefined) {
    const { evaluateModel } = await import('../model/evaluate.js');
    model = evaluateModel(scenario);
  }
  const calibration =
    scenario !== undefined && model !== undefined
      ? await calibrationFor(scenario, model, loadTests, capacity)
      : [];
  if (scenario !== undefined && loadTests.length > 0 && calibration.length === 0) {
    notes.push(`Calibration skipped: ${calibrationSkipReason(scenario, loadTests[0])}.`);
  }
  const simulation: ReportSimulation | undefined = simulationResult
    ? adaptSimulation(simulationResult)
    : undefined;
  const input = assembleReportInput({
    scenario,
    model,
    simulation,
    loadTests,
    capacity,
    calibration,
    notes,
    title: options.title,
    generatedAt: options.generatedAt ?? new Date().toISOString(),
  });
  const html = await buildReport(input);
  return { verdict: summarizeVerdict(input).verdict, input, ...writeReportOutputs(html, input, options) };
}
