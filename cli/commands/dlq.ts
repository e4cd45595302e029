import type { Command } from 'commander';
import { CapsimError, ExitCode } from '../../common/errors.js';
import { action } from '../action.js';

export function register(program: Command): void {
  program
    .command('dlq')
    .description("List or replay the reference server's dead-letter queue")
    .action(
      action(async () => {
        throw new CapsimError('E_NOT_IMPLEMENTED', '`capsim dlq` is not implemented yet', {
          exitCode: ExitCode.runtimeFailure,
        });
      }),
    );
}
