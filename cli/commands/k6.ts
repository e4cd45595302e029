import type { Command } from 'commander';
import { CapsimError, ExitCode } from '../../common/errors.js';
import { action } from '../action.js';

export function register(program: Command): void {
  program
    .command('k6')
    .description('Export a k6 script and k6-operator TestRun for a scenario')
    .action(
      action(async () => {
        throw new CapsimError('E_NOT_IMPLEMENTED', '`capsim k6` is not implemented yet', {
          exitCode: ExitCode.runtimeFailure,
        });
      }),
    );
}
