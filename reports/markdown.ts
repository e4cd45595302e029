/** Markdown summary of a report, for a pull-request comment: verdict, required-vs-measured, calibration. */
import { formatNumber, formatRatioCell, formatValue } from './format.js';
import type { ReportInput } from './inputs.js';
import { summarizeVerdict } from './verdict.js';

/** Escapes the characters that would break a Markdown table cell. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

export function buildMarkdown(input: ReportInput): string {
  const summary = summarizeVerdict(input);
  const mark = summary.verdict === 'ready' ? '🟢' : summary.verdict === 'not ready' ? '🔴' : '⚪';
  const lines: string[] = [
    `## capsim: ${input.scenario.name} — ${mark} **${summary.verdict.toUpperCase()}**`,
    '',
  ];
  if (input.scenario.source !== undefined) lines.push(`Source document: \`${input.scenario.source}\``, '');
  for (const failure of summary.failures) lines.push(`- ✗ ${cell(failure)}`);
  for (const note of input.notes ?? []) lines.push(`- note: ${cell(note)}`);
  if (summary.failures.length > 0 || (input.notes ?? []).length > 0) lines.push('');
  if (summary.rows.length > 0) {
    const measuredHeader = summary.rows.every((row) => row.basis === 'current')
      ? 'Current (document)'
      : 'Measured';
    lines.push(`| Dimension | Required | ${measuredHeader} | Ratio | Status |`, '|---|---:|---:|---:|---|');
    for (const row of summary.rows) {
      const status = row.status === 'pass' ? '✅ OK' : row.status === 'fail' ? '🔴 FAIL' : '⚪ not measured';
      lines.push(
        `| ${cell(row.dimension)} | ${cell(formatValue(row.required, row.unit))} | ${cell(formatValue(row.measured, row.unit))} | ${formatRatioCell(row)} | ${status} |`,
      );
    }
    lines.push('');
  }
  const thresholds = (input.loadTests ?? []).flatMap((test) =>
    test.thresholds.map((threshold) => ({ test, threshold })),
  );
  if (thresholds.length > 0) {
    lines.push('| Threshold | Run | Actual | Status |', '|---|---|---:|---|');
    for (const { test, threshold } of thresholds) {
      const actual =
        threshold.actual === undefined ? '—' : formatValue(threshold.actual, threshold.unit ?? '');
      lines.push(
        `| \`${cell(threshold.expression)}\` | ${cell(test.label)} | ${cell(actual)} | ${threshold.pass ? '✅ OK' : '🔴 FAIL'} |`,
      );
    }
    lines.push('');
  }
  for (const row of input.calibration ?? []) {
    const money = (value: number | undefined): string =>
      value === undefined ? '' : `, $${formatNumber(value)}/month`;
    lines.push(
      `**Calibration** — the document assumes ${formatNumber(row.assumedPerInstance)} ${row.unit} per instance → ${formatNumber(row.assumedInstances)} instances${money(row.assumedMonthlyCostUsd)}; measured ${formatNumber(row.measuredPerInstance)} → ${formatNumber(row.measuredInstances)} instances${money(row.measuredMonthlyCostUsd)}.`,
      ...(row.caveat === undefined ? [] : ['', `_${row.caveat}_`]),
      '',
    );
  }
  if (input.simulation?.slo !== undefined) {
    lines.push(
      `Simulation: ${input.simulation.slo.description} — ${input.simulation.slo.pass ? 'met' : '**not met**'}.`,
      '',
    );
  }
  if (input.model !== undefined && input.model.checks.length > 0) {
    const passed = input.model.checks.filter((check) => check.pass).length;
    lines.push(`Model reproduces the document: ${passed}/${input.model.checks.length} checks pass.`, '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
