import { describe, expect, it } from 'vitest';
import { CapsimError, ExitCode, formatError, formatProblem } from './errors.js';

describe('formatProblem', () => {
  it('puts location, path, message, expected and found on one line', () => {
    expect(
      formatProblem({
        file: 'a.yaml',
        line: 3,
        column: 5,
        path: 'workload.dailyActiveUsers',
        message: 'must be positive',
        expected: 'a number > 0',
        found: '-1',
      }),
    ).toBe('a.yaml:3:5: workload.dailyActiveUsers: must be positive (expected a number > 0, found -1)');
  });

  it('omits what is unknown', () => {
    expect(formatProblem({ message: 'bad' })).toBe('bad');
  });
});

describe('CapsimError', () => {
  it('defaults to the bad-input exit code and lists every problem', () => {
    const error = new CapsimError('E_SCHEMA', 'invalid scenario', {
      problems: [{ message: 'one' }, { message: 'two' }],
    });
    expect(error.exitCode).toBe(ExitCode.badInput);
    expect(formatError(error)).toBe('error E_SCHEMA: invalid scenario\n  - one\n  - two');
  });
});
