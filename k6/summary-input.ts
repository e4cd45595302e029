/**
 * Reads k6 end-of-test summaries in the forms a user may hand to `capsim report`, and normalises them
 * to one shape (metric → type and values):
 * - the document the capsim script's handleSummary() writes (`{ capsim: {...}, metrics, state }`), as a
 *   file (CAPSIM_SUMMARY_PATH) or as `CAPSIM_K6_SUMMARY {json}` lines in runner logs (`kubectl logs`);
 * - any k6 handleSummary() data (`metrics.<name>.values`, thresholds `{ ok }`);
 * - the legacy `k6 run --summary-export` file (stats directly on each metric; thresholds map to
 *   `true` when the threshold *failed*).
 */
import { CapsimError } from '../common/errors.js';

export interface K6MetricSummary {
  type: 'counter' | 'gauge' | 'rate' | 'trend';
  values: Record<string, number>;
  /** k6 expression → passed. */
  thresholds: Record<string, boolean>;
}

export interface K6CapsimMeta {
  scenario?: string;
  thresholds?: { source: string; k6Metric: string; k6Expression: string }[];
  executionSegment?: string;
  target?: string;
  users?: number;
  peakConnections?: number;
  sendEndMs?: number;
  graceMs?: number;
  finishedAt?: string;
}

export interface K6InstanceSummary {
  meta: K6CapsimMeta;
  metrics: Record<string, K6MetricSummary>;
  testRunDurationMs: number | null;
}

export const summaryLineMarker = 'CAPSIM_K6_SUMMARY ';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numbers(record: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(record)) if (typeof value === 'number') out[key] = value;
  return out;
}

function inferType(values: Record<string, number>, declared: unknown): K6MetricSummary['type'] {
  if (declared === 'counter' || declared === 'gauge' || declared === 'rate' || declared === 'trend')
    return declared;
  if ('passes' in values || 'fails' in values) return 'rate';
  if ('avg' in values || 'med' in values) return 'trend';
  if ('count' in values) return 'counter';
  return 'gauge';
}

function bad(message: string, found: string): CapsimError {
  return new CapsimError('E_K6_SUMMARY', `not a k6 summary: ${message}`, {
    problems: [
      {
        message,
        expected:
          'k6 handleSummary() JSON, `--summary-export` JSON, or runner logs with CAPSIM_K6_SUMMARY lines',
        found,
      },
    ],
  });
}

/** Normalises one parsed summary object. */
export function readInstanceSummary(document: unknown): K6InstanceSummary {
  if (!isRecord(document) || !isRecord(document.metrics)) throw bad('no `metrics` object', typeof document);
  const metrics: Record<string, K6MetricSummary> = {};
  for (const [name, raw] of Object.entries(document.metrics)) {
    if (!isRecord(raw)) continue;
    const modern = isRecord(raw.values);
    const values = numbers(modern ? (raw.values as Record<string, unknown>) : raw);
    const thresholds: Record<string, boolean> = {};
    if (isRecord(raw.thresholds)) {
      for (const [expression, verdict] of Object.entries(raw.thresholds)) {
        // handleSummary: { ok: boolean }; --summary-export: boolean meaning "failed".
        if (isRecord(verdict) && typeof verdict.ok === 'boolean') thresholds[expression] = verdict.ok;
        else if (typeof verdict === 'boolean') thresholds[expression] = !verdict;
      }
    }
    metrics[name] = { type: inferType(values, raw.type), values, thresholds };
  }
  const meta = isRecord(document.capsim) ? (document.capsim as K6CapsimMeta) : {};
  const state = isRecord(document.state) ? document.state : {};
  const duration = typeof state.testRunDurationMs === 'number' ? state.testRunDurationMs : null;
  return { meta, metrics, testRunDurationMs: duration };
}

/**
 * Accepts a parsed document, an array of them (one per k6 instance), or text: a JSON document,
 * or logs holding one `CAPSIM_K6_SUMMARY {json}` line per instance.
 */
export function readSummaries(input: unknown): K6InstanceSummary[] {
  if (Array.isArray(input)) return input.flatMap((item) => readSummaries(item));
  if (typeof input !== 'string') return [readInstanceSummary(input)];
  const lines = input.split('\n').filter((line) => line.includes(summaryLineMarker));
  if (lines.length > 0) {
    return lines.map((line) => {
      const json = line.slice(line.indexOf(summaryLineMarker) + summaryLineMarker.length).trim();
      try {
        return readInstanceSummary(JSON.parse(json));
      } catch (error) {
        if (error instanceof CapsimError) throw error;
        throw bad('a CAPSIM_K6_SUMMARY line is not JSON (truncated log?)', json.slice(0, 80));
      }
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch {
    throw bad('neither JSON nor logs with CAPSIM_K6_SUMMARY lines', input.slice(0, 80));
  }
  return readSummaries(parsed);
}

/** True when `input` (parsed JSON) looks like a k6 summary: lets `capsim report` route files. */
export function isK6Summary(input: unknown): boolean {
  if (typeof input === 'string') return input.includes(summaryLineMarker);
  if (Array.isArray(input)) return input.length > 0 && input.every(isK6Summary);
  if (!isRecord(input) || !isRecord(input.metrics)) return false;
  if (isRecord(input.capsim)) return true;
  return (
    Object.values(input.metrics).some(
      (metric) => isRecord(metric) && (isRecord(metric.values) || 'avg' in metric || 'count' in metric),
    ) &&
    ('root_group' in input || 'state' in input || 'options' in input)
  );
}
