/**
 * The k6-operator manifests for an export: a ConfigMap holding script.js and a TestRun
 * (apiVersion k6.io/v1alpha1) that runs it on `parallelism` runner pods, one per node
 * (`separate: true`), each sized for its share of the virtual users and sockets. Pure.
 *
 * Runner memory = (VUs per runner × memory per VU + sockets per runner × memory per socket)
 *                 × 1.25 headroom + 256 MiB for the k6 process itself.
 * k6 splits VUs and arrival rates between runners by execution segments (parallelism N gives each
 * runner 1/N of every scenario), so per-runner figures are the totals divided by N, rounded up.
 */
import { stringify } from 'yaml';
import { CapsimError } from '../common/errors.js';
import type { K6Plan } from './plan.js';

export interface RunnerSizing {
  /** Bytes per k6 VU (a JavaScript runtime with the script loaded). */
  memoryPerVuBytes: number;
  /** Bytes per open WebSocket in k6 (Go connection, buffers, goroutines, JS wrapper). */
  memoryPerSocketBytes: number;
  /** WebSocket frames (sent + received) one k6 core handles per second. */
  framesPerCoreSecond: number;
  /** Where the figures come from, printed in the README next to them. */
  source: string;
}

/**
 * Defaults: k6's documentation puts a VU at 1–5 MB depending on the script (this one keeps per-cell
 * state, so the upper end); the socket and CPU figures are estimates to replace with a measurement
 * (the export's README says how: one runner, a known number of VUs, read its RSS and CPU).
 */
export const defaultRunnerSizing: RunnerSizing = {
  memoryPerVuBytes: 5 * 1024 * 1024,
  memoryPerSocketBytes: 64 * 1024,
  framesPerCoreSecond: 20_000,
  source: 'k6 docs (1–5 MB per VU, upper end) and estimates (64 KiB per socket, 20,000 frames/s per core)',
};

export interface ManifestOptions {
  parallelism: number;
  /** Where the parallelism came from (printed in the README). */
  parallelismSource: string;
  name?: string;
  namespace?: string;
  image?: string;
  sizing?: RunnerSizing;
  /** Prometheus remote-write URL: runners stream metrics there (native histograms) for fleet-wide thresholds. */
  prometheusRemoteWriteUrl?: string;
}

export interface RunnerResources {
  vusPerRunner: number;
  socketsPerRunner: number;
  memoryBytes: number;
  cpuCores: number;
}

/** DNS-1123 name for Kubernetes objects: lowercase letters, digits and '-', at most 63 characters. */
export function kubernetesName(text: string): string {
  const name = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return name === '' ? 'capsim' : name;
}

export function runnerResources(
  plan: K6Plan,
  parallelism: number,
  sizing: RunnerSizing = defaultRunnerSizing,
): RunnerResources {
  const vusPerRunner = Math.ceil(plan.totalVus / parallelism);
  const socketsPerRunner = Math.ceil(plan.peakConnections / parallelism);
  const memoryBytes =
    Math.ceil(
      (vusPerRunner * sizing.memoryPerVuBytes + socketsPerRunner * sizing.memoryPerSocketBytes) * 1.25,
    ) +
    256 * 1024 * 1024;
  // Frames per message: the send, its ACK, a delivery and a receipt per recipient (about 1 in 1:1);
  // plus a ping and a pong per socket per heartbeat (default every 15 s: half the server's 30 s).
  const heartbeatSeconds = (plan.script.heartbeatMs ?? 15_000) / 1000;
  const framesPerSecond =
    (plan.peakMessagesPerSecond * 4) / parallelism + (socketsPerRunner * 2) / heartbeatSeconds;
  const cpuCores = Math.max(1, Math.ceil(framesPerSecond / sizing.framesPerCoreSecond));
  return { vusPerRunner, socketsPerRunner, memoryBytes, cpuCores };
}

function mebibytes(bytes: number): string {
  return `${Math.ceil(bytes / (1024 * 1024))}Mi`;
}

/** ConfigMap + TestRun as a two-document YAML stream. */
export function buildTestRunManifest(plan: K6Plan, scriptJs: string, options: ManifestOptions): string {
  if (!Number.isInteger(options.parallelism) || options.parallelism < 1) {
    throw new CapsimError('E_K6_PARALLELISM', 'parallelism must be a positive integer', {
      problems: [
        { path: '--parallelism', message: 'not a positive integer', found: String(options.parallelism) },
      ],
    });
  }
  // k6-operator reads the script from a ConfigMap, which Kubernetes caps at 1 MiB.
  if (Buffer.byteLength(scriptJs, 'utf8') > 1_000_000) {
    throw new CapsimError('E_K6_SCRIPT_TOO_LARGE', 'script.js exceeds what a ConfigMap holds (1 MiB)', {
      problems: [
        {
          message: 'use a volumeClaim instead of a ConfigMap',
          found: `${Buffer.byteLength(scriptJs)} bytes`,
        },
      ],
    });
  }
  const name = kubernetesName(options.name ?? `capsim-${plan.script.scenario}`);
  const scriptName = kubernetesName(`${name}-script`);
  const resources = runnerResources(plan, options.parallelism, options.sizing);
  const metadata = (objectName: string) => ({
    name: objectName,
    ...(options.namespace ? { namespace: options.namespace } : {}),
    labels: {
      'app.kubernetes.io/part-of': 'capsim',
      'capsim.io/scenario': kubernetesName(plan.script.scenario),
    },
  });
  const env: { name: string; value: string }[] = [
    { name: 'CAPSIM_TARGET', value: plan.script.target },
    { name: 'CAPSIM_TOKEN_SECRET', value: plan.script.tokenSecret },
    { name: 'CAPSIM_RUN_ID', value: name },
  ];
  const argumentsList = ['--tag', `testid=${name}`];
  if (options.prometheusRemoteWriteUrl) {
    argumentsList.push('--out', 'experimental-prometheus-rw');
    env.push(
      { name: 'K6_PROMETHEUS_RW_SERVER_URL', value: options.prometheusRemoteWriteUrl },
      { name: 'K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM', value: 'true' },
    );
  }
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: metadata(scriptName),
    data: { 'script.js': scriptJs },
  };
  const quantity = { cpu: String(resources.cpuCores), memory: mebibytes(resources.memoryBytes) };
  const testRun = {
    apiVersion: 'k6.io/v1alpha1',
    kind: 'TestRun',
    metadata: metadata(name),
    spec: {
      parallelism: options.parallelism,
      separate: true,
      script: { configMap: { name: scriptName, file: 'script.js' } },
      arguments: argumentsList.join(' '),
      runner: {
        // Our own label on the runner pods, so `kubectl logs -l capsim.io/testrun=NAME` collects the summaries.
        metadata: { labels: { 'capsim.io/testrun': name } },
        image: options.image ?? 'grafana/k6:latest',
        env,
        resources: { requests: quantity, limits: quantity },
      },
    },
  };
  const header = [
    `# k6-operator TestRun for capsim scenario ${plan.script.scenario} (${plan.scale} scale).`,
    `# parallelism ${options.parallelism}: ${options.parallelismSource}.`,
    `# Each runner: ~${resources.vusPerRunner} VUs, ~${resources.socketsPerRunner} sockets, ${quantity.memory} memory, ${quantity.cpu} CPU.`,
    '# Apply: kubectl apply -f testrun.yaml   (ConfigMap first, then the TestRun)',
  ].join('\n');
  const yaml = (value: unknown) => stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
  return `${header}\n${yaml(configMap)}---\n${yaml(testRun)}`;
}
