/**
 * Durations and rates as users write them in scenarios and flags: `30s`, `500ms`, `2m`, `1h`, or a
 * bare number of seconds. Kept as strings in the schema (so the JSON Schema stays exact) and turned
 * into milliseconds here.
 */
import { CapsimError } from '../common/errors.js';

export const durationPattern = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/;

const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `30s` / `500ms` / `2m` / `1.5h` / `45` (seconds) into milliseconds. */
export function parseDurationMs(value: string | number, field = 'duration'): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw badDuration(String(value), field);
    return value * 1000;
  }
  const match = durationPattern.exec(value);
  if (!match) throw badDuration(value, field);
  return Number(match[1]) * unitMs[match[2] ?? 's'];
}

function badDuration(found: string, field: string): CapsimError {
  return new CapsimError('E_BAD_DURATION', `${field}: not a duration`, {
    problems: [
      {
        path: field,
        message: 'not a duration',
        expected: 'e.g. 30s, 500ms, 2m, 1h or a number of seconds',
        found,
      },
    ],
  });
}

/** Formats milliseconds compactly for dashboards: 950ms, 12.5s, 3m05s. */
export function formatDurationMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes}m${String(seconds).padStart(2, '0')}s`;
}
