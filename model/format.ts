/** Number formatting for formulas and tables: thousands separators, up to 4 significant decimals. */

/** Intl formatters are expensive to create: one per number of decimals, made once. */
const formatters = new Map<number, Intl.NumberFormat>();
function formatter(decimals: number): Intl.NumberFormat {
  let cached = formatters.get(decimals);
  if (cached === undefined) {
    cached = new Intl.NumberFormat('en-US', { maximumFractionDigits: decimals });
    formatters.set(decimals, cached);
  }
  return cached;
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude >= 1e15 || magnitude < 1e-4)) return value.toExponential(3);
  const decimals = magnitude >= 1000 ? 1 : magnitude >= 1 ? 3 : 5;
  const rounded = Number(value.toFixed(decimals));
  return formatter(decimals).format(rounded);
}

/** Short human form for tables: 7.5 B, 86.8 K, 0.05. */
export function formatCompact(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  // [show from, divide by, suffix]: thousands only from 10,000 up, so 5,000 stays 5,000.
  const units: [number, number, string][] = [
    [1e12, 1e12, 'T'],
    [1e9, 1e9, 'B'],
    [1e6, 1e6, 'M'],
    [1e4, 1e3, 'K'],
  ];
  for (const [from, scale, suffix] of units) {
    if (magnitude >= from) {
      const scaled = value / scale;
      const digits = Math.abs(scaled) >= 100 ? 1 : Math.abs(scaled) >= 10 ? 2 : 3;
      return `${formatter(digits).format(Number(scaled.toFixed(digits)))} ${suffix}`;
    }
  }
  return formatNumber(value);
}
