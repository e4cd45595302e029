import type { Command } from 'commander';
import { action } from '../action.js';

export function register(program: Command): void {
  program
    .command('scenarios')
    .description('List the bundled scenarios')
    .option('--json', 'print the list as JSON')
    .action(
      action(async (flags: { json?: boolean }) => {
        const { listBundledScenarios } = await import('../../scenarios/list.js');
        const { alignColumns } = await import('../../model/render-text.js');
        const scenarios = listBundledScenarios();
        if (flags.json) console.log(JSON.stringify(scenarios, null, 2));
        else {
          const rows = scenarios.map((scenario) => [
            scenario.name,
            scenario.description ?? scenario.title ?? '',
          ]);
          console.log(alignColumns(rows).join('\n'));
        }
      }),
    );
}
