import type { Command } from 'commander';
import { CapsimError, ExitCode } from '../../common/errors.js';
import { action } from '../action.js';

export function register(program: Command): void {
  program
    .command('plan')
    .description('Compute the load-generator and server fleet for a scenario')
    .action(
      action(async () => {
        throw new CapsimError('E_NOT_IMPLEMENTED', '`capsim plan` is not implemented yet', {
          exitCode: ExitCode.runtimeFailure,
        });
      }),
    );
}
