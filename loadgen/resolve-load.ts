/**
 * Turns a scenario's `load:` section (as written) plus command-line overrides into a concrete plan:
 * phases on a millisecond timeline, the message rate, conversations, offline users and thresholds.
 */
import { CapsimError } from '../common/errors.js';
import { parseDurationMs } from './duration.js';
import { loadSchema, thresholdEntries, type LoadSpec } from './load-schema.js';
import { parseThreshold, type Threshold } from './thresholds.js';

export interface ResolvedPhase {
  name: string;
  startMs: number;
  durationMs: number;
  fromConnections: number;
  toConnections: number;
  messageRateMultiplier: number;
}

export interface ResolvedHttpPhase {
  name: string;
  endpoint: 'tokens' | 'history' | 'healthz' | 'readyz' | 'metrics';
  startMs: number;
  durationMs: number;
  connections: number;
  requestsPerSecond?: number;
}

export interface SliceSpec {
  index: number;
  count: number;
}

export interface ResolvedLoad {
  users: number;
  phases: ResolvedPhase[];
  /** Sending happens during [0, durationMs); then the grace period. */
  durationMs: number;
  /** Messages per second per planned-online user, or for the whole run. */
  messageRate: { perUserPerSecond: number } | { totalPerSecond: number };
  arrival: 'poisson' | 'uniform';
  bodyBytes: number;
  groupFraction: number;
  groupSize: number;
  offline: { fraction: number; atMs: number; awayMs: number } | null;
  receipts: boolean;
  heartbeatMs: number | null;
  reconnectInitialMs: number;
  reconnectMaxMs: number;
  graceMs: number;
  http: ResolvedHttpPhase[];
  thresholds: Threshold[];
  seed: number;
  slice: SliceSpec | null;
}

/** The scenario fields the load generator reads (MODEL's Scenario is assignable to this). */
export interface LoadTestScenario {
  name?: string;
  load?: LoadSpec;
  slo?: {
    deliveryLatencyMs?: Partial<Record<string, number>>;
    ackLatencyMs?: Partial<Record<string, number>>;
  };
}

export interface ResolveOptions {
  /** Total sending time; stretches or shrinks hold phases (ramps keep their speed when they fit). */
  durationMs?: number;
  slice?: SliceSpec;
  /** Scales the message rate (used by --find-capacity). */
  messageRateFactor?: number;
  /** Overrides the user count (used by --find-capacity and tests). */
  users?: number;
}

const defaultLoad: LoadSpec = {
  phases: [
    { name: 'ramp-up', connections: 100, connectRatePerSecond: 50 },
    { name: 'hold', duration: '25s' },
    { name: 'ramp-down', duration: '2s', connections: 0 },
  ],
  messages: { perSecond: 50 },
};

export function parseSlice(text: string): SliceSpec {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || index < 1 || count < 1 || index > count) {
    throw new CapsimError('E_BAD_SLICE', `--slice: expected i/K with 1 ≤ i ≤ K`, {
      problems: [{ path: '--slice', message: 'not a slice', expected: 'e.g. 1/5000', found: text }],
    });
  }
  return { index, count };
}

export function resolveLoad(scenario: LoadTestScenario, options: ResolveOptions = {}): ResolvedLoad {
  const parsed = loadSchema.safeParse(scenario.load ?? defaultLoad);
  if (!parsed.success) {
    throw new CapsimError('E_BAD_LOAD', "the scenario's `load:` section is invalid", {
      problems: parsed.error.issues.map((issue) => ({
        path: ['load', ...issue.path.map(String)].join('.'),
        message: issue.message,
      })),
    });
  }
  const spec = parsed.data;
  let users = options.users ?? spec.users ?? 0;
  let phases = buildPhases(spec, users);
  const peakConnections = Math.max(...phases.map((p) => Math.max(p.fromConnections, p.toConnections)));
  if (users === 0) users = Math.max(peakConnections, 2);

  let messageRate: ResolvedLoad['messageRate'] =
    spec.messages?.perSecond !== undefined
      ? { totalPerSecond: spec.messages.perSecond }
      : spec.messages?.perUserPerDay !== undefined
        ? { perUserPerSecond: (spec.messages.perUserPerDay * (spec.messages.timeCompression ?? 1)) / 86_400 }
        : { totalPerSecond: 50 };

  const slice = options.slice ?? null;
  if (slice) {
    if (!spec.fullScale) {
      throw new CapsimError(
        'E_NO_FULL_SCALE',
        '--slice needs `load.fullScale` (connections and messagesPerSecond)',
        {
          problems: [
            { path: 'load.fullScale', message: 'missing', expected: '{ connections, messagesPerSecond }' },
          ],
        },
      );
    }
    // One slice = 1/K of the real system at full per-instance fidelity: its connections and its
    // share of the peak rate (peak = messagesPerSecond; phases' multipliers are normalised to 1 at peak).
    const sliceUsers = Math.max(2, Math.round(spec.fullScale.connections / slice.count));
    const scale = peakConnections > 0 ? sliceUsers / peakConnections : 1;
    phases = phases.map((p) => ({
      ...p,
      fromConnections: Math.round(p.fromConnections * scale),
      toConnections: Math.round(p.toConnections * scale),
    }));
    users = options.users ?? sliceUsers;
    const peakMultiplier = Math.max(...phases.map((p) => p.messageRateMultiplier), 1);
    messageRate = { totalPerSecond: spec.fullScale.messagesPerSecond / slice.count / peakMultiplier };
  }
  if (options.users !== undefined && peakConnections > 0 && !slice) {
    const scale = options.users / peakConnections;
    phases = phases.map((p) => ({
      ...p,
      fromConnections: Math.round(p.fromConnections * scale),
      toConnections: Math.round(p.toConnections * scale),
    }));
  }
  if (options.messageRateFactor !== undefined) {
    const f = options.messageRateFactor;
    messageRate =
      'totalPerSecond' in messageRate
        ? { totalPerSecond: messageRate.totalPerSecond * f }
        : { perUserPerSecond: messageRate.perUserPerSecond * f };
  }
  if (options.durationMs !== undefined) phases = fitDuration(phases, options.durationMs);
  const durationMs = phases.reduce((sum, p) => sum + p.durationMs, 0);

  const offline =
    spec.offline && spec.offline.fraction > 0
      ? {
          fraction: spec.offline.fraction,
          atMs:
            spec.offline.at !== undefined
              ? parseDurationMs(spec.offline.at, 'load.offline.at')
              : durationMs * 0.4,
          awayMs: parseDurationMs(spec.offline.awayDuration ?? '3s', 'load.offline.awayDuration'),
        }
      : null;

  return {
    users,
    phases,
    durationMs,
    messageRate,
    arrival: spec.messages?.arrival ?? 'poisson',
    bodyBytes: spec.messages?.bodyBytes ?? 64,
    groupFraction: spec.conversations?.groupFraction ?? 0,
    groupSize: spec.conversations?.groupSize ?? 8,
    offline,
    receipts: spec.receipts ?? true,
    heartbeatMs: spec.heartbeat !== undefined ? parseDurationMs(spec.heartbeat, 'load.heartbeat') : null,
    reconnectInitialMs: parseDurationMs(
      spec.reconnect?.initialDelay ?? '100ms',
      'load.reconnect.initialDelay',
    ),
    reconnectMaxMs: parseDurationMs(spec.reconnect?.maxDelay ?? '5s', 'load.reconnect.maxDelay'),
    graceMs: parseDurationMs(spec.grace ?? '5s', 'load.grace'),
    http: (spec.http ?? []).map((h, i) => ({
      name: h.name ?? `${h.endpoint}-${i + 1}`,
      endpoint: h.endpoint,
      startMs: parseDurationMs(h.start ?? 0, `load.http.${i}.start`),
      durationMs: parseDurationMs(h.duration, `load.http.${i}.duration`),
      connections: h.connections ?? 10,
      requestsPerSecond: h.requestsPerSecond,
    })),
    thresholds: resolveThresholds(scenario, spec),
    seed: spec.seed ?? 1,
    slice,
  };
}

