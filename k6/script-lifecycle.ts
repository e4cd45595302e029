/**
 * The k6 lifecycle part of every generated script (TypeScript source kept as a string, appended after
 * k6/script-runtime.ts): setup() checks the target, the default function starts one cell per
 * iteration of the connection scenarios, httpPhase() runs the HTTP phases, and handleSummary()
 * prints a human summary plus the CAPSIM_K6_SUMMARY line that k6/import.ts reads.
 */
export const k6LifecycleSource = String.raw`
// ---- k6 lifecycle ----
export function setup(): SetupData {
  const wsUrl = env('CAPSIM_TARGET', PLAN.target);
  const httpUrl = env('CAPSIM_HTTP_URL', httpUrlOf(wsUrl));
  const health = http.get(httpUrl + '/healthz', { tags: { name: 'GET /healthz' } });
  if (health.status !== 200) {
    exec.test.abort('capsim: ' + httpUrl + '/healthz answered ' + health.status + '; is the server running?');
  }
  const runId = env('CAPSIM_RUN_ID', Date.now().toString(36) + Math.floor(Math.random() * 1e6).toString(36));
  return { runId: runId, wsUrl: wsUrl, httpUrl: httpUrl };
}

export default function (data: SetupData): void {
  let segment: SegmentPlan | null = null;
  for (const candidate of PLAN.segments) if (candidate.name === exec.scenario.name) segment = candidate;
  if (segment === null) return;
  const iteration = exec.scenario.iterationInTest;
  if (iteration >= segment.cells) return;
  const cell = segment.firstCell + iteration;
  // exec.scenario.startTime is when this scenario (a rising phase) started; it started at
  // segment.startMs into the test, so the test started segment.startMs earlier.
  const testStartEpochMs = exec.scenario.startTime - segment.startMs;
  const openEpochMs = exec.scenario.startTime + iteration * segment.cellIntervalMs;
  const closeMs = cellCloseMs(cell, segment.endMs);
  const sendEndEpochMs = testStartEpochMs + Math.min(closeMs, PLAN.sendEndMs);
  new Cell(cell, data, testStartEpochMs, openEpochMs, sendEndEpochMs).start();
}

/** One request of an HTTP phase (login storm, history read, health/metrics scrape). */
// Per user (one per VU in k6, where module state is per VU).
const historyTokens: Record<string, string> = {};
export function httpPhase(data: SetupData): void {
  let phase: HttpPhasePlan | null = null;
  for (const candidate of PLAN.http) if (candidate.name === exec.scenario.name) phase = candidate;
  if (phase === null) return;
  const base = data.httpUrl;
  const tags = { tags: { name: phase.endpoint } };
  let response;
  if (phase.endpoint === 'tokens') {
    const userId = 'k6h-' + data.runId + '-' + exec.scenario.iterationInTest;
    response = http.post(base + '/v1/tokens', JSON.stringify({ userId: userId, deviceId: 'k6' }), {
      headers: { 'Content-Type': 'application/json' },
      tags: { name: 'tokens' },
    });
  } else if (phase.endpoint === 'history') {
    // A 1:1 conversation of this VU's own user: members read their history (PROTOCOL.md section 9).
    const userId = 'k6h-' + data.runId + '-vu' + exec.vu.idInTest;
    if (historyTokens[userId] === undefined) historyTokens[userId] = mintToken(userId, base, Math.ceil(phase.durationMs / 1000) + 3600);
    const conversation = 'dm:' + userId + ':' + userId + '-peer';
    response = http.get(base + '/v1/conversations/' + encodeURIComponent(conversation) + '/messages?limit=50', {
      headers: { Authorization: 'Bearer ' + historyTokens[userId] },
      tags: { name: 'history' },
    });
  } else {
    response = http.get(base + '/' + phase.endpoint, tags);
  }
  httpRequests.add(1);
  httpLatency.add(response.timings.duration);
  const failed = response.status < 200 || response.status >= 300;
  if (failed) httpErrors.add(1, { status: String(response.status) });
  addRate('http_errors', failed);
}

interface SummaryMetric {
  type: string;
  contains?: string;
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}
interface SummaryData {
  metrics: Record<string, SummaryMetric>;
  state?: { testRunDurationMs?: number };
  [key: string]: unknown;
}

function formatNumber(value: number | undefined): string {
  if (value === undefined) return '-';
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(2);
}

/** Human summary plus one machine-readable line that capsim report imports (k6/import.ts). */
export function handleSummary(data: SummaryData): Record<string, string> {
  const lines: string[] = ['capsim k6 run of scenario ' + PLAN.scenario];
  for (const threshold of PLAN.thresholds) {
    const metric = data.metrics[threshold.k6Metric];
    const verdict = metric && metric.thresholds ? metric.thresholds[threshold.k6Expression] : undefined;
    const mark = verdict === undefined ? '?' : verdict.ok ? 'PASS' : 'FAIL';
    lines.push('  ' + mark + '  ' + threshold.source + '   (k6: ' + threshold.k6Metric + ' ' + threshold.k6Expression + ')');
  }
  for (const name of ['connect_latency', 'ack_latency', 'delivery_latency', 'inbox_latency', 'http_latency']) {
    const metric = data.metrics[name];
    if (!metric) continue;
    const v = metric.values;
    lines.push('  ' + name + ': p50=' + formatNumber(v['p(50)']) + 'ms p95=' + formatNumber(v['p(95)']) + 'ms p99=' + formatNumber(v['p(99)']) + 'ms max=' + formatNumber(v.max) + 'ms');
  }
  for (const name of ['messages_sent', 'messages_acked', 'messages_delivered', 'lost', 'duplicated', 'out_of_order', 'unacked', 'connect_errors', 'send_errors', 'reconnects', 'http_requests', 'http_errors']) {
    const metric = data.metrics[name];
    lines.push('  ' + name + ': ' + (metric ? String(metric.values.count) : '0'));
  }
  const document = JSON.stringify({
    capsim: {
      format: 'capsim-k6-summary',
      version: 1,
      scenario: PLAN.scenario,
      thresholds: PLAN.thresholds,
      executionSegment: exec.test.options.executionSegment || '0:1',
      target: env('CAPSIM_TARGET', PLAN.target),
      users: PLAN.users,
      peakConnections: PLAN.curve.reduce((peak, point) => Math.max(peak, point.connections), 0),
      sendEndMs: PLAN.sendEndMs,
      graceMs: PLAN.graceMs,
      finishedAt: new Date().toISOString(),
    },
    metrics: data.metrics,
    state: data.state,
  });
  const outputs: Record<string, string> = { stdout: lines.join('\n') + '\nCAPSIM_K6_SUMMARY ' + document + '\n' };
  const path = env('CAPSIM_SUMMARY_PATH', '');
  if (path !== '') outputs[path] = document;
  return outputs;
}
`;
