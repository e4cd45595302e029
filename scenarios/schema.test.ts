import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scenarioJsonSchemaText } from './schema-json.js';

describe('scenarios/schema.json', () => {
  it('is up to date with the zod schema (run `npm run schema` after changing scenarios/schema.ts)', () => {
    const committed = readFileSync(new URL('./schema.json', import.meta.url), 'utf8');
    expect(committed).toBe(scenarioJsonSchemaText());
  });

  it('rejects unknown fields so editors flag typos', () => {
    const schema = JSON.parse(scenarioJsonSchemaText()) as {
      additionalProperties?: boolean;
      required?: string[];
    };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'workload']));
  });
});
