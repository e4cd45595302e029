import type { Command } from 'commander';
import { action, collect } from '../action.js';
import { parseCount } from '../options.js';

interface ModelFlags {
  json?: boolean;
  set?: string[];
  sweep?: string;
  metric?: string[];
  sensitivity?: string[];
  check?: boolean;
  seed?: string;
  samples?: string;
  formulas?: boolean;
  html?: string;
}

export function register(program: Command): void {
  program
    .command('model')
    .description("Evaluate a scenario's analytic capacity model")
    .argument('<scenario>', 'bundled scenario name or YAML file')
    .option('--json', 'print the result as JSON')
    .option('--set <path=value>', 'override an input (repeatable), e.g. workload.peakFactor=4', collect, [])
    .option('--sweep <path=from..to:steps>', 'tabulate metrics across a range of one input')
    .option('--metric <id>', 'metric for --sweep (repeatable; default: the scenario summary)', collect, [])
    .option('--sensitivity <id>', 'rank inputs by their effect on this metric (repeatable)', collect, [])
    .option('--check', 'exit 1 when a check against the document fails')
    .option('--seed <n>', 'Monte Carlo seed', '1')
    .option('--samples <n>', 'Monte Carlo samples (0 turns percentiles off)', '10000')
    .option('--formulas', 'show each formula in the table')
    .option(
      '--html <file>',
      'also write a self-contained HTML report (model and simulation, no measurements)',
    )
    .action(
      action(async (scenarioName: string, flags: ModelFlags) => {
        const { runModelCommand } = await import('../model-command.js');
        const code = await runModelCommand(scenarioName, {
          json: flags.json === true,
          set: flags.set ?? [],
          sweep: flags.sweep,
          metrics: flags.metric ?? [],
          sensitivity: flags.sensitivity ?? [],
          check: flags.check === true,
          seed: parseCount(flags.seed ?? '1', '--seed'),
          samples: parseCount(flags.samples ?? '10000', '--samples'),
          formulas: flags.formulas === true,
        });
        if (flags.html !== undefined) {
          // REPORT's renderer, loaded only when asked for; the path goes to stderr so --json stays clean.
          const { writeModelReportFor } = await import('../../reports/model-report.js');
          const { htmlPath } = await writeModelReportFor(
            scenarioName,
            {
              set: flags.set ?? [],
              seed: parseCount(flags.seed ?? '1', '--seed'),
              samples: parseCount(flags.samples ?? '10000', '--samples'),
              sweep: flags.sweep,
              metrics: flags.metric ?? [],
              sensitivity: flags.sensitivity ?? [],
            },
            { out: flags.html },
          );
          console.error(`report: ${htmlPath}`);
        }
        return code;
      }),
    );
}
