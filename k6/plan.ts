/**
 * Turns a scenario into everything the k6 export needs, as plain data: the PLAN constant baked into
 * the script (connection curve, cells, per-user message rates, thresholds), the k6 `options`
 * (one `constant-arrival-rate` scenario per rising connection phase) and the fleet sizing of the
 * k6-operator TestRun. Pure: no I/O, no clock.
 *
 * Cells: a k6 VU is a JavaScript runtime (MBs), a socket is KBs, so one VU holds `cellSize` sockets
 * (k6/websockets is event-loop based). A rising phase from C0 to C1 connections over D ms is
 * round(C1/size) − round(C0/size) cells started at a constant arrival rate, i.e. one cell every
 * D / cells ms and one connection every D / (C1 − C0) ms — the scenario's connect rate.
 */
import { CapsimError } from '../common/errors.js';
import { DROPPED_ITERATIONS_THRESHOLD } from './dropped-iterations.js';
import {
  resolveLoad,
  type LoadTestScenario,
  type ResolvedLoad,
  type SliceSpec,
} from '../loadgen/resolve-load.js';
import {
  toK6ThresholdOption,
  translateThresholds,
  type K6Threshold,
  type UntranslatedThreshold,
} from './thresholds.js';

export interface K6ExportOptions {
  /** `full` (default when `load.fullScale` exists): the real system's connections and peak rate. */
  scale?: 'full' | 'scenario';
  /** One slice of the full-scale system (like `capsim loadtest --slice i/K`). */
  slice?: SliceSpec;
  /** WebSocket URL of the target; the script's CAPSIM_TARGET environment variable overrides it. */
  target?: string;
  tokenSecret?: string;
  tokenMode?: 'local' | 'http';
  /** Sockets (users) per k6 VU; default 50. */
  cellSize?: number;
  /** Overrides the ramp speed of rising/falling phases (full scale rarely ramps as fast as a local run). */
  connectRatePerSecond?: number;
  /** Total sending time (stretches hold phases, like `capsim loadtest --duration`). */
  durationMs?: number;
}

export interface SegmentPlan {
  /** k6 scenario name. */
  name: string;
  startMs: number;
  endMs: number;
  firstCell: number;
  cells: number;
  cellIntervalMs: number;
}

/** The constant baked into script.ts; the runtime (k6/script-runtime.ts) declares the same shape. */
/** Settings the script takes unchanged from the resolved `load:` section. */
type LoadSettings = Pick<
  ResolvedLoad,
  | 'arrival'
  | 'bodyBytes'
  | 'groupFraction'
  | 'groupSize'
  | 'offline'
  | 'receipts'
  | 'heartbeatMs'
  | 'reconnectInitialMs'
  | 'reconnectMaxMs'
  | 'graceMs'
  | 'seed'
>;

export interface ScriptPlan extends LoadSettings {
  scenario: string;
  protocol: number;
  target: string;
  tokenSecret: string;
  tokenMode: 'local' | 'http';
  cellSize: number;
  users: number;
  segments: SegmentPlan[];
  curve: { tMs: number; connections: number }[];
  sendEndMs: number;
  rateSteps: { startMs: number; endMs: number; perUserPerSecond: number }[];
  rateMetrics: string[];
  thresholds: K6Threshold[];
  /** HTTP phases (login storms, history reads): one k6 scenario each, running `httpPhase`. */
  http: HttpPhasePlan[];
}

export interface HttpPhasePlan {
  /** k6 scenario name. */
  name: string;
  endpoint: 'tokens' | 'history' | 'healthz' | 'readyz' | 'metrics';
  startMs: number;
  durationMs: number;
  connections: number;
  requestsPerSecond: number | null;
}

export interface K6HttpScenario {
  executor: 'constant-arrival-rate' | 'constant-vus';
  exec: 'httpPhase';
  rate?: number;
  timeUnit?: string;
  duration: string;
  preAllocatedVUs?: number;
  maxVUs?: number;
  vus?: number;
  startTime: string;
  gracefulStop: string;
}

export interface K6ArrivalScenario {
  executor: 'constant-arrival-rate';
  rate: number;
  timeUnit: string;
  duration: string;
  preAllocatedVUs: number;
  maxVUs: number;
  startTime: string;
  gracefulStop: string;
}

