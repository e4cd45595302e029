/** Number and text formatting shared by the HTML, Markdown and JUnit renderers. */

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/**
 * A number for people: thousands separators, at most 3 significant decimals for small values,
 * integers for large ones ("5,000", "0.125", "1.5e-7" for tiny ones).
 */
export function formatNumber(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '—';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && magnitude < 1e-3) return value.toExponential(2);
  const maximumFractionDigits = magnitude >= 1000 ? 0 : magnitude >= 10 ? 1 : 3;
  return value.toLocaleString('en-US', { maximumFractionDigits });
}

/** A number with its unit ("5,000 connections", "95 ms", "$1,200/month"). */
export function formatValue(value: number | undefined, unit: string): string {
  if (value === undefined || Number.isNaN(value)) return '—';
  if (unit === 'USD' || unit === 'USD/month' || unit === '$/month') {
    return `$${formatNumber(value)}${unit === 'USD' ? '' : '/month'}`;
  }
  if (unit === '' || unit === '1') return formatNumber(value);
  if (unit === '%') return `${formatNumber(value)}%`;
  return `${formatNumber(value)} ${unit}`;
}

/** A ratio as the documents write it ("52×", "0.8×"). */
export function formatRatio(ratio: number | undefined): string {
  if (ratio === undefined || Number.isNaN(ratio)) return '—';
  if (!Number.isFinite(ratio)) return '∞';
  const digits = ratio >= 10 ? 0 : ratio >= 1 ? 2 : 3;
  return `${ratio.toLocaleString('en-US', { maximumFractionDigits: digits })}×`;
}

/** Bytes as MiB/GiB for the server resource figures. */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '—';
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  if (bytes >= 2 ** 10) return `${(bytes / 2 ** 10).toFixed(1)} KiB`;
  return `${bytes} B`;
}

/**
 * The ratio cell: measured ÷ required, and for a dimension that falls short of an `atLeast`
 * requirement also the gap the documents quote ("0.019× (52× short)").
 */
export function formatRatioCell(row: {
  ratio?: number;
  direction: 'atLeast' | 'atMost';
  status: string;
}): string {
  const { ratio } = row;
  const text = formatRatio(ratio);
  if (ratio === undefined || row.direction !== 'atLeast' || row.status !== 'fail' || ratio <= 0) return text;
  return `${text} (${formatRatio(1 / ratio)} short)`;
}
