/**
 * What a report is built from. The renderers (HTML, Markdown, JUnit) only read these plain shapes,
 * so they stay pure and testable; adapters in reports/adapt-*.ts turn the model's, the simulation's and
 * the load generator's results into them.
 */

import type { CheckResult } from '../model/checks.js';
import type { Metric } from '../model/context.js';

/** Percentiles of a latency distribution, in milliseconds. */
export interface LatencyPercentilesMs {
  p50?: number;
  p95?: number;
  p99?: number;
  max?: number;
}

/** One derived metric of the analytic model (issue 2 JSON: `metrics[id]`); the model's own type. */
export type ReportModelMetric = Metric;

/** One reproduction check of the model against its source document; the model's own type. */
export type ReportModelCheck = CheckResult;

/** Sensitivity of one output to each input (tornado): output at the input's low and high value. */
export interface ReportSensitivity {
  outputId: string;
  outputUnit: string;
  baseline: number;
  inputs: { inputPath: string; low: number; high: number; outputAtLow: number; outputAtHigh: number }[];
}

/** A `--sweep`: chosen metrics tabulated across one input's range. */
export interface ReportSweep {
  inputPath: string;
  rows: { inputValue: number; metrics: Record<string, number> }[];
}

/** One line of the monthly cost breakdown. */
export interface ReportCostItem {
  component: string;
  monthlyCostUsd: number;
}

export interface ReportModel {
  metrics: Record<string, ReportModelMetric>;
  checks: ReportModelCheck[];
  costBreakdown?: ReportCostItem[];
  sensitivity?: ReportSensitivity[];
  sweeps?: ReportSweep[];
}

/** One station of the discrete-event simulation. */
export interface ReportStation {
  name: string;
  /** Busy fraction of the station's servers, 0..1 (mean over replications). */
  utilization: number;
  /** 95 % confidence interval of the utilization over replications. */
  utilizationCi?: [number, number];
  /** λ·E[S]/c from the analytic model's offered load, for comparison. */
  analyticUtilization?: number;
  queueLengthMean: number;
  queueLengthMax: number;
  waitMs?: LatencyPercentilesMs;
  throughputPerSecond?: number;
  drops?: number;
  /** Queue length over simulated time, for the backlog chart. */
  backlog?: { timeS: number; queueLength: number }[];
}

export interface ReportSimulation {
  durationS: number;
  replications?: number;
  /** "1 of K gateways" style description of the simulated slice; 1 = whole system. */
  sliceFactor?: number;
  sliceDescription?: string;
  stations: ReportStation[];
  endToEndLatencyMs?: LatencyPercentilesMs;
  /** The SLO verdict of the simulated end-to-end latency. */
  slo?: { description: string; pass: boolean };
}

/** One second of a load test. */
export interface ReportLoadSample {
  timeS: number;
  sentPerSecond: number;
  ackedPerSecond: number;
  deliveredPerSecond: number;
  openConnections: number;
  targetConnections?: number;
  errorsPerSecond?: number;
  ackLatencyMs?: LatencyPercentilesMs;
  deliveryLatencyMs?: LatencyPercentilesMs;
}

/** One scrape of the server's /metrics during a load test. */
export interface ReportServerSample {
  timeS: number;
  cpuPercent?: number;
  rssBytes?: number;
  eventLoopLagMs?: number;
}

/** One threshold of a load test (`delivery_latency: p95 < 100ms`) and its verdict. */
export interface ReportThreshold {
  expression: string;
  pass: boolean;
  actual?: number;
  unit?: string;
}

export interface ReportLoadTest {
  label: string;
  /** e.g. "slice 1/5000: one gateway's share"; absent for a full-scale run. */
  slice?: string;
  durationS: number;
  targetMessagesPerSecond?: number;
  samples: ReportLoadSample[];
  server?: ReportServerSample[];
  ackLatencyMs?: LatencyPercentilesMs;
  deliveryLatencyMs?: LatencyPercentilesMs;
  connectLatencyMs?: LatencyPercentilesMs;
  /** Messages replayed from the inbox to a recipient that reconnected, from the intended send time. */
  inboxLatencyMs?: LatencyPercentilesMs;
  counts: {
    sent: number;
    acked: number;
    delivered: number;
    lost: number;
    duplicated: number;
    outOfOrder: number;
  };
  thresholds: ReportThreshold[];
  /** Generator CPU, so a saturated generator is not mistaken for a slow server. */
  generatorCpuPercent?: number;
}

/**
 * One capacity dimension of the verdict table. `atLeast`: measured must reach required
 * (connections, messages/s); `atMost`: measured must stay under it (latency, lost messages).
 */
export interface RequirementRow {
  id: string;
  dimension: string;
  unit: string;
  required: number;
  measured?: number;
  direction: 'atLeast' | 'atMost';
  /**
   * Where `measured` comes from: `measured` (a load test or simulation, the default) or `current`
   * (today's capacity as the document states it — a model-only report's gap table).
   */
  basis?: 'measured' | 'current';
  /** Relative slack for `atLeast` rows whose measurement is a noisy rate (0.05 = within 5 %). */
  tolerance?: number;
  /** How the required value was derived (shown under "how we got this"). */
  requiredFormula?: string;
  /** Where the measured value comes from. */
  measuredFrom?: string;
}

/**
 * The measured per-instance capacity substituted into the model: the document's assumption beside the
 * fleet and cost the model derives from the measurement (both evaluated by the model, not here).
 */
export interface CalibrationRow {
  dimension: string;
  unit: string;
  assumedPerInstance: number;
  measuredPerInstance: number;
  assumedInstances: number;
  measuredInstances: number;
  assumedMonthlyCostUsd?: number;
  measuredMonthlyCostUsd?: number;
  /** The model's formulas for the measured case ("how we got this"). */
  formulas?: string[];
  /** How firm the measured figure is (e.g. estimated from a small run). */
  caveat?: string;
}

/** One step of `capsim loadtest --find-capacity`. */
export interface ReportCapacityStep {
  step: number;
  users: number;
  offeredMessagesPerSecond: number;
  ackedMessagesPerSecond: number;
  maxOpenConnections: number;
  ackP99Ms: number;
  deliveryP99Ms: number;
  pass: boolean;
  /** The thresholds this step failed. */
  failed: string[];
}

/** `--find-capacity`: the load stepped up until a threshold failed; the last passing step is the capacity. */
export interface ReportCapacity {
  mode: 'messages' | 'connections';
  maxSustainableMessagesPerSecond: number | null;
  maxSustainableConnections: number | null;
  /** The generator saturated first: the server's true capacity is higher than measured. */
  limitedByGenerator: boolean;
  steps: ReportCapacityStep[];
}

export interface ReportInput {
  title?: string;
  scenario: { name: string; source?: string; description?: string };
  /** ISO time the results were produced (passed in so rendering stays pure). */
  generatedAt?: string;
  model?: ReportModel;
  simulation?: ReportSimulation;
  loadTests?: ReportLoadTest[];
  capacity?: ReportCapacity;
  requirements?: RequirementRow[];
  calibration?: CalibrationRow[];
  /** Things the reader must know (e.g. "load test skipped: server unavailable"). */
  notes?: string[];
}
