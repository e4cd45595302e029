/**
 * Puts a report's input together from the stages' results: the model (MODEL's JSON), the simulation,
 * any load tests (LOADGEN's results JSON) and the scenario they ran. The verdict table comes from the
 * first load test when there is one, else from the model's shortfalls (the document's own gap table).
 */
import type { LoadTestResult } from '../loadgen/outputs/result-schema.js';
import type { Scenario } from '../scenarios/schema.js';
import { adaptLoadTest } from './adapt-loadtest.js';
import { adaptModel, shortfallRows, type ModelResultJson } from './adapt-model.js';
import type { CalibrationRow, ReportCapacity, ReportInput, ReportSimulation } from './inputs.js';
import { loadTestRequirementRows } from './requirements.js';

export interface AssembleOptions {
  scenario?: Scenario;
  model?: ModelResultJson;
  simulation?: ReportSimulation;
  loadTests?: LoadTestResult[];
  capacity?: ReportCapacity;
  calibration?: CalibrationRow[];
  notes?: string[];
  generatedAt?: string;
  title?: string;
}

export function assembleReportInput(options: AssembleOptions): ReportInput {
  const { scenario, model, loadTests = [] } = options;
  const name = scenario?.name ?? model?.scenario ?? loadTests[0]?.scenario.name ?? 'scenario';
  const primary = loadTests[0];
  const requirements = primary
    ? loadTestRequirementRows(primary, { scenario, modelMetrics: model?.metrics })
    : model
      ? shortfallRows(model.metrics)
      : [];
  return {
    title: options.title,
    scenario: { name, source: scenario?.source, description: scenario?.title ?? scenario?.description },
    generatedAt: options.generatedAt,
    model: model ? adaptModel(model) : undefined,
    simulation: options.simulation,
    loadTests: loadTests.map(adaptLoadTest),
    capacity: options.capacity,
    requirements,
    calibration: options.calibration,
    notes: options.notes,
  };
}
