/**
 * Starts a Node child process running one of capsim's own modules, whether we run from compiled
 * JavaScript (dist/) or from TypeScript sources (tests, `npm run bench`): a `.ts` module is run
 * through tsx's loader, a `.js` one directly.
 */
import { fork, type ChildProcess, type ForkOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Resolves `relative` (written without extension, e.g. `./worker`) against `base` (pass
 * `import.meta.url`) to the sibling `.js` or `.ts` file that exists.
 */
export function resolveSiblingModule(base: string, relative: string): string {
  for (const extension of ['.js', '.ts']) {
    const candidate = fileURLToPath(new URL(`${relative}${extension}`, base));
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`module ${relative} not found next to ${fileURLToPath(base)}`);
}

/** Forks `modulePath` with an IPC channel; adds tsx's loader for TypeScript sources. */
export function forkModule(modulePath: string, args: string[] = [], options: ForkOptions = {}): ChildProcess {
  const execArgv = modulePath.endsWith('.ts') ? ['--import', 'tsx'] : [];
  return fork(modulePath, args, { ...options, execArgv: [...execArgv, ...(options.execArgv ?? [])] });
}
