/**
 * Reads the JSON files given to `capsim report` and tells them apart: a load test (LOADGEN's versioned
 * results, validated by its schema), a model result (`capsim model --json`), a simulation result
 * (`capsim simulate --json`) or a ready-made report input.
 */
import { readFileSync } from 'node:fs';
import { CapsimError } from '../common/errors.js';
import { loadTestResultSchema, type LoadTestResult } from '../loadgen/outputs/result-schema.js';
import type { CapacityResult } from '../loadgen/find-capacity.js';
import type { SimulationResult } from '../model/sim/simulate-scenario.js';
import type { ModelResultJson } from './adapt-model.js';
import type { ReportInput } from './inputs.js';

export type ResultDocument =
  | { kind: 'loadtest'; file: string; loadTest: LoadTestResult }
  | { kind: 'capacity'; file: string; capacity: CapacityResult }
  | { kind: 'model'; file: string; model: ModelResultJson }
  | { kind: 'simulation'; file: string; simulation: SimulationResult }
  | { kind: 'report-input'; file: string; input: ReportInput };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function badResults(file: string, message: string, expected: string, found: string): CapsimError {
  return new CapsimError('E_BAD_RESULTS', `${file}: ${message}`, {
    problems: [{ file, message, expected, found }],
  });
}

export function classifyResult(json: unknown, file: string): ResultDocument {
  if (!isObject(json))
    throw badResults(
      file,
      'not a capsim results document',
      'a JSON object',
      Array.isArray(json) ? 'an array' : typeof json,
    );
  if (json.schema === 'capsim.loadtest') {
    const parsed = loadTestResultSchema.safeParse(json);
    if (!parsed.success) {
      throw new CapsimError(
        'E_BAD_RESULTS',
        `${file}: load-test results do not match their schema (version ${String(json.version)})`,
        {
          problems: parsed.error.issues
            .slice(0, 10)
            .map((problem) => ({ file, path: problem.path.join('.'), message: problem.message })),
        },
      );
    }
    return { kind: 'loadtest', file, loadTest: parsed.data };
  }
  if (json.schema === 'capsim.capacity' && Array.isArray(json.steps) && Array.isArray(json.results)) {
    const results = json.results.map((run, index) => {
      const parsed = classifyResult(run, `${file} (step ${index + 1})`);
      if (parsed.kind !== 'loadtest')
        throw badResults(
          file,
          'a find-capacity step is not a load-test result',
          'capsim.loadtest',
          parsed.kind,
        );
      return parsed.loadTest;
    });
    return { kind: 'capacity', file, capacity: { ...(json as unknown as CapacityResult), results } };
  }
  if (isObject(json.metrics) && Array.isArray(json.checks) && typeof json.scenario === 'string') {
    return { kind: 'model', file, model: json as unknown as ModelResultJson };
  }
  if (Array.isArray(json.stations) && isObject(json.slice) && isObject(json.slo)) {
    return { kind: 'simulation', file, simulation: json as unknown as SimulationResult };
  }
  if (isObject(json.scenario) && typeof json.scenario.name === 'string') {
    return { kind: 'report-input', file, input: json as unknown as ReportInput };
  }
  throw badResults(
    file,
    'not a capsim results document',
    '`capsim loadtest --out` results (or --find-capacity), `capsim model --json` or `capsim simulate --json` output',
    `an object with keys ${Object.keys(json).slice(0, 6).join(', ')}`,
  );
}

export function readResultFile(file: string): ResultDocument {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw badResults(
      file,
      'cannot read the file',
      'a readable JSON file',
      (error as NodeJS.ErrnoException).code ?? String(error),
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw badResults(file, 'not valid JSON', 'JSON', error instanceof Error ? error.message : String(error));
  }
  return classifyResult(json, file);
}
