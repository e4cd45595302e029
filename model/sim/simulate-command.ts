/**
 * `capsim simulate <scenario>`: loads the scenario, runs the simulation with a progress display
 * (an ink bar on a TTY, plain lines otherwise, both on stderr so --json stays clean) and prints the
 * result. Exit code 1 when the SLO verdict is "fail", 0 otherwise.
 */
import { ExitCode, CapsimError } from '../../common/errors.js';
import { simulateScenario, type SimulationResult } from './simulate-scenario.js';
import { closeWorkerPool } from './worker-pool.js';

export interface SimulateCommandOptions {
  json: boolean;
  durationS?: number;
  seed: number;
  replications: number;
  threads?: number;
}

interface Progress {
  update(done: number, total: number): void;
  finish(): void;
}

async function inkProgress(label: string, total: number): Promise<Progress> {
  const [{ render, Text }, React] = await Promise.all([import('ink'), import('react')]);
  const bar = (done: number, total: number) => {
    const width = 30;
    const filled = total === 0 ? 0 : Math.round((done / total) * width);
    return React.createElement(
      Text,
      null,
      `${label} [${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done}/${total} replications`,
    );
  };
  const instance = render(bar(0, total), { stdout: process.stderr, patchConsole: false });
  return {
    update: (done, total) => instance.rerender(bar(done, total)),
    finish: () => instance.unmount(),
  };
}

function plainProgress(label: string): Progress {
  return {
    update: (done, total) => process.stderr.write(`${label}: replication ${done}/${total} done\n`),
    finish: () => undefined,
  };
}

export async function runSimulateCommand(
  scenarioName: string,
  options: SimulateCommandOptions,
): Promise<number> {
  const { loadScenario } = await import('../../scenarios/load.js');
  const scenario = await loadScenario(scenarioName);
  const label = `simulating ${scenario.name}`;
  // ink needs a real terminal width; pipes, CI logs and zero-size ptys get plain lines.
  const interactive = process.stderr.isTTY === true && (process.stderr.columns ?? 0) > 0;
  const progress = interactive ? await inkProgress(label, options.replications) : plainProgress(label);
  let result: SimulationResult;
  try {
    result = await simulateScenario(scenario, {
      durationS: options.durationS,
      seed: options.seed,
      replications: options.replications,
      threads: options.threads,
      onProgress: (done, total) => progress.update(done, total),
    });
  } catch (error) {
    if (error instanceof CapsimError) {
      const { locateProblems } = await import('../../cli/model-command.js');
      throw locateProblems(error, scenario);
    }
    throw error;
  } finally {
    progress.finish();
    await closeWorkerPool();
  }
  if (options.json) console.log(JSON.stringify(result, null, 2));
  else {
    const { renderSimulationText } = await import('./render-simulation.js');
    console.log(renderSimulationText(result));
  }
  return result.slo.verdict === 'fail' ? ExitCode.checkFailed : ExitCode.ok;
}
