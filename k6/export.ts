/**
 * `capsim k6 <scenario> --out dir/`: builds script.ts, script.js, testrun.yaml and README.md for a
 * scenario and writes them. `buildK6Export` is the library function (no file I/O); `writeK6Export`
 * writes its files.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildK6Script } from './build-script.js';
import { buildTestRunManifest, defaultRunnerSizing, type RunnerSizing } from './manifest.js';
import { buildK6Plan, type K6ExportOptions, type K6Plan } from './plan.js';
import { planParallelism, portsPerRunnerAddress, type K6Scenario } from './parallelism.js';
import { buildK6Readme } from './readme.js';
import { transpileK6Script } from './transpile.js';

export interface K6ExportRequest extends K6ExportOptions {
  /** Overrides the runner count from the scale plan. */
  parallelism?: number;
  name?: string;
  namespace?: string;
  image?: string;
  memoryPerVuBytes?: number;
  prometheusRemoteWriteUrl?: string;
  /** How the user named the scenario (shown in the README's regenerate command). */
  scenarioArgument?: string;
}

export interface K6Export {
  plan: K6Plan;
  parallelism: number;
  files: { 'script.ts': string; 'script.js': string; 'testrun.yaml': string; 'README.md': string };
}

export async function buildK6Export(scenario: K6Scenario, request: K6ExportRequest = {}): Promise<K6Export> {
  const plan = buildK6Plan(scenario, request);
  const scriptTs = buildK6Script(plan);
  const scriptJs = await transpileK6Script(scriptTs);
  const planned = planParallelism(scenario, plan);
  const parallelism = request.parallelism ?? planned.parallelism;
  const perRunner = Math.ceil(plan.peakConnections / parallelism);
  if (perRunner > portsPerRunnerAddress) {
    plan.notes.push(
      `each runner holds about ${perRunner.toLocaleString('en-US')} connections; a pod has one source IP, so that works only if the ` +
        `target spreads them over several addresses (one gateway address:port allows about ${portsPerRunnerAddress.toLocaleString('en-US')}); otherwise raise --parallelism`,
    );
  }
  const sizing: RunnerSizing =
    request.memoryPerVuBytes !== undefined
      ? {
          ...defaultRunnerSizing,
          memoryPerVuBytes: request.memoryPerVuBytes,
          source: `measured ${Math.round(request.memoryPerVuBytes / 1024 / 1024)} MiB per VU (--memory-per-vu-mb); socket and CPU figures estimated`,
        }
      : defaultRunnerSizing;
  const manifestOptions = {
    parallelism,
    parallelismSource: request.parallelism !== undefined ? 'set with --parallelism' : planned.source,
    name: request.name,
    namespace: request.namespace,
    image: request.image,
    sizing,
    prometheusRemoteWriteUrl: request.prometheusRemoteWriteUrl,
  };
  return {
    plan,
    parallelism,
    files: {
      'script.ts': scriptTs,
      'script.js': scriptJs,
      'testrun.yaml': buildTestRunManifest(plan, scriptJs, manifestOptions),
      'README.md': buildK6Readme(plan, manifestOptions, request.scenarioArgument ?? plan.script.scenario),
    },
  };
}

export function writeK6Export(directory: string, exported: K6Export): string[] {
  mkdirSync(directory, { recursive: true });
  return Object.entries(exported.files).map(([file, content]) => {
    const path = join(directory, file);
    writeFileSync(path, content);
    return path;
  });
}
