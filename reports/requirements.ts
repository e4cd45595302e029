/**
 * The required-vs-measured rows of a load test: what the run's plan and the scenario's SLO require,
 * beside what the load generator and the server's /metrics measured.
 */
import type { LoadTestResult } from '../loadgen/outputs/result-schema.js';
import type { Scenario } from '../scenarios/schema.js';
import { pointValue, type Quantity } from '../scenarios/quantity.js';
import { meanServerValue, serverMetricKeys, sustainedPerSecond } from './adapt-loadtest.js';
import type { ReportModelMetric, RequirementRow } from './inputs.js';
import { formatNumber } from './format.js';

/** Least slack for a measured rate below its target. */
export const rateTolerance = 0.05;

/**
 * Slack for a rate measured over `seconds` at `perSecond`: Poisson arrivals make the count of a window
 * vary with standard deviation √(λT), a relative √(λT)/(λT) = 1/√(λT); allow two of those, at least 5 %.
 */
export function poissonTolerance(perSecond: number, seconds: number): number {
  const expected = perSecond * seconds;
  if (!(expected > 0)) return rateTolerance;
  return Math.max(rateTolerance, 2 / Math.sqrt(expected));
}

const percentileKeys = ['p50', 'p90', 'p95', 'p99', 'p999', 'max'] as const;
type PercentileKey = (typeof percentileKeys)[number];
type LatencySummary = LoadTestResult['latency']['ack'];

function measuredPercentile(summary: LatencySummary, key: PercentileKey): number | undefined {
  if (summary.count === 0) return undefined;
  const byKey: Record<PercentileKey, number> = {
    p50: summary.p50Ms,
    p90: summary.p90Ms,
    p95: summary.p95Ms,
    p99: summary.p99Ms,
    p999: summary.p999Ms,
    max: summary.maxMs,
  };
  return byKey[key];
}

function latencyRows(
  kind: 'ack' | 'delivery',
  targets: Partial<Record<PercentileKey, number>> | undefined,
  result: LoadTestResult,
): RequirementRow[] {
  const label = kind === 'ack' ? 'ACK' : 'Delivery';
  const sloPath = kind === 'ack' ? 'slo.ackLatencyMs' : 'slo.deliveryLatencyMs';
  return percentileKeys
    .filter((key) => targets?.[key] !== undefined)
    .map((key) => ({
      id: `latency.${kind}.${key}`,
      dimension: `${label} latency ${key}`,
      unit: 'ms',
      required: targets![key]!,
      measured: measuredPercentile(result.latency[kind], key),
      direction: 'atMost' as const,
      requiredFormula: `${sloPath}.${key} = ${targets![key]} ms (scenario SLO)`,
      measuredFrom: `${kind === 'ack' ? 'send → ACK' : 'send → delivered'} ${key} over ${formatNumber(result.latency[kind].count)} samples, measured from the intended send time (HDR histogram, merged over workers)`,
    }));
}

function quantityValue(value: Quantity | undefined, fallback: number): number {
  return value === undefined ? fallback : pointValue(value);
}

export interface LoadRequirementContext {
  scenario?: Scenario;
  /** The model's metrics, for the DB-operations budget per message. */
  modelMetrics?: Record<string, ReportModelMetric>;
}

