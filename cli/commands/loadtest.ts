import type { Command } from 'commander';
import { CapsimError, ExitCode } from '../../common/errors.js';
import { action } from '../action.js';

export function register(program: Command): void {
  program
    .command('loadtest')
    .description("Drive a scenario's load against a server")
    .action(
      action(async () => {
        throw new CapsimError('E_NOT_IMPLEMENTED', '`capsim loadtest` is not implemented yet', {
          exitCode: ExitCode.runtimeFailure,
        });
      }),
    );
}
