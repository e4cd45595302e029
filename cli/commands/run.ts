import type { Command } from 'commander';
import { CapsimError, ExitCode } from '../../common/errors.js';
import { action } from '../action.js';

export function register(program: Command): void {
  program
    .command('run')
    .description('Model, simulate, load-test and report a scenario end to end')
    .action(
      action(async () => {
        throw new CapsimError('E_NOT_IMPLEMENTED', '`capsim run` is not implemented yet', {
          exitCode: ExitCode.runtimeFailure,
        });
      }),
    );
}