function buildPhases(spec: LoadSpec, users: number): ResolvedPhase[] {
  const phases: ResolvedPhase[] = [];
  let connections = 0;
  let startMs = 0;
  const specs = spec.phases ?? [
    { name: 'ramp-up', connections: users || 100, connectRatePerSecond: Math.max(10, (users || 100) / 5) },
    { name: 'hold', duration: '25s' },
  ];
  specs.forEach((phase, index) => {
    const to = phase.connections ?? connections;
    const durationMs =
      phase.duration !== undefined
        ? parseDurationMs(phase.duration, `load.phases.${index}.duration`)
        : (Math.abs(to - connections) / (phase.connectRatePerSecond ?? 1)) * 1000;
    phases.push({
      name: phase.name ?? `phase-${index + 1}`,
      startMs,
      durationMs,
      fromConnections: connections,
      toConnections: to,
      messageRateMultiplier: phase.messageRateMultiplier ?? 1,
    });
    connections = to;
    startMs += durationMs;
  });
  return phases;
}

/** Ramps keep their length when they fit in 60% of the target; holds take the rest. */
function fitDuration(phases: ResolvedPhase[], targetMs: number): ResolvedPhase[] {
  const isHold = (p: ResolvedPhase) => p.fromConnections === p.toConnections;
  const rampMs = phases.filter((p) => !isHold(p)).reduce((s, p) => s + p.durationMs, 0);
  const holdMs = phases.filter(isHold).reduce((s, p) => s + p.durationMs, 0);
  let rampScale = 1;
  let holdScale = holdMs > 0 ? (targetMs - rampMs) / holdMs : 0;
  if (rampMs > targetMs * 0.6 || holdMs === 0) {
    rampScale = holdMs === 0 ? targetMs / rampMs : (targetMs * 0.4) / rampMs;
    holdScale = holdMs === 0 ? 0 : (targetMs * 0.6) / holdMs;
  }
  let startMs = 0;
  return phases.map((p) => {
    const durationMs = p.durationMs * (isHold(p) ? holdScale : rampScale);
    const next = { ...p, startMs, durationMs };
    startMs += durationMs;
    return next;
  });
}

function resolveThresholds(scenario: LoadTestScenario, spec: LoadSpec): Threshold[] {
  const thresholds = spec.thresholds
    ? thresholdEntries(spec.thresholds).map(([, text]) => parseThreshold(text))
    : [];
  const named = new Set(thresholds.map((t) => t.metric));
  // The scenario's SLO becomes latency thresholds unless the load section states its own.
  for (const [metric, targets] of [
    ['delivery_latency', scenario.slo?.deliveryLatencyMs],
    ['ack_latency', scenario.slo?.ackLatencyMs],
  ] as const) {
    if (named.has(metric) || !targets) continue;
    for (const [key, limit] of Object.entries(targets)) {
      const percentile = /^p(\d+(?:\.\d+)?)$/.exec(key)?.[1];
      if (percentile !== undefined && typeof limit === 'number')
        thresholds.push(parseThreshold(`${metric}: p${percentile} < ${limit}ms`));
    }
  }
  // Correctness is always checked: no ACKed message may be lost, duplicated or reordered.
  for (const metric of ['lost', 'duplicated', 'out_of_order']) {
    if (!named.has(metric)) thresholds.push(parseThreshold(`${metric} == 0`));
  }
  return thresholds;
}
