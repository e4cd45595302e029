/**
 * `capsim plan <scenario>`: the load-generator fleet and the server fleet needed to test a scenario at
 * full scale (e.g. 50 million connections), and how to run one slice of it here (`--slice 1/K`).
 *
 * Formulas (every input is overridable through PlanOptions):
 *   server instances      = ⌈connections / connectionsPerInstance⌉              (K = slices)
 *   per-instance rate     = peak messages/s / instances
 *   generator workers     = max(⌈connections / connectionsPerWorker⌉,
 *                               ⌈peak × (1 + recipients) / (messagesPerCore × targetUtilization)⌉)
 *                           (a worker is one process on one core; each message costs one send, one ACK
 *                            and `recipients` deliveries at the generator; connectionsPerWorker stays
 *                            under the per-process open-files limit)
 *   generator hosts       = max(⌈workers / (coresPerHost − 1)⌉, ⌈connections × bytesPerVirtualUser /
 *                               (memoryPerHost × 0.8)⌉)  (one core left for the OS and the coordinator)
 *   source addresses/host = ⌈connections per host / portsPerSourceAddress⌉ when all sockets go to one
 *                           address:port (a load balancer); 1 when they spread over the instances
 */
import { pointValue, type Quantity } from '../scenarios/quantity.js';
import { connectionsPerWorker, portsPerSourceAddress } from './source-addresses.js';
import type { LoadSpec } from './load-schema.js';

export interface PlanScenario {
  name?: string;
  workload?: {
    concurrentConnections?: Quantity;
    dailyActiveUsers?: Quantity;
    messagesPerUserPerDay?: Quantity;
    messagesPerSecond?: Quantity;
    peakFactor?: Quantity;
  };
  components?: Record<string, { capacityPerUnit?: Quantity; demand?: unknown; demandUnit?: string }>;
  load?: LoadSpec;
}

export interface PlanOptions {
  /** Generator host shape; default 16 cores, 64 GiB. */
  coresPerHost?: number;
  memoryPerHostBytes?: number;
  /** Messages per second one generator core drives (send + ACK + deliveries); default from `npm run bench -- loadgen`. */
  messagesPerCore?: number;
  /** Memory per open virtual user (socket + state); default from the bench. */
  bytesPerVirtualUser?: number;
  /** Keep generator cores below this so a busy generator is not mistaken for a slow server. */
  targetUtilization?: number;
  /** Average recipients per message (group fan-out); default from load.conversations, else 1. */
  recipientsPerMessage?: number;
}

export interface FleetPlan {
  scenario: string;
  fullScale: { connections: number; peakMessagesPerSecond: number; source: string };
  server: { connectionsPerInstance: number; instances: number; messagesPerSecondPerInstance: number };
  generator: {
    workers: number;
    hosts: number;
    workersPerHost: number;
    connectionsPerWorker: number;
    connectionsPerHost: number;
    messagesPerSecondPerHost: number;
    sourceAddressesPerHost: number;
    memoryPerHostBytes: number;
    coresPerHost: number;
    assumptions: {
      messagesPerCore: number;
      bytesPerVirtualUser: number;
      targetUtilization: number;
      recipientsPerMessage: number;
    };
  };
  slice: { count: number; connections: number; messagesPerSecond: number; command: string };
  hostLimits: string[];
}

export const planDefaults = {
  coresPerHost: 16,
  memoryPerHostBytes: 64 * 2 ** 30,
  // Measured by `npm run bench -- loadgen` on the 2-core dev machine (rounded down); re-measure on yours.
  messagesPerCore: 8000,
  bytesPerVirtualUser: 24 * 1024,
  targetUtilization: 0.7,
};

function point(value: Quantity | undefined): number | undefined {
  return value === undefined ? undefined : pointValue(value);
}

