/**
 * Wraps a command's action so that user mistakes print a clear message (no stack trace) and set the
 * documented exit code; unexpected failures print their stack and exit with ExitCode.runtimeFailure.
 */
import { CapsimError, ExitCode, formatError } from '../common/errors.js';

export function action<Args extends unknown[]>(
  handler: (...args: Args) => Promise<number | void>,
): (...args: Args) => Promise<void> {
  return async (...args: Args) => {
    try {
      const code = await handler(...args);
      if (typeof code === 'number') process.exitCode = code;
    } catch (error) {
      process.exitCode = reportError(error);
    }
  };
}

/** Prints an error for a terminal user and returns the exit code to use. */
export function reportError(error: unknown): number {
  if (error instanceof CapsimError) {
    console.error(formatError(error));
    return error.exitCode;
  }
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return ExitCode.runtimeFailure;
}

/** Parses a list-valued option (`--set a=1 --set b=2`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
