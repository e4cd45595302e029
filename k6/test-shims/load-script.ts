/**
 * TEST DOUBLE loader: imports a generated k6 script (the exact JavaScript of `script.js`) with its
 * `k6/…` imports pointed at the shims in this folder, so tests can call its `setup`, default function
 * and `handleSummary` in Node. Only the import specifiers are rewritten; the script text is untouched.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const shimDir = dirname(fileURLToPath(import.meta.url));

/** The k6 modules implemented here, by import specifier. */
export const shimModules: Record<string, string> = {
  'k6/http': 'http.ts',
  'k6/execution': 'execution.ts',
  'k6/websockets': 'websockets.ts',
  'k6/metrics': 'metrics.ts',
  'k6/timers': 'timers.ts',
  'k6/crypto': 'crypto.ts',
  'k6/encoding': 'encoding.ts',
};

export interface LoadedK6Script {
  options: unknown;
  setup?: () => unknown;
  default: (data: unknown) => void;
  handleSummary?: (data: unknown) => Record<string, string>;
  /** Other exported functions a scenario's `exec` may name. */
  [exec: string]: unknown;
}

/** Rewrites `from 'k6/x'` to the shim's file URL; throws on a k6 module the shims do not implement. */
export function rewriteK6Imports(javascript: string): string {
  return javascript.replace(
    /from\s+(['"])(k6(?:\/[\w/-]+)?)\1/g,
    (_match, _quote: string, specifier: string) => {
      const file = shimModules[specifier];
      if (!file)
        throw new Error(`k6 shim: the script imports ${specifier}, which k6/test-shims does not implement`);
      return `from '${pathToFileURL(join(shimDir, file)).href}'`;
    },
  );
}

export async function loadK6Script(javascript: string): Promise<LoadedK6Script> {
  const dir = mkdtempSync(join(tmpdir(), 'capsim-k6-'));
  const file = join(dir, 'script.mjs');
  writeFileSync(file, rewriteK6Imports(javascript));
  try {
    return (await import(pathToFileURL(file).href)) as LoadedK6Script;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
