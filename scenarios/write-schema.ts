/** `npm run schema`: writes scenarios/schema.json from the zod schema. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { scenarioJsonSchemaText } from './schema-json.js';

const target = fileURLToPath(
  new URL('./schema.json', import.meta.url).href.replace('/dist/scenarios/', '/scenarios/'),
);
writeFileSync(target, scenarioJsonSchemaText());
console.log(`wrote ${target}`);
