import type { Command } from 'commander';
import { CapsimError } from '../../common/errors.js';
import { action } from '../action.js';
import { parseCount } from '../options.js';

interface SimulateFlags {
  duration?: string;
  seed: string;
  replications: string;
  threads?: string;
  json?: boolean;
}

/** `60s`, `500ms`, `5m`, `1h`, `2d` or a bare number of seconds → seconds. */
export function parseDurationSeconds(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  const unitSeconds: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };
  const seconds = match === null ? NaN : Number(match[1]) * (unitSeconds[match[2] ?? 's'] ?? NaN);
  if (!(seconds > 0)) {
    throw new CapsimError('E_BAD_OPTION', '--duration: not a positive duration', {
      problems: [
        {
          path: '--duration',
          message: 'not a positive duration',
          expected: 'e.g. 60s, 500ms, 5m, 1h',
          found: text,
        },
      ],
    });
  }
  return seconds;
}

export function register(program: Command): void {
  program
    .command('simulate')
    .description("Run the discrete-event simulation of a scenario's pipeline (exit 1 when its SLO fails)")
    .argument('<scenario>', 'bundled scenario name or YAML file')
    .option(
      '--duration <time>',
      "simulated time per replication, e.g. 60s, 5m (default: the pipeline's durationS)",
    )
    .option('--seed <n>', 'random seed (same seed → identical JSON)', '1')
    .option('--replications <n>', 'independent replications for the confidence intervals', '5')
    .option('--threads <n>', 'worker threads (default: one per core)')
    .option('--json', 'print the result as JSON')
    .action(
      action(async (scenarioName: string, flags: SimulateFlags) => {
        const { runSimulateCommand } = await import('../../model/sim/simulate-command.js');
        return runSimulateCommand(scenarioName, {
          json: flags.json === true,
          durationS: flags.duration === undefined ? undefined : parseDurationSeconds(flags.duration),
          seed: parseCount(flags.seed, '--seed'),
          replications: Math.max(2, parseCount(flags.replications, '--replications')),
          threads:
            flags.threads === undefined ? undefined : Math.max(1, parseCount(flags.threads, '--threads')),
        });
      }),
    );
}
