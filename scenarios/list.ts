/** The bundled scenarios with their one-line descriptions (for `capsim scenarios`). */
import { bundledScenarioNames } from './bundled.js';
import { loadScenarioSync } from './load.js';

export interface ScenarioSummary {
  name: string;
  title?: string;
  description?: string;
  source?: string;
  checks: number;
}

export function listBundledScenarios(): ScenarioSummary[] {
  return bundledScenarioNames().map((name) => {
    const scenario = loadScenarioSync(name);
    return {
      name,
      title: scenario.title,
      description: scenario.description,
      source: scenario.source,
      checks: scenario.expect?.length ?? 0,
    };
  });
}
