#!/usr/bin/env node
// Entry point: runs the compiled CLI (built by `npm install` through the `prepare` script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(compiled))) {
  console.error(
    'capsim: dist/ is missing; run `npm install` (or `npm run build`) in the capsim folder first.',
  );
  process.exit(2);
}
await import(compiled.href);
