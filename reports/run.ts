/**
 * `capsim run <scenario>`: the main job as a library function. Model → simulation → the embedded
 * reference server (ephemeral port, temporary data directory) → a scaled load-test slice against it →
 * the report. Each stage that cannot run (no pipeline, server or load generator failure) is skipped
 * with a note in the report instead of failing the whole run; only bad input throws.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CapsimError } from '../common/errors.js';
import type { LiveStats, LoadTestResult } from '../loadgen/index.js';
import type { SimulationResult } from '../model/sim/simulate-scenario.js';
import type { ModelResultJson } from './adapt-model.js';
import { adaptSimulation } from './adapt-simulation.js';
import { assembleReportInput } from './assemble.js';
import { buildReport } from './build.js';
import { calibrationSkipReason } from './calibrate.js';
import { calibrationFor, writeReportOutputs } from './report-files.js';
import { summarizeVerdict, type Verdict } from './verdict.js';

export interface RunOptions {
  /** Bundled scenario name or YAML path. */
  scenario: string;
  /** Folder for report.html, summary.md, junit.xml and each stage's JSON (default capsim-out/<scenario>). */
  outDir?: string;
  /** Load-test sending time (default 60 s, so the whole run stays near two minutes). */
  loadDurationMs?: number;
  /** Simulated seconds per replication (default: the pipeline's own). */
  simulationDurationS?: number;
  simulationReplications?: number;
  /** Load-test slice `i/K` of the scenario's load.fullScale (default: the scenario's own scaled plan). */
  slice?: string;
  users?: number;
  workers?: number;
  skipSimulation?: boolean;
  skipLoadTest?: boolean;
  seed?: number;
  /** Progress lines ("model: 90 metrics, 46/46 checks pass"). */
  onStage?(line: string): void;
  /** Live load-test figures, once a second (the CLI's dashboard). */
  onLive?(stats: LiveStats): void;
  onSimulationProgress?(done: number, total: number): void;
  signal?: AbortSignal;
}

export interface RunResult {
  verdict: Verdict;
  outDir: string;
  htmlPath: string;
  markdownPath?: string;
  junitPath?: string;
  notes: string[];
  /** Which stages produced results. */
  stages: { model: boolean; simulation: boolean; loadTest: boolean };
}

const defaultLoadDurationMs = 60_000;