export interface K6OptionsPlan {
  scenarios: Record<string, K6ArrivalScenario | K6HttpScenario>;
  thresholds: Record<string, string[]>;
  summaryTrendStats: string[];
  setupTimeout: string;
  tags: Record<string, string>;
}

export interface K6Plan {
  script: ScriptPlan;
  options: K6OptionsPlan;
  untranslated: UntranslatedThreshold[];
  /** Peak concurrent connections and the VUs (cells) the whole test needs. */
  peakConnections: number;
  totalVus: number;
  peakMessagesPerSecond: number;
  /** Test length: sending time plus the final grace period. */
  testDurationMs: number;
  scale: 'full' | 'scenario' | 'slice';
  /** Things the user should look at before running (printed by the CLI and the README). */
  notes: string[];
}

export const defaultTarget = 'ws://127.0.0.1:8080/v1/ws';
export const defaultCellSize = 50;
/** Connections per second a scaled-up export ramps at unless --connect-rate says otherwise. */
export const defaultFleetConnectRate = 100_000;

function rampRatePerSecond(phase: ResolvedLoad['phases'][number]): number {
  return phase.durationMs > 0
    ? (Math.abs(phase.toConnections - phase.fromConnections) * 1000) / phase.durationMs
    : 0;
}

/** k6 scenario names: letters, digits, `_` and `-`. */
function scenarioName(index: number, name: string): string {
  const slug = name.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '');
  return `connect_${index + 1}${slug === '' ? '' : `_${slug}`}`;
}

/** Milliseconds as a k6 (Go) duration string, kept to microsecond precision. */
export function k6Duration(ms: number): string {
  return `${Number(ms.toFixed(3))}ms`;
}

