/** Renders the validation cases as an aligned plain-text table (pure). */
import type { SimValidationCase } from './validation.js';

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude >= 1e7 || magnitude < 1e-3)) return value.toExponential(3);
  return Number(value.toPrecision(5)).toString();
}

export function renderValidationTable(cases: SimValidationCase[]): string {
  const header = ['case', 'metric', 'expected', 'simulated', 'rel.err', '95% CI', 'tolerance', 'result'];
  const rows = cases.map((c) => [
    c.name,
    c.metric,
    formatNumber(c.expected),
    formatNumber(c.simulated),
    `${(c.relativeError * 100).toFixed(2)}%`,
    `[${formatNumber(c.ciLow)}, ${formatNumber(c.ciHigh)}]`,
    `${(c.tolerance * 100).toFixed(0)}%`,
    c.pass ? 'pass' : 'FAIL',
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]))
      .join('  ')
      .trimEnd();
  const passed = cases.filter((c) => c.pass).length;
  return [
    line(header),
    ...rows.map(line),
    '',
    `${passed}/${cases.length} cases pass (a case passes when the expected value lies in the 95 % CI of the replications, or within its tolerance)`,
  ].join('\n');
}
