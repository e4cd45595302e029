import type { Command } from 'commander';
import { CapsimError, ExitCode } from '../../common/errors.js';
import { action } from '../action.js';

export function register(program: Command): void {
  program
    .command('report')
    .description('Build an HTML report from results')
    .action(
      action(async () => {
        throw new CapsimError('E_NOT_IMPLEMENTED', '`capsim report` is not implemented yet', {
          exitCode: ExitCode.runtimeFailure,
        });
      }),
    );
}