export function planFleet(scenario: PlanScenario, options: PlanOptions = {}): FleetPlan {
  const workload = scenario.workload ?? {};
  const full = scenario.load?.fullScale;
  const peakFactor = point(workload.peakFactor) ?? 1;
  const connections = full?.connections ?? point(workload.concurrentConnections) ?? 0;
  const derivedRate =
    point(workload.messagesPerSecond) ??
    ((point(workload.dailyActiveUsers) ?? 0) * (point(workload.messagesPerUserPerDay) ?? 0)) / 86_400;
  const peak = full?.messagesPerSecond ?? derivedRate * peakFactor;
  const gateway = Object.values(scenario.components ?? {}).find(
    (c) => c.demandUnit === 'connections' && c.capacityPerUnit !== undefined,
  );
  const perInstance = full?.connectionsPerInstance ?? point(gateway?.capacityPerUnit) ?? 10_000;
  const instances = Math.max(1, Math.ceil(connections / perInstance));

  const cores = options.coresPerHost ?? planDefaults.coresPerHost;
  const memory = options.memoryPerHostBytes ?? planDefaults.memoryPerHostBytes;
  const perCore = options.messagesPerCore ?? planDefaults.messagesPerCore;
  const perVu = options.bytesPerVirtualUser ?? planDefaults.bytesPerVirtualUser;
  const utilization = options.targetUtilization ?? planDefaults.targetUtilization;
  const groupFraction = scenario.load?.conversations?.groupFraction ?? 0;
  const groupSize = scenario.load?.conversations?.groupSize ?? 8;
  const recipients =
    options.recipientsPerMessage ?? groupFraction * (groupSize - 1) + (1 - groupFraction) * 1;

  const workersForConnections = Math.ceil(connections / connectionsPerWorker);
  // A message costs the generator 2 + recipients frames (send, ACK, deliveries); perCore counts messages
  // at one recipient (3 frames), so scale by (2 + recipients) / 3.
  const workersForMessages = Math.ceil((peak * ((2 + recipients) / 3)) / (perCore * utilization));
  const workers = Math.max(1, workersForConnections, workersForMessages);
  const usableCores = Math.max(1, cores - 1);
  const hostsForCores = Math.ceil(workers / usableCores);
  const hostsForMemory = Math.ceil((connections * perVu) / (memory * 0.8));
  const hosts = Math.max(1, hostsForCores, hostsForMemory);
  const workersPerHost = Math.ceil(workers / hosts);
  const connectionsPerHost = Math.ceil(connections / hosts);
  const name = scenario.name ?? 'scenario';
  return {
    scenario: name,
    fullScale: {
      connections,
      peakMessagesPerSecond: Math.round(peak),
      source: full ? 'load.fullScale' : 'workload (concurrentConnections, messages × peakFactor)',
    },
    server: {
      connectionsPerInstance: perInstance,
      instances,
      messagesPerSecondPerInstance: Math.round((peak / instances) * 100) / 100,
    },
    generator: {
      workers,
      hosts,
      workersPerHost,
      connectionsPerWorker: Math.ceil(connections / workers),
      connectionsPerHost,
      messagesPerSecondPerHost: Math.round(peak / hosts),
      sourceAddressesPerHost: Math.max(1, Math.ceil(connectionsPerHost / portsPerSourceAddress)),
      memoryPerHostBytes: Math.ceil(connectionsPerHost * perVu),
      coresPerHost: cores,
      assumptions: {
        messagesPerCore: perCore,
        bytesPerVirtualUser: perVu,
        targetUtilization: utilization,
        recipientsPerMessage: Math.round(recipients * 100) / 100,
      },
    },
    slice: {
      count: instances,
      connections: Math.round(connections / instances),
      messagesPerSecond: Math.round((peak / instances) * 100) / 100,
      command: `capsim loadtest ${name} --slice 1/${instances} --target ws://HOST:PORT`,
    },
    hostLimits: [
      `open files: ulimit -n ≥ ${Math.min(1_048_576, Math.ceil(connectionsPerHost / workersPerHost) + 1024)} per worker (LimitNOFILE= in systemd, nofile in /etc/security/limits.conf); fs.nr_open and fs.file-max ≥ ${connectionsPerHost + 65_536}`,
      'ephemeral ports: sysctl net.ipv4.ip_local_port_range="1024 65535" (≈64,000 per source address and destination)',
      `source addresses: ${Math.max(1, Math.ceil(connectionsPerHost / 64_000))} per generator host with the widened range (add them with \`ip addr add\`, pass --source-addresses)`,
      'server side: net.core.somaxconn and net.ipv4.tcp_max_syn_backlog ≥ 4096; net.netfilter.nf_conntrack_max above the connection count (or no conntrack)',
      `memory: ≈${Math.ceil((connectionsPerHost * perVu) / 2 ** 30)} GiB per generator host for virtual users (net.ipv4.tcp_mem / tcp_rmem / tcp_wmem sized for that many sockets)`,
    ],
  };
}

export function renderPlan(plan: FleetPlan): string {
  const g = plan.generator;
  const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  return [
    `capsim plan ${plan.scenario}`,
    `  full scale     ${plan.fullScale.connections.toLocaleString('en-US')} connections, ${plan.fullScale.peakMessagesPerSecond.toLocaleString('en-US')} messages/s at peak (from ${plan.fullScale.source})`,
    `  server fleet   ${plan.server.instances.toLocaleString('en-US')} instances × ${plan.server.connectionsPerInstance.toLocaleString('en-US')} connections, ${plan.server.messagesPerSecondPerInstance} messages/s each`,
    `  generators     ${g.hosts.toLocaleString('en-US')} hosts (${g.coresPerHost} cores, ${gib(g.memoryPerHostBytes)} for VUs each), ${g.workers.toLocaleString('en-US')} workers (${g.workersPerHost} per host)`,
    `                 ${g.connectionsPerHost.toLocaleString('en-US')} connections and ${g.messagesPerSecondPerHost.toLocaleString('en-US')} messages/s per host; ${g.connectionsPerWorker.toLocaleString('en-US')} per worker`,
    `                 ${g.sourceAddressesPerHost} source address(es) per host if every socket targets one address:port (28,000 ports each)`,
    `  assumptions    ${g.assumptions.messagesPerCore} messages/s per generator core at ≤${g.assumptions.targetUtilization * 100}% CPU, ${(g.assumptions.bytesPerVirtualUser / 1024).toFixed(0)} KiB per virtual user, ${g.assumptions.recipientsPerMessage} recipients per message`,
    `  one slice      1/${plan.slice.count}: ${plan.slice.connections.toLocaleString('en-US')} connections, ${plan.slice.messagesPerSecond} messages/s — run: ${plan.slice.command}`,
    '  raise on every generator host:',
    ...plan.hostLimits.map((line) => `    - ${line}`),
  ].join('\n');
}
