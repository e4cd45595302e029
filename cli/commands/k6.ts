import type { Command } from 'commander';
import { CapsimError, ExitCode } from '../../common/errors.js';
import { action, collect } from '../action.js';

interface K6Flags {
  out?: string;
  target?: string;
  scale?: string;
  slice?: string;
  cellSize?: string;
  connectRate?: string;
  duration?: string;
  parallelism?: string;
  name?: string;
  namespace?: string;
  image?: string;
  memoryPerVuMb?: string;
  prometheusRw?: string;
  tokenMode?: string;
  tokenSecret?: string;
  set?: string[];
  check?: boolean;
  import?: string[];
}

function positiveNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) {
    throw new CapsimError('E_BAD_FLAG', `${flag} must be a positive number`, {
      problems: [{ path: flag, message: 'not a positive number', expected: 'e.g. 50', found: value }],
    });
  }
  return parsed;
}

function oneOf<T extends string>(
  value: string | undefined,
  flag: string,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new CapsimError('E_BAD_FLAG', `${flag} must be one of ${allowed.join(', ')}`, {
      problems: [{ path: flag, message: 'unknown value', expected: allowed.join(' | '), found: value }],
    });
  }
  return value as T;
}

async function runImport(files: string[], out: string | undefined): Promise<number> {
  const [{ readFile, writeFile }, { importK6Summary }] = await Promise.all([
    import('node:fs/promises'),
    import('../../k6/import.js'),
  ]);
  const texts: string[] = [];
  for (const file of files) {
    try {
      texts.push(await readFile(file, 'utf8'));
    } catch (error) {
      throw new CapsimError('E_FILE_NOT_FOUND', `cannot read ${file}`, {
        problems: [{ file, message: (error as NodeJS.ErrnoException).code ?? String(error) }],
      });
    }
  }
  const result = importK6Summary(texts);
  const json = `${JSON.stringify(result, null, 2)}\n`;
  if (out) await writeFile(out, json);
  else process.stdout.write(json);
  for (const verdict of result.thresholds) {
    console.error(
      `${verdict.passed ? 'PASS' : 'FAIL'}  ${verdict.threshold}  (observed ${verdict.observed ?? 'no data'})`,
    );
  }
  if (out) console.error(`wrote ${out}: a capsim load-test result; pass it to \`capsim report\``);
  return result.passed ? ExitCode.ok : ExitCode.checkFailed;
}

