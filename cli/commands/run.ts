import type { Command } from 'commander';
import { CapsimError } from '../../common/errors.js';
import { action } from '../action.js';

interface RunFlags {
  out?: string;
  duration?: string;
  simDuration?: string;
  replications?: string;
  slice?: string;
  users?: string;
  workers?: string;
  seed?: string;
  simulate?: boolean;
  loadtest?: boolean;
  dashboard?: boolean;
  check?: boolean;
}

function wholeNumber(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) {
    throw new CapsimError('E_BAD_FLAG', `${flag} must be a whole number`, {
      problems: [{ path: flag, message: 'not a whole number', expected: 'e.g. 3', found: text }],
    });
  }
  return value;
}

export function register(program: Command): void {
  program
    .command('run')
    .description(
      'Model, simulate, load-test the embedded server and write the HTML report (about two minutes)',
    )
    .argument('<scenario>', 'bundled scenario name (see `capsim scenarios`) or path to a scenario YAML')
    .option(
      '-o, --out <dir>',
      'folder for report.html, summary.md, junit.xml and the JSON results (default capsim-out/<scenario>)',
    )
    .option('--duration <time>', 'load-test sending time, e.g. 30s (default 60s)')
    .option('--sim-duration <seconds>', 'simulated seconds per replication (default: the pipeline’s own)')
    .option('--replications <n>', 'simulation replications (default 3)')
    .option(
      '--slice <i/K>',
      "load-test slice i of K of the scenario's load.fullScale (default: its own scaled plan)",
    )
    .option('--users <n>', 'override the number of virtual users')
    .option('--workers <n>', 'load-generator worker processes (default 1)')
    .option('--seed <n>', 'seed of the model’s Monte Carlo and the simulation (default 1)')
    .option('--no-simulate', 'skip the simulation')
    .option('--no-loadtest', 'skip the server and the load test (model and simulation only)')
    .option('--no-dashboard', 'plain progress lines even on a terminal')
    .option('--check', 'exit 1 when the verdict is NOT READY')
    .action(action(async (scenario: string, flags: RunFlags) => runCommand(scenario, flags)));
}

async function runCommand(scenario: string, flags: RunFlags): Promise<number> {
  const [{ runScenario }, { parseDurationMs }, { renderLiveLine }] = await Promise.all([
    import('../../reports/run.js'),
    import('../../loadgen/duration.js'),
    import('../../loadgen/outputs/plain.js'),
  ]);
  const loadDurationMs =
    flags.duration === undefined ? undefined : parseDurationMs(flags.duration, '--duration');
  const useDashboard = flags.dashboard !== false && process.stdout.isTTY === true && flags.loadtest !== false;
  // The ink dashboard (loaded only on a terminal) shows the load test live; it is stopped before any line is printed.
  const startDashboard = useDashboard
    ? (await import('../../loadgen/outputs/dashboard.js')).startDashboard
    : null;
  const live: {
    dashboard: { update(stats: import('../../loadgen/index.js').LiveStats): void; stop(): void } | null;
  } = { dashboard: null };
  const stopDashboard = () => {
    live.dashboard?.stop();
    live.dashboard = null;
  };
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
  try {
    const result = await runScenario({
      scenario,
      outDir: flags.out,
      loadDurationMs,
      simulationDurationS: wholeNumber(flags.simDuration, '--sim-duration'),
      simulationReplications: wholeNumber(flags.replications, '--replications'),
      slice: flags.slice,
      users: wholeNumber(flags.users, '--users'),
      workers: wholeNumber(flags.workers, '--workers'),
      seed: wholeNumber(flags.seed, '--seed'),
      skipSimulation: flags.simulate === false,
      skipLoadTest: flags.loadtest === false,
      signal: abort.signal,
      onStage: (line) => {
        stopDashboard();
        console.log(`[${elapsed()}] ${line}`);
      },
      onSimulationProgress: (done, total) => {
        if (!useDashboard) return;
        process.stdout.write(`\rsimulation: replication ${done}/${total}${done === total ? '\n' : ''}`);
      },
      onLive: (stats) => {
        if (startDashboard) {
          live.dashboard ??= startDashboard(`capsim run ${scenario}: load test`);
          live.dashboard.update(stats);
        } else if (stats.second % 5 === 0) {
          console.log(renderLiveLine(stats));
        }
      },
    });
    stopDashboard();
    for (const note of result.notes) console.log(`note: ${note}`);
    console.log(`verdict: ${result.verdict.toUpperCase()}`);
    console.log(`report: ${result.htmlPath}`);
    return flags.check && result.verdict === 'not ready' ? 1 : 0;
  } finally {
    stopDashboard();
    process.off('SIGINT', onSigint);
  }
}
