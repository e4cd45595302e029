import type { Command } from 'commander';
import { CapsimError, ExitCode } from '../../common/errors.js';
import { action } from '../action.js';

export function register(program: Command): void {
  program
    .command('worker')
    .description('Join a load-test coordinator as a worker')
    .action(
      action(async () => {
        throw new CapsimError('E_NOT_IMPLEMENTED', '`capsim worker` is not implemented yet', {
          exitCode: ExitCode.runtimeFailure,
        });
      }),
    );
}