function writeJson(dir: string, name: string, value: unknown): void {
  writeFileSync(join(dir, name), `${JSON.stringify(value, null, 2)}\n`);
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function runScenario(options: RunOptions): Promise<RunResult> {
  const log = options.onStage ?? (() => undefined);
  const [{ loadScenario }, { evaluateModel }] = await Promise.all([
    import('../scenarios/load.js'),
    import('../model/evaluate.js'),
  ]);
  const scenario = await loadScenario(options.scenario);
  const outDir = resolve(options.outDir ?? join('capsim-out', scenario.name));
  mkdirSync(outDir, { recursive: true });
  const notes: string[] = [];

  // 1. The analytic model (with Monte Carlo percentiles and the sensitivity ranking).
  const model: ModelResultJson = evaluateModel(scenario, { seed: options.seed });
  writeJson(outDir, 'model.json', model);
  const passedChecks = model.checks.filter((check) => check.pass).length;
  log(
    `model: ${Object.keys(model.metrics).length} metrics, ${passedChecks}/${model.checks.length} document checks pass`,
  );

  // 2. The discrete-event simulation of the scenario's pipeline.
  let simulation: SimulationResult | undefined;
  if (options.skipSimulation) notes.push('Simulation skipped (--no-simulate).');
  else if (scenario.pipeline === undefined)
    notes.push(`Simulation skipped: scenario "${scenario.name}" has no pipeline: section.`);
  else {
    try {
      const { simulateScenario } = await import('../model/sim/simulate-scenario.js');
      simulation = await simulateScenario(scenario, {
        durationS: options.simulationDurationS,
        replications: options.simulationReplications ?? 3,
        seed: options.seed ?? 1,
        onProgress: options.onSimulationProgress,
      });
      writeJson(outDir, 'simulation.json', simulation);
      log(
        `simulation: ${simulation.stations.length} stations, ${simulation.replications} replications, SLO ${simulation.slo.verdict}`,
      );
    } catch (error) {
      if (error instanceof CapsimError && error.exitCode === 2) throw error;
      notes.push(`Simulation failed and was skipped: ${reason(error)}`);
      log(`simulation: skipped (${reason(error)})`);
    }
  }

  // 3 + 4. The embedded reference server and a scaled load-test slice against it.
  let loadTest: LoadTestResult | undefined;
  if (options.skipLoadTest) notes.push('Load test skipped (--no-loadtest): model and simulation only.');
  else {
    loadTest = await runLoadStage(scenario, options, notes, log);
    if (loadTest) writeJson(outDir, 'loadtest.json', loadTest);
  }

  // 5. The report.
  const calibration = loadTest ? await calibrationFor(scenario, model, [loadTest]) : [];
  if (loadTest && calibration.length === 0) {
    notes.push(`Calibration skipped: ${calibrationSkipReason(scenario, loadTest)}.`);
  }
  const input = assembleReportInput({
    scenario,
    model,
    simulation: simulation ? adaptSimulation(simulation) : undefined,
    loadTests: loadTest ? [loadTest] : [],
    calibration,
    notes,
    generatedAt: new Date().toISOString(),
  });
  const html = await buildReport(input);
  const written = writeReportOutputs(html, input, {
    out: join(outDir, 'report.html'),
    markdown: join(outDir, 'summary.md'),
    junit: join(outDir, 'junit.xml'),
  });
  const verdict = summarizeVerdict(input).verdict;
  log(`report: ${written.htmlPath} (${(Buffer.byteLength(html) / 2 ** 20).toFixed(2)} MiB)`);
  return {
    verdict,
    outDir,
    ...written,
    notes,
    stages: { model: true, simulation: simulation !== undefined, loadTest: loadTest !== undefined },
  };
}

async function runLoadStage(
  scenario: Awaited<ReturnType<typeof import('../scenarios/load.js').loadScenario>>,
  options: RunOptions,
  notes: string[],
  log: (line: string) => void,
): Promise<LoadTestResult | undefined> {
  let server: { wsUrl: string; close(): Promise<void> } | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'capsim-run-'));
  try {
    const [{ startServerProcess }, { runLoadTest }] = await Promise.all([
      import('./server-child.js'),
      import('../loadgen/index.js'),
    ]);
    // Its own process: the server's /metrics CPU and memory must not include the load generator's.
    server = await startServerProcess({ port: 0, host: '127.0.0.1', dataDir, profile: 'loadtest' });
    log(`server: embedded reference server on ${server.wsUrl} (separate process)`);
    const durationMs = options.loadDurationMs ?? defaultLoadDurationMs;
    const result = await runLoadTest(scenario, {
      target: server.wsUrl,
      durationMs,
      slice: options.slice,
      users: options.users,
      workers: options.workers ?? 1,
      onLive: options.onLive,
      signal: options.signal,
    });
    log(
      `load test: ${result.summary.connections.maxOpen}/${result.summary.connections.target} connections, ` +
        `${result.summary.messages.acked} messages ACKed, lost ${result.checker.lost}, thresholds ${result.passed ? 'pass' : 'FAIL'}`,
    );
    if (result.summary.connections.maxOpen === 0)
      notes.push('The load test opened no connection: its figures are not a measurement of the server.');
    return result;
  } catch (error) {
    if (error instanceof CapsimError && error.exitCode === 2) throw error;
    notes.push(`Load test failed and was skipped: ${reason(error)}`);
    log(`load test: skipped (${reason(error)})`);
    return undefined;
  } finally {
    const closing = Date.now();
    await server?.close().catch(() => undefined);
    if (server) log(`server: stopped in ${((Date.now() - closing) / 1000).toFixed(1)} s`);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
