/**
 * The JSON Schema of the scenario format (for editor completion and validation, e.g. the YAML language
 * server's `# yaml-language-server: $schema=./schema.json`), generated from the zod schema.
 * `npm run schema` rewrites scenarios/schema.json; a test fails when the committed file is stale.
 */
import { z } from 'zod';
import { scenarioSchema } from './schema.js';

export function scenarioJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(scenarioSchema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
    reused: 'ref',
  });
  return { ...schema, $id: 'https://capsim.dev/schemas/scenario.json', title: 'capsim scenario' };
}

/** The text of scenarios/schema.json. */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
