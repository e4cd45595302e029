/**
 * Terminal rendering of a model result (pure): metrics grouped like the documents' summary tables, with
 * status marks (shortfall > 1 or utilization > 1 is critical, utilization above 80 % is a warning, within
 * headroom is ok), then the checks against the document and a one-line verdict.
 */
import type { ModelResult } from './evaluate.js';
import { formatCompact, formatNumber } from './format.js';
import type { SweepResult } from './sweep.js';
import type { SensitivityRanking } from './sensitivity.js';

export type MetricStatus = 'ok' | 'warn' | 'critical';

/** Status of a metric whose id says what a good value is (shortfalls and utilizations). */
export function metricStatus(id: string, value: number): MetricStatus | undefined {
  if (/(^|\.)(shortfall|dauShortfall)(\.|$)/.test(id)) return value > 1 ? 'critical' : 'ok';
  if (/(^|\.)utilization$/.test(id)) return value > 1 ? 'critical' : value > 0.8 ? 'warn' : 'ok';
  return undefined;
}

const marks: Record<MetricStatus, string> = { ok: '✓ ok', warn: '! high', critical: '✗ critical' };

const groupTitles: Record<string, string> = {
  workload: 'Workload',
  current: "Today's capacity",
  messages: 'Message throughput',
  users: 'Users',
  operations: 'Daily operations',
  database: 'Database load',
  writeBuffer: 'Write buffering',
  storage: 'Storage',
  tiering: 'Storage tiering',
  caching: 'Caching',
  bandwidth: 'Bandwidth',
  costs: 'Monthly cost',
  policies: 'Policies',
  slo: 'Service levels',
  broadcast: 'Broadcast',
  phases: 'Scaling phases',
};

function groupOf(id: string): { key: string; title: string; rest: string } {
  const parts = id.split('.');
  if (parts[0] === 'components' || parts[0] === 'phases') {
    const key = `${parts[0]}.${parts[1]}`;
    return {
      key,
      title: parts[0] === 'components' ? `Component ${parts[1]}` : `Phase ${parts[1]}`,
      rest: parts.slice(2).join('.'),
    };
  }
  return { key: parts[0], title: groupTitles[parts[0]] ?? parts[0], rest: parts.slice(1).join('.') };
}

/** Durations read better in full (7,776,000 s) than abbreviated (7.776 M s). */
const plainUnits = new Set(['s', 'ms', 'h', 'days', 'min/month', 'bytes']);

function valueText(value: number, unit: string): string {
  if (unit === 'fraction') return `${formatNumber(value * 100)} %`;
  if (plainUnits.has(unit)) return `${formatNumber(value)} ${unit}`;
  return `${formatCompact(value)} ${unit}`.trim();
}

function rangeText(value: number, unit: string): string {
  return unit === 'fraction' ? `${formatNumber(value * 100)} %` : formatCompact(value);
}

