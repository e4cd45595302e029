/**
 * Bundled scenarios: scenarios/<name>.yaml in the capsim package. Found from this module's location,
 * whether it runs as TypeScript (scenarios/bundled.ts) or compiled (dist/scenarios/bundled.js).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding the bundled YAML files. */
export function bundledScenarioDir(): string {
  const candidates = [new URL('./', import.meta.url), new URL('../../scenarios/', import.meta.url)];
  for (const candidate of candidates) {
    const dir = fileURLToPath(candidate);
    if (existsSync(join(dir, 'whatsapp-agent-backend.yaml'))) return dir;
  }
  return fileURLToPath(candidates[0]);
}

/** Names of the bundled scenarios, sorted. */
export function bundledScenarioNames(): string[] {
  const dir = bundledScenarioDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => file.slice(0, -'.yaml'.length))
    .sort();
}

/** Path of a bundled scenario, or undefined when there is none of that name. */
export function bundledScenarioPath(name: string): string | undefined {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) return undefined;
  const file = join(bundledScenarioDir(), `${name}.yaml`);
  return existsSync(file) ? file : undefined;
}
