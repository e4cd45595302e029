/**
 * `capsim validate <file>`: the scenario loads (YAML, extends, schema) and the model can evaluate it
 * (every metric it names exists). Checks against the document are not run here (`capsim model --check`).
 */
import { loadScenario } from '../scenarios/load.js';
import { evaluateLoaded } from './model-command.js';

export async function validateScenarioFile(file: string): Promise<string> {
  const scenario = await loadScenario(file);
  const result = evaluateLoaded(scenario, { seed: 1, samples: 0, metrics: [], sensitivity: [] });
  const metrics = Object.keys(result.metrics).length;
  return `ok: ${file} is a valid scenario (${scenario.name}: ${metrics} metrics, ${result.checks.length} checks)`;
}