function roundMicros(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** Re-times ramp phases at a given connections-per-second speed; holds keep their length. */
export function retimeRamps(
  phases: ResolvedLoad['phases'],
  connectRatePerSecond: number,
): ResolvedLoad['phases'] {
  let startMs = 0;
  return phases.map((phase) => {
    const change = Math.abs(phase.toConnections - phase.fromConnections);
    const durationMs = change === 0 ? phase.durationMs : (change / connectRatePerSecond) * 1000;
    const next = { ...phase, startMs, durationMs };
    startMs += durationMs;
    return next;
  });
}

/**
 * One k6 scenario per HTTP phase: open model (`constant-arrival-rate` at requestsPerSecond, at most
 * `connections` requests in flight) or, without a rate, `connections` VUs requesting back to back.
 */
export function httpScenario(phase: HttpPhasePlan): K6HttpScenario {
  const common = {
    exec: 'httpPhase' as const,
    duration: k6Duration(Math.max(1, phase.durationMs)),
    startTime: k6Duration(phase.startMs),
    gracefulStop: '10s',
  };
  if (phase.requestsPerSecond === null)
    return { executor: 'constant-vus', vus: phase.connections, ...common };
  const whole = Number.isInteger(phase.requestsPerSecond);
  return {
    executor: 'constant-arrival-rate',
    rate: whole ? phase.requestsPerSecond : Math.max(1, Math.round(phase.requestsPerSecond * 1000)),
    timeUnit: whole ? '1s' : '1000s',
    preAllocatedVUs: phase.connections,
    maxVUs: phase.connections,
    ...common,
  };
}

/** Stretches or shrinks the holds so the phases last `durationMs` in total (ramps keep their speed). */
export function fitHolds(phases: ResolvedLoad['phases'], durationMs: number): ResolvedLoad['phases'] {
  const isHold = (phase: ResolvedLoad['phases'][number]) => phase.fromConnections === phase.toConnections;
  const rampMs = phases.filter((phase) => !isHold(phase)).reduce((sum, phase) => sum + phase.durationMs, 0);
  const holdMs = phases.filter(isHold).reduce((sum, phase) => sum + phase.durationMs, 0);
  const scale = holdMs > 0 ? Math.max(0, durationMs - rampMs) / holdMs : 1;
  let startMs = 0;
  return phases.map((phase) => {
    const next = {
      ...phase,
      startMs,
      durationMs: isHold(phase) ? phase.durationMs * scale : phase.durationMs,
    };
    startMs += next.durationMs;
    return next;
  });
}

/** Cell arrival per rising phase (see the file comment). */
export function buildSegments(phases: ResolvedLoad['phases'], cellSize: number): SegmentPlan[] {
  const segments: SegmentPlan[] = [];
  phases.forEach((phase, index) => {
    if (phase.toConnections <= phase.fromConnections) return;
    const firstCell = Math.round(phase.fromConnections / cellSize);
    const cells = Math.round(phase.toConnections / cellSize) - firstCell;
    if (cells <= 0) return;
    segments.push({
      name: scenarioName(index, phase.name),
      startMs: roundMicros(phase.startMs),
      endMs: roundMicros(phase.startMs + phase.durationMs),
      firstCell,
      cells,
      cellIntervalMs: roundMicros(phase.durationMs / cells),
    });
  });
  return segments;
}

/** k6 arrival-rate executor for one segment: exactly `cells` iterations, one per cellIntervalMs. */
export function arrivalScenario(segment: SegmentPlan, stopAfterMs: number): K6ArrivalScenario {
  const perSecond = 1000 / segment.cellIntervalMs;
  const whole = Number.isInteger(perSecond);
  return {
    executor: 'constant-arrival-rate',
    rate: whole ? perSecond : 1,
    timeUnit: whole ? '1s' : k6Duration(segment.cellIntervalMs),
    // Iterations start at 0, interval, 2·interval, … while t < duration: half an interval past the
    // last start makes the count exactly `cells` whatever the rounding.
    duration: k6Duration(Math.max(1, (segment.cells - 0.5) * segment.cellIntervalMs)),
    preAllocatedVUs: segment.cells,
    maxVUs: segment.cells,
    startTime: k6Duration(segment.startMs),
    gracefulStop: k6Duration(stopAfterMs),
  };
}

export function buildK6Plan(scenario: LoadTestScenario, options: K6ExportOptions = {}): K6Plan {
  const fullScale = scenario.load?.fullScale;
  const scale = options.slice ? 'slice' : (options.scale ?? (fullScale ? 'full' : 'scenario'));
  if (scale === 'full' && !fullScale) {
    throw new CapsimError('E_NO_FULL_SCALE', '--scale full needs `load.fullScale` in the scenario', {
      problems: [
        { path: 'load.fullScale', message: 'missing', expected: '{ connections, messagesPerSecond }' },
      ],
    });
  }
  const slice = options.slice ?? (scale === 'full' ? { index: 1, count: 1 } : undefined);
  const resolved = resolveLoad(scenario, { slice });
  // Scaled-up exports keep the local ramps' durations, which would open millions of connections per
  // second; unless told otherwise, ramp at defaultFleetConnectRate (and say so).
  const notes: string[] = [];
  const fastestRamp = Math.max(0, ...resolved.phases.map(rampRatePerSecond));
  let connectRate = options.connectRatePerSecond;
  if (connectRate === undefined && scale !== 'scenario' && fastestRamp > defaultFleetConnectRate) {
    connectRate = defaultFleetConnectRate;
    notes.push(
      `ramps re-timed to ${defaultFleetConnectRate.toLocaleString('en-US')} connections/s (the scaled-up scenario would open ` +
        `${Math.round(fastestRamp).toLocaleString('en-US')}/s); choose the real rate with --connect-rate`,
    );
  }
  const retimed = connectRate !== undefined ? retimeRamps(resolved.phases, connectRate) : resolved.phases;
  const phases = options.durationMs !== undefined ? fitHolds(retimed, options.durationMs) : retimed;
  const sendEndMs = phases.reduce((sum, phase) => sum + phase.durationMs, 0);
  const peakConnections = Math.max(
    0,
    ...phases.map((phase) => Math.max(phase.fromConnections, phase.toConnections)),
  );

  const groupsUsed = resolved.groupFraction > 0;
  const requested = options.cellSize ?? defaultCellSize;
  const cellSize = Math.max(2, groupsUsed ? resolved.groupSize : 2, Math.min(requested, peakConnections));
  const segments = buildSegments(phases, cellSize);
  if (segments.length === 0) {
    throw new CapsimError('E_K6_TOO_SMALL', 'the scenario never opens a whole cell of connections', {
      problems: [
        {
          path: 'load.phases',
          message: 'no phase raises the connection count by at least half a cell',
          expected: `at least ${Math.ceil(cellSize / 2)} connections (cell size ${cellSize})`,
          found: String(peakConnections),
        },
      ],
    });
  }

  const users = Math.max(resolved.users, 1);
  const perUserPerSecond =
    'perUserPerSecond' in resolved.messageRate
      ? resolved.messageRate.perUserPerSecond
      : resolved.messageRate.totalPerSecond / users;
  const rateSteps = phases.map((phase) => ({
    startMs: roundMicros(phase.startMs),
    endMs: roundMicros(phase.startMs + phase.durationMs),
    perUserPerSecond: perUserPerSecond * phase.messageRateMultiplier,
  }));
  const curve = [{ tMs: 0, connections: 0 }];
  for (const phase of phases) {
    curve.push({ tMs: roundMicros(phase.startMs + phase.durationMs), connections: phase.toConnections });
  }

  const translation = translateThresholds(resolved.thresholds);
  const k6Thresholds = toK6ThresholdOption(translation);
  // A cell k6 could not start on time (no free VU) is load not offered: fail loudly, never hide it.
  k6Thresholds.dropped_iterations = ['count==0'];

  const awayMs = resolved.offline?.awayMs ?? 0;
  const scenarios: Record<string, K6ArrivalScenario | K6HttpScenario> = {};
  for (const segment of segments) {
    scenarios[segment.name] = arrivalScenario(
      segment,
      sendEndMs - segment.endMs + resolved.graceMs + awayMs + 30_000,
    );
  }
  const http: HttpPhasePlan[] = resolved.http.map((phase, index) => ({
    name: `http_${index + 1}_${phase.name.replace(/[^A-Za-z0-9_-]+/g, '_')}`,
    endpoint: phase.endpoint,
    startMs: roundMicros(phase.startMs),
    durationMs: roundMicros(phase.durationMs),
    connections: phase.connections,
    requestsPerSecond: phase.requestsPerSecond ?? null,
  }));
  for (const phase of http) scenarios[phase.name] = httpScenario(phase);
  const totalVus = segments.reduce((sum, segment) => sum + segment.cells, 0);
  const peakMultiplier = Math.max(0, ...phases.map((phase) => phase.messageRateMultiplier));

  return {
    script: {
      scenario: scenario.name ?? 'scenario',
      protocol: 1,
      target: options.target ?? defaultTarget,
      tokenSecret: options.tokenSecret ?? 'capsim-dev-secret',
      tokenMode: options.tokenMode ?? 'local',
      cellSize,
      users,
      segments,
      curve,
      sendEndMs: roundMicros(sendEndMs),
      rateSteps,
      arrival: resolved.arrival,
      bodyBytes: resolved.bodyBytes,
      groupFraction: resolved.groupFraction,
      groupSize: resolved.groupSize,
      offline: resolved.offline,
      receipts: resolved.receipts,
      heartbeatMs: resolved.heartbeatMs,
      reconnectInitialMs: resolved.reconnectInitialMs,
      reconnectMaxMs: resolved.reconnectMaxMs,
      graceMs: resolved.graceMs,
      seed: resolved.seed,
      rateMetrics: translation.rateMetrics,
      http,
      thresholds: [
        ...translation.thresholds,
        { source: DROPPED_ITERATIONS_THRESHOLD, k6Metric: 'dropped_iterations', k6Expression: 'count==0' },
      ],
    },
    options: {
      scenarios,
      thresholds: k6Thresholds,
      summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(50)', 'p(90)', 'p(95)', 'p(99)', 'p(99.9)', 'count'],
      setupTimeout: '120s',
      tags: { capsim_scenario: scenario.name ?? 'scenario' },
    },
    untranslated: translation.untranslated,
    peakConnections,
    totalVus,
    peakMessagesPerSecond: perUserPerSecond * peakMultiplier * peakConnections,
    testDurationMs: sendEndMs + resolved.graceMs,
    scale,
    notes,
  };
}
