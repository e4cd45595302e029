/** Regenerates loadgen/outputs/loadtest-result.schema.json from the zod schema. */
import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { loadTestResultSchema } from './result-schema.js';

export function resultJsonSchema(): string {
  return `${JSON.stringify({ $id: 'https://capsim.dev/schemas/loadtest-result.v1.json', ...z.toJSONSchema(loadTestResultSchema) }, null, 2)}\n`;
}

if (process.argv[1]?.endsWith('write-schema.ts')) {
  writeFileSync(new URL('./loadtest-result.schema.json', import.meta.url), resultJsonSchema());
}
