import type { Command } from 'commander';
import { CapsimError, ExitCode } from '../../common/errors.js';
import { action } from '../action.js';

export function register(program: Command): void {
  program
    .command('model')
    .description("Evaluate a scenario's analytic capacity model")
    .action(
      action(async () => {
        throw new CapsimError('E_NOT_IMPLEMENTED', '`capsim model` is not implemented yet', {
          exitCode: ExitCode.runtimeFailure,
        });
      }),
    );
}