export function register(program: Command): void {
  program
    .command('k6')
    .description(
      'Export a k6 script and k6-operator TestRun for a scenario, or import k6 summaries (--import)',
    )
    .argument('[scenario]', 'bundled scenario name or YAML file')
    .option(
      '-o, --out <path>',
      'export: output directory (default k6-<scenario>/); import: results JSON file (default stdout)',
    )
    .option(
      '--target <url>',
      'WebSocket URL of the target (default ws://127.0.0.1:8080/v1/ws; CAPSIM_TARGET overrides at run time)',
    )
    .option(
      '--scale <scale>',
      'full (default when load.fullScale exists) or scenario (the load: phases as written)',
    )
    .option('--slice <i/K>', 'export one slice of the full-scale system')
    .option('--cell-size <n>', 'WebSockets per k6 VU (default 50)')
    .option(
      '--connect-rate <n>',
      'connections per second for ramp phases (full scale rarely ramps like a local run)',
    )
    .option('--duration <d>', 'total sending time, e.g. 30m (stretches hold phases)')
    .option('--parallelism <n>', 'k6 runners (default: from the scale plan)')
    .option('--name <name>', 'TestRun name (default capsim-<scenario>)')
    .option('--namespace <ns>', 'Kubernetes namespace of the TestRun and ConfigMap')
    .option('--image <image>', 'k6 runner image (default grafana/k6:latest)')
    .option('--memory-per-vu-mb <n>', 'measured k6 memory per VU, sizes the runner pods')
    .option(
      '--prometheus-rw <url>',
      'stream runner metrics to Prometheus remote write (exact fleet percentiles)',
    )
    .option('--token-mode <mode>', 'local (HMAC in the VU, default) or http (POST /v1/tokens)')
    .option('--token-secret <secret>', 'token HMAC secret baked in as default (default capsim-dev-secret)')
    .option('--set <path=value>', 'override a scenario field (repeatable)', collect, [])
    .option(
      '--check',
      'type-check the generated script.ts against @types/k6 (needs typescript and @types/k6)',
    )
    .option(
      '--import <file...>',
      'convert k6 summaries (handleSummary JSON, --summary-export, runner logs) to a capsim result',
    )
    .action(
      action(async (scenarioArgument: string | undefined, flags: K6Flags) => {
        if (flags.import && flags.import.length > 0) return runImport(flags.import, flags.out);
        if (!scenarioArgument) {
          throw new CapsimError('E_BAD_FLAG', 'give a scenario to export, or --import <files>', {
            problems: [{ message: 'missing scenario', expected: 'capsim k6 <scenario> --out dir/' }],
          });
        }
        const [{ loadScenario }, { buildK6Export, writeK6Export }, { parseDurationMs }, { parseSlice }] =
          await Promise.all([
            import('../../scenarios/load.js'),
            import('../../k6/export.js'),
            import('../../loadgen/duration.js'),
            import('../../loadgen/resolve-load.js'),
          ]);
        const scenario = await loadScenario(scenarioArgument, { set: flags.set ?? [] });
        const parallelism = positiveNumber(flags.parallelism, '--parallelism');
        const memoryPerVuMb = positiveNumber(flags.memoryPerVuMb, '--memory-per-vu-mb');
        const exported = await buildK6Export(scenario, {
          scale: oneOf(flags.scale, '--scale', ['full', 'scenario'] as const),
          slice: flags.slice !== undefined ? parseSlice(flags.slice) : undefined,
          target: flags.target,
          tokenSecret: flags.tokenSecret,
          tokenMode: oneOf(flags.tokenMode, '--token-mode', ['local', 'http'] as const),
          cellSize: positiveNumber(flags.cellSize, '--cell-size'),
          connectRatePerSecond: positiveNumber(flags.connectRate, '--connect-rate'),
          durationMs:
            flags.duration !== undefined ? parseDurationMs(flags.duration, '--duration') : undefined,
          parallelism: parallelism !== undefined ? Math.ceil(parallelism) : undefined,
          name: flags.name,
          namespace: flags.namespace,
          image: flags.image,
          memoryPerVuBytes: memoryPerVuMb !== undefined ? memoryPerVuMb * 1024 * 1024 : undefined,
          prometheusRemoteWriteUrl: flags.prometheusRw,
          scenarioArgument,
        });
        if (flags.check) {
          const { typecheckK6Script } = await import('../../k6/typecheck.js');
          const problems = await typecheckK6Script(exported.files['script.ts']);
          if (problems.length > 0) {
            throw new CapsimError(
              'E_K6_TYPECHECK',
              'the generated script does not type-check against @types/k6',
              {
                exitCode: ExitCode.runtimeFailure,
                problems: problems.map((p) => ({
                  file: 'script.ts',
                  line: p.line,
                  column: p.column,
                  message: p.message,
                })),
              },
            );
          }
        }
        const directory = flags.out ?? `k6-${exported.plan.script.scenario}`;
        const written = writeK6Export(directory, exported);
        const { plan } = exported;
        console.log(
          `k6 export of ${plan.script.scenario} (${plan.scale} scale): ${plan.peakConnections.toLocaleString('en-US')} connections in ` +
            `${plan.totalVus.toLocaleString('en-US')} VUs, parallelism ${exported.parallelism}` +
            (flags.check ? ', script.ts type-checks against @types/k6' : ''),
        );
        for (const path of written) console.log(`  wrote ${path}`);
        for (const item of plan.untranslated) console.log(`  note: ${item.source} — ${item.reason}`);
        for (const note of plan.notes) console.log(`  note: ${note}`);
        console.log(`  run: see ${directory}/README.md`);
      }),
    );
}
