import type { Command } from 'commander';
import { CapsimError, ExitCode } from '../../common/errors.js';
import { action } from '../action.js';

export function register(program: Command): void {
  program
    .command('simulate')
    .description("Run the discrete-event simulation of a scenario's pipeline")
    .action(
      action(async () => {
        throw new CapsimError('E_NOT_IMPLEMENTED', '`capsim simulate` is not implemented yet', {
          exitCode: ExitCode.runtimeFailure,
        });
      }),
    );
}