export function loadTestRequirementRows(
  result: LoadTestResult,
  context: LoadRequirementContext = {},
): RequirementRow[] {
  const rows: RequirementRow[] = [];
  const slice = result.slice
    ? ` (slice ${result.slice.index + 1}/${result.slice.count}: one instance's share, scaled to this run)`
    : '';
  const connections = result.summary.connections;
  rows.push({
    id: 'connections.perInstance',
    dimension: 'Connections per instance',
    unit: 'connections',
    required: connections.target,
    measured: connections.maxOpen,
    direction: 'atLeast',
    requiredFormula: `load plan: ${formatNumber(connections.target)} connections${slice}${scaleOf(connections.target, context.scenario)}`,
    measuredFrom: `most connections open at once (${formatNumber(connections.attempts)} attempts, ${formatNumber(connections.errors)} errors, ${formatNumber(connections.reconnects)} reconnects)`,
  });

  const peakTarget = Math.max(0, ...result.timeSeries.map((row) => row.targetMessagesPerSecond));
  const acked = sustainedPerSecond(result, 'acked');
  if (peakTarget > 0) {
    rows.push({
      id: 'messages.perSecond.peak',
      dimension: 'Messages/s at peak',
      unit: 'msg/s',
      required: peakTarget,
      measured: acked.value,
      direction: 'atLeast',
      tolerance: poissonTolerance(peakTarget, acked.seconds),
      requiredFormula: `load plan: peak target ${formatNumber(peakTarget)} msg/s${slice}`,
      measuredFrom: `mean ACKed messages per second over the ${acked.seconds} seconds at the peak target`,
    });
  }

  const slo = context.scenario?.slo;
  rows.push(
    ...latencyRows('ack', slo?.ackLatencyMs, result),
    ...latencyRows('delivery', slo?.deliveryLatencyMs, result),
  );

  if (peakTarget > 0) {
    const writesPerMessage = quantityValue(context.scenario?.database?.writesPerMessage, 1);
    const fromServer = meanServerValue(result, serverMetricKeys.messagesAcceptedPerSecond);
    rows.push({
      id: 'storage.writesPerSecond',
      dimension: 'Storage writes/s',
      unit: 'writes/s',
      required: peakTarget * writesPerMessage,
      measured: fromServer === undefined ? acked.value * writesPerMessage : fromServer * writesPerMessage,
      direction: 'atLeast',
      tolerance: poissonTolerance(peakTarget * writesPerMessage, acked.seconds),
      requiredFormula: `peak msg/s × database.writesPerMessage = ${formatNumber(peakTarget)} × ${formatNumber(writesPerMessage)}`,
      measuredFrom:
        fromServer === undefined
          ? 'ACKed messages per second (the server ACKs only once a message is durable) × writes per message'
          : `server /metrics: rate of capsim_messages_accepted_total (messages made durable) over the peak × ${formatNumber(writesPerMessage)} writes per message`,
    });
    const dbBudget = dbOpsPerMessage(context.modelMetrics);
    const transactions = meanServerValue(result, serverMetricKeys.storageTransactionsPerSecond);
    if (dbBudget !== undefined && transactions !== undefined) {
      rows.push({
        id: 'database.opsPerSecond',
        dimension: 'DB operations/s (issued vs model budget)',
        unit: 'ops/s',
        required: peakTarget * dbBudget.opsPerMessage,
        measured: transactions,
        direction: 'atMost',
        requiredFormula: `peak msg/s × (database.opsPerSecond ÷ messages.perSecond.avg) = ${formatNumber(peakTarget)} × ${formatNumber(dbBudget.opsPerMessage)} (${dbBudget.formula})`,
        measuredFrom:
          'server /metrics: rate of capsim_storage_transactions_total (group commits of the write buffer) over the peak',
      });
    }
  }

  const checker = result.checker;
  const counts: [string, string, number, string][] = [
    [
      'messages.lost',
      'Lost messages',
      checker.lost,
      `ACKed but never delivered within the ${formatNumber(result.drainMs / 1000)} s grace period, of ${formatNumber(checker.expectedDeliveries)} expected deliveries`,
    ],
    [
      'messages.duplicated',
      'Duplicated messages',
      checker.duplicated,
      `deliveries of a message the recipient already had, of ${formatNumber(checker.deliveries)} deliveries`,
    ],
    [
      'messages.outOfOrder',
      'Out-of-order messages',
      checker.outOfOrder,
      'deliveries below the highest sequence number already seen in the conversation',
    ],
  ];
  for (const [id, dimension, measured, measuredFrom] of counts) {
    rows.push({
      id,
      dimension,
      unit: 'messages',
      required: 0,
      measured,
      direction: 'atMost',
      requiredFormula: 'no message may be lost, duplicated or reordered (002 review)',
      measuredFrom,
    });
  }
  return rows;
}

/** "; 1/500,000 of workload.concurrentConnections (50,000,000)" — how far the run is scaled down. */
function scaleOf(connections: number, scenario: Scenario | undefined): string {
  const full = scenario?.workload.concurrentConnections;
  if (full === undefined || connections <= 0) return '';
  const fullValue = pointValue(full);
  if (!(fullValue > connections)) return '';
  return `; 1/${formatNumber(Math.round(fullValue / connections))} of workload.concurrentConnections (${formatNumber(fullValue)})`;
}

function dbOpsPerMessage(
  metrics: Record<string, ReportModelMetric> | undefined,
): { opsPerMessage: number; formula: string } | undefined {
  const ops = metrics?.['database.opsPerSecond'];
  const messages = metrics?.['messages.perSecond.avg'];
  if (ops === undefined || messages === undefined || !(messages.value > 0)) return undefined;
  return {
    opsPerMessage: ops.value / messages.value,
    formula: `${formatNumber(ops.value)} ÷ ${formatNumber(messages.value)}`,
  };
}
