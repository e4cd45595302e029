import type { Command } from 'commander';
import { CapsimError, ExitCode } from '../../common/errors.js';
import { action } from '../action.js';

export function register(program: Command): void {
  program
    .command('validate')
    .description('Validate a scenario file (or the simulator with --sim)')
    .action(
      action(async () => {
        throw new CapsimError('E_NOT_IMPLEMENTED', '`capsim validate` is not implemented yet', {
          exitCode: ExitCode.runtimeFailure,
        });
      }),
    );
}
