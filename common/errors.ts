/**
 * User-facing errors. Every error a user can cause carries a stable code, a message that says what was
 * expected and what was found, and optional per-problem details (file, line, column, field path).
 * The CLI prints these without stack traces and exits with `exitCode`.
 */

/** Process exit codes, documented in README.md ("Exit codes"). */
export const ExitCode = {
  ok: 0,
  /** A check, threshold or SLO failed (the run itself worked). */
  checkFailed: 1,
  /** Bad input: unreadable file, malformed YAML, schema violation, bad flag. */
  badInput: 2,
  /** The run could not complete (target unreachable, internal failure). */
  runtimeFailure: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** One problem in a user's input, located as precisely as we can. */
export interface InputProblem {
  file?: string;
  line?: number;
  column?: number;
  /** Dotted field path, e.g. `workload.dailyActiveUsers`. */
  path?: string;
  message: string;
  expected?: string;
  found?: string;
}

export class CapsimError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly problems: InputProblem[];

  constructor(
    code: string,
    message: string,
    options: { exitCode?: ExitCode; problems?: InputProblem[] } = {},
  ) {
    super(message);
    this.name = 'CapsimError';
    this.code = code;
    this.exitCode = options.exitCode ?? ExitCode.badInput;
    this.problems = options.problems ?? [];
  }
}

/** Renders one problem as `file:line:col: path: message (expected …, found …)`. */
export function formatProblem(problem: InputProblem): string {
  const location = [problem.file, problem.line, problem.column]
    .filter((part) => part !== undefined)
    .join(':');
  const head = [location, problem.path].filter((part) => part !== undefined && part !== '').join(': ');
  const tail: string[] = [];
  if (problem.expected !== undefined) tail.push(`expected ${problem.expected}`);
  if (problem.found !== undefined) tail.push(`found ${problem.found}`);
  const suffix = tail.length > 0 ? ` (${tail.join(', ')})` : '';
  return `${head === '' ? '' : `${head}: `}${problem.message}${suffix}`;
}

/** Renders a CapsimError for a terminal: code, message, then one line per problem. */
export function formatError(error: CapsimError): string {
  const lines = [`error ${error.code}: ${error.message}`];
  for (const problem of error.problems) lines.push(`  - ${formatProblem(problem)}`);
  return lines.join('\n');
}
