import type { Command } from 'commander';
import { CapsimError, ExitCode } from '../../common/errors.js';
import { action } from '../action.js';

export function register(program: Command): void {
  program
    .command('serve')
    .description('Start the reference chat server')
    .action(
      action(async () => {
        throw new CapsimError('E_NOT_IMPLEMENTED', '`capsim serve` is not implemented yet', {
          exitCode: ExitCode.runtimeFailure,
        });
      }),
    );
}