/** Pads each column of `rows` to its widest cell. */
export function alignColumns(rows: string[][], rightAligned: ReadonlySet<number> = new Set()): string[] {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, [...cell].length)));
  return rows.map((row) =>
    row
      .map((cell, index) => {
        const pad = ' '.repeat(widths[index] - [...cell].length);
        return rightAligned.has(index) ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd(),
  );
}

export interface RenderOptions {
  /** Show each metric's formula as a last column. */
  formulas?: boolean;
  /** Headline metric ids, shown first as the verdict block. */
  summary?: readonly string[];
  /** The scenario's `expect[i].comment`, shown under checks whose figure differs from the document's. */
  checkComments?: readonly (string | undefined)[];
  /** Scenario title and source document, for the heading. */
  title?: string;
  source?: string;
}

export function renderModelText(result: ModelResult, options: RenderOptions = {}): string {
  const heading = [
    `capsim model — ${result.scenario}`,
    options.title ? `: ${options.title}` : '',
    options.source ? ` (${options.source})` : '',
  ].join('');
  const lines: string[] = [heading, ''];
  const groups = new Map<string, { title: string; rows: string[][] }>();
  const hasRanges = Object.values(result.metrics).some((metric) => metric.p10 !== undefined);
  const summary = (options.summary ?? []).filter((id) => result.metrics[id] !== undefined);
  if (summary.length > 0) groups.set('summary', { title: 'Summary', rows: [] });
  const rowOf = (label: string, id: string): string[] => {
    const metric = result.metrics[id];
    const status = metricStatus(id, metric.value);
    const range =
      metric.p10 !== undefined && metric.p90 !== undefined && metric.p10 !== metric.p90
        ? `p10–p90 ${rangeText(metric.p10, metric.unit)} – ${rangeText(metric.p90, metric.unit)}`
        : '';
    const row = ['  ' + label, valueText(metric.value, metric.unit)];
    if (hasRanges) row.push(range);
    row.push(status ? marks[status] : '');
    if (options.formulas) row.push(metric.formula);
    return row;
  };
  for (const id of summary) groups.get('summary')?.rows.push(rowOf(id, id));
  for (const id of Object.keys(result.metrics)) {
    const { key, title, rest } = groupOf(id);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { title, rows: [] }));
    group.rows.push(rowOf(rest === '' ? id : rest, id));
  }
  for (const group of groups.values()) {
    lines.push(group.title);
    lines.push(...alignColumns(group.rows, new Set([1])));
    lines.push('');
  }
  if (result.checks.length > 0) lines.push(...renderChecks(result, options.checkComments), '');
  return lines.join('\n');
}

/** The checks table; `comments[i]` (the scenario's `expect[i].comment`) is printed under a row that differs. */
export function renderChecks(result: ModelResult, comments: readonly (string | undefined)[] = []): string[] {
  const rows = result.checks.map((check) => {
    const raw =
      check.expected === 0 ? check.actual : (check.actual - check.expected) / Math.abs(check.expected);
    const difference = Math.abs(raw) < 1e-9 ? 0 : raw; // floating-point dust is not a difference
    return [
      check.pass ? '  ✓' : '  ✗',
      check.id,
      formatNumber(check.expected),
      formatNumber(check.actual),
      `${difference >= 0 ? '+' : ''}${formatNumber(difference * 100)} %`,
      `±${formatNumber(check.tolerance * 100)} %`,
      check.source,
    ];
  });
  const passed = result.checks.filter((check) => check.pass).length;
  const table = alignColumns(
    [['', 'check', 'document', 'model', 'diff', 'tolerance', 'source'], ...rows],
    new Set([2, 3, 4, 5]),
  );
  const lines = [`Checks against the document (${passed}/${result.checks.length} pass)`, table[0]];
  result.checks.forEach((check, index) => {
    lines.push(table[index + 1]);
    const comment = comments[index];
    if (comment !== undefined && (check.actual !== check.expected || !check.pass))
      lines.push(`       ↳ ${comment}`);
  });
  return lines;
}

export function renderSweepText(sweep: SweepResult): string {
  const header = [sweep.input, ...sweep.metrics];
  const rows = sweep.rows.map((row) => [
    formatNumber(row.value),
    ...sweep.metrics.map((id) => (row.metrics[id] === null ? '—' : formatNumber(row.metrics[id] as number))),
  ]);
  return [
    `Sweep of ${sweep.input}`,
    ...alignColumns([header, ...rows], new Set(header.map((_, index) => index))),
  ].join('\n');
}

export function renderSensitivityText(rankings: readonly SensitivityRanking[]): string {
  const lines: string[] = [];
  for (const ranking of rankings) {
    lines.push(`Sensitivity of ${ranking.metric} (base ${formatCompact(ranking.base)})`);
    const rows = ranking.inputs.map((input) => [
      '  ' + input.input,
      `${formatNumber(input.inputLow)} → ${formatNumber(input.inputHigh)}`,
      `${formatCompact(input.outputAtLow)} → ${formatCompact(input.outputAtHigh)}`,
      `swing ${formatCompact(input.swing)}`,
    ]);
    lines.push(...alignColumns(rows), '');
  }
  return lines.join('\n');
}
