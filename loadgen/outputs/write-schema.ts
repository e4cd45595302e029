/** Regenerates loadgen/outputs/loadtest-result.schema.json from the zod schema (`npx tsx loadgen/outputs/write-schema.ts`). */
import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { loadTestResultSchema } from './result-schema.js';

export function resultJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://capsim.dev/schemas/loadtest-result.v1.json',
    ...z.toJSONSchema(loadTestResultSchema),
  };
}

if (process.argv[1]?.endsWith('write-schema.ts')) {
  const { format, resolveConfig } = await import('prettier');
  const file = new URL('./loadtest-result.schema.json', import.meta.url);
  const config = (await resolveConfig(file)) ?? {};
  writeFileSync(file, await format(JSON.stringify(resultJsonSchema()), { ...config, parser: 'json' }));
}
