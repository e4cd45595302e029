import type { Command } from 'commander';
import { CapsimError } from '../../common/errors.js';
import { action } from '../action.js';

export function register(program: Command): void {
  program
    .command('validate')
    .description('Validate a scenario file (or the simulator with --sim)')
    .argument('[file]', 'scenario YAML file or bundled name')
    .option('--sim', 'validate the discrete-event simulator against closed-form queueing results')
    .option('--json', 'with --sim: print the cases as JSON')
    .action(
      action(async (file: string | undefined, flags: { sim?: boolean; json?: boolean }) => {
        if (flags.sim) {
          const { runSimValidationCommand } = await import('../../model/sim/validate-command.js');
          return runSimValidationCommand({ json: flags.json === true });
        }
        if (file === undefined) {
          throw new CapsimError('E_BAD_OPTION', 'validate: name a scenario file, or pass --sim', {
            problems: [
              {
                message: 'missing argument',
                expected: 'capsim validate <file> or capsim validate --sim',
                found: 'nothing',
              },
            ],
          });
        }
        const { validateScenarioFile } = await import('../validate-command.js');
        console.log(await validateScenarioFile(file));
        return 0;
      }),
    );
}
