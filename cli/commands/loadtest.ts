import type { Command } from 'commander';
import { CapsimError, ExitCode } from '../../common/errors.js';
import { action } from '../action.js';

interface LoadtestFlags {
  target?: string;
  duration?: string;
  workers?: string;
  out?: string;
  slice?: string;
  findCapacity?: boolean | string;
  users?: string;
  adapter?: string;
  tokenSecret?: string;
  sourceAddresses?: string;
  listen?: string;
  expectWorkers?: string;
  dashboard?: boolean;
  metrics?: boolean;
}

export function register(program: Command): void {
  program
    .command('loadtest')
    .description("Drive a scenario's load against a server; exit 1 when a threshold fails")
    .argument('<scenario>', 'bundled scenario name or path to a scenario YAML')
    .requiredOption(
      '--target <url>',
      'WebSocket URL of the server, e.g. ws://127.0.0.1:8080; several comma-separated URLs spread users over a cluster',
    )
    .option('--duration <time>', 'sending time (holds stretch to fit), e.g. 30s')
    .option('--workers <n>', 'local worker processes (default: one per core, at most one per 50 users)')
    .option('--out <file>', 'write the results JSON here')
    .option('--slice <i/K>', 'run slice i of K of the full-scale scenario (load.fullScale)')
    .option(
      '--find-capacity [mode]',
      'step the load up until a threshold fails (mode: messages | connections)',
    )
    .option('--users <n>', 'override the number of virtual users')
    .option(
      '--adapter <name>',
      "protocol adapter: 'reference' or a module path (see loadgen/ADAPTERS.md)",
      'reference',
    )
    .option('--token-secret <secret>', 'shared secret for minting tokens', 'capsim-dev-secret')
    .option(
      '--source-addresses <list>',
      'local source addresses for client sockets: 127.0.0.2-127.0.0.9 or a,b,c',
    )
    .option('--listen <host:port>', 'coordinate remote workers (`capsim worker --join`) on this address')
    .option('--expect-workers <n>', 'remote workers to wait for with --listen', '1')
    .option('--no-dashboard', 'plain lines even on a terminal')
    .option('--no-metrics', "do not scrape the target's /metrics")
    .action(
      action(async (scenarioRef: string, flags: LoadtestFlags) => runLoadtestCommand(scenarioRef, flags)),
    );
}

async function runLoadtestCommand(scenarioRef: string, flags: LoadtestFlags): Promise<number> {
  const [
    { loadScenario },
    loadgen,
    { parseDurationMs },
    { renderLiveLine, renderSummary },
    { parseSourceAddresses, defaultWorkerCount },
    { writeFile },
  ] = await Promise.all([
    import('../../scenarios/load.js'),
    import('../../loadgen/index.js'),
    import('../../loadgen/duration.js'),
    import('../../loadgen/outputs/plain.js'),
    import('../../loadgen/source-addresses.js'),
    import('node:fs/promises'),
  ]);
  const scenario = await loadScenario(scenarioRef);
  const positiveInt = (text: string | undefined, flag: string) => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 0) {
      throw new CapsimError('E_BAD_FLAG', `${flag} must be a whole number`, {
        problems: [{ path: flag, message: 'not a whole number', expected: 'e.g. 4', found: text }],
      });
    }
    return value;
  };
  const durationMs = flags.duration !== undefined ? parseDurationMs(flags.duration, '--duration') : undefined;
  const users = positiveInt(flags.users, '--users');
  const sourceAddresses = flags.sourceAddresses ? parseSourceAddresses(flags.sourceAddresses) : undefined;
  const remoteWorkers = flags.listen
    ? await acceptWorkers(flags.listen, positiveInt(flags.expectWorkers, '--expect-workers') ?? 1)
    : undefined;
  const workers =
    positiveInt(flags.workers, '--workers') ??
    (remoteWorkers ? 0 : defaultWorkerCount(users ?? loadgen.resolveLoadUsers(scenario)));
  const title = `capsim loadtest ${scenario.name}`;
  const dashboard =
    flags.dashboard !== false && process.stdout.isTTY
      ? (await import('../../loadgen/outputs/dashboard.js')).startDashboard(title)
      : null;
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  const options = {
    target: flags.target as string,
    durationMs,
    users,
    workers,
    remoteWorkers,
    slice: flags.slice,
    adapter: flags.adapter,
    tokenSecret: flags.tokenSecret,
    sourceAddresses,
    scrapeMetrics: flags.metrics !== false,
    signal: abort.signal,
    onLive: (
      stats: Parameters<NonNullable<import('../../loadgen/index.js').LoadTestOptions['onLive']>>[0],
    ) => {
      if (dashboard) dashboard.update(stats);
      else console.log(renderLiveLine(stats));
    },
  };
  try {
    if (flags.findCapacity !== undefined && flags.findCapacity !== false) {
      const { findCapacity, renderCapacityTable } = await import('../../loadgen/find-capacity.js');
      const mode = flags.findCapacity === 'connections' ? 'connections' : 'messages';
      const capacity = await findCapacity(scenario, options, { mode, stepDurationMs: durationMs ?? 10_000 });
      dashboard?.stop();
      console.log(renderCapacityTable(capacity));
      if (flags.out) await writeFile(flags.out, `${JSON.stringify(capacity, null, 2)}\n`);
      return capacity.maxSustainableMessagesPerSecond === null ? ExitCode.checkFailed : ExitCode.ok;
    }
    const result = await loadgen.runLoadTest(scenario, options);
    if (dashboard) {
      dashboard.stop();
      process.stdout.write('\n');
    }
    console.log(renderSummary(result));
    if (flags.out) {
      await writeFile(flags.out, `${JSON.stringify(result, null, 2)}\n`);
      console.log(`results written to ${flags.out}`);
    }
    if (result.summary.connections.maxOpen === 0) {
      throw new CapsimError('E_TARGET_UNREACHABLE', `no connection to ${options.target} succeeded`, {
        exitCode: ExitCode.runtimeFailure,
      });
    }
    return result.passed ? ExitCode.ok : ExitCode.checkFailed;
  } finally {
    dashboard?.stop();
    process.off('SIGINT', onSigint);
    for (const channel of remoteWorkers ?? []) channel.close();
  }
}

async function acceptWorkers(listen: string, expected: number) {
  const { listenForWorkers } = await import('../../loadgen/distributed/listen.js');
  const [host, port] = splitHostPort(listen);
  const listener = await listenForWorkers(host, port);
  console.log(
    `waiting for ${expected} worker(s) on ${listener.address}: run \`capsim worker --join ${listener.address}\` on each generator host`,
  );
  const channels = await listener.accept(expected);
  listener.close();
  return channels;
}

export function splitHostPort(text: string): [string, number] {
  const match = /^(.*):(\d+)$/.exec(text);
  if (!match)
    throw new CapsimError('E_BAD_FLAG', 'expected host:port', {
      problems: [{ message: 'not host:port', expected: 'e.g. 10.0.0.5:7400', found: text }],
    });
  return [match[1] === '' ? '0.0.0.0' : match[1], Number(match[2])];
}
