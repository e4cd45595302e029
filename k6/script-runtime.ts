/**
 * The fixed part of every generated k6 script (with script-cell.ts and script-lifecycle.ts): the
 * declarations, metrics, tokens and schedule helpers for the reference protocol (PROTOCOL.md) over
 * `k6/websockets`, the open-model send schedule and the correctness checker. It is TypeScript source
 * kept as a string (k6 runs it, not Node); build-script.ts prepends the scenario's PLAN and options.
 * Tests type-check the generated script against @types/k6 and run it against the reference server
 * through k6/test-shims/, so this text cannot drift from the protocol unnoticed.
 *
 * Design (README of the export explains it to users):
 * - One k6 iteration = one *cell*: a VU opens `cellSize` sockets (users) and holds them. Cells arrive
 *   on `constant-arrival-rate` executors, one per rising connection phase, so connections arrive at
 *   the scenario's rate whatever the server does (open model); the cell's connect latency is measured
 *   from its intended connect time.
 * - Conversations (1:1 pairs and groups) are formed inside a cell, so one VU sees both ends of every
 *   message: lost / duplicated / out-of-order are counted exactly without cross-VU state.
 * - Each user sends on its own open-model schedule (Poisson or uniform at the phase's per-user rate);
 *   `clientTs` carries the intended send time and ACK/delivery latency are measured from it, so a
 *   stalled VU shows up as latency, never as silently lower load.
 */
export const k6RuntimeSource = String.raw`
declare const console: {
  log(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
};

interface SegmentPlan {
  name: string;
  startMs: number;
  endMs: number;
  firstCell: number;
  cells: number;
  cellIntervalMs: number;
}
interface CurvePoint {
  tMs: number;
  connections: number;
}
interface RateStep {
  startMs: number;
  endMs: number;
  perUserPerSecond: number;
}
interface ScriptPlan {
  scenario: string;
  protocol: number;
  target: string;
  tokenSecret: string;
  tokenMode: 'local' | 'http';
  cellSize: number;
  users: number;
  segments: SegmentPlan[];
  curve: CurvePoint[];
  sendEndMs: number;
  rateSteps: RateStep[];
  arrival: 'poisson' | 'uniform';
  bodyBytes: number;
  groupFraction: number;
  groupSize: number;
  offline: { fraction: number; atMs: number; awayMs: number } | null;
  receipts: boolean;
  heartbeatMs: number | null;
  reconnectInitialMs: number;
  reconnectMaxMs: number;
  graceMs: number;
  seed: number;
  rateMetrics: string[];
  thresholds: { source: string; k6Metric: string; k6Expression: string }[];
  http: HttpPhasePlan[];
}
interface HttpPhasePlan {
  name: string;
  endpoint: 'tokens' | 'history' | 'healthz' | 'readyz' | 'metrics';
  startMs: number;
  durationMs: number;
  connections: number;
  requestsPerSecond: number | null;
}
interface SetupData {
  runId: string;
  wsUrl: string;
  httpUrl: string;
}
interface Frame {
  type: string;
  [field: string]: unknown;
}

// ---- metrics (names match capsim's threshold metrics, loadgen/thresholds.ts) ----
const connectLatency = new Trend('connect_latency', true);
const ackLatency = new Trend('ack_latency', true);
const deliveryLatency = new Trend('delivery_latency', true);
const inboxLatency = new Trend('inbox_latency', true);
const heartbeatRtt = new Trend('heartbeat_rtt', true);
const messagesSent = new Counter('messages_sent');
const messagesAcked = new Counter('messages_acked');
const messagesDelivered = new Counter('messages_delivered');
const expectedDeliveries = new Counter('expected_deliveries');
const lostCounter = new Counter('lost');
const duplicatedCounter = new Counter('duplicated');
const outOfOrderCounter = new Counter('out_of_order');
const unackedCounter = new Counter('unacked');
const redeliveredCounter = new Counter('redelivered');
const connectAttempts = new Counter('connect_attempts');
const connectErrors = new Counter('connect_errors');
const sendErrors = new Counter('send_errors');
const errorsCounter = new Counter('errors');
const reconnectsCounter = new Counter('reconnects');
const httpLatency = new Trend('http_latency', true);
const httpRequests = new Counter('http_requests');
const httpErrors = new Counter('http_errors');
// capsim's "rate" of a counter is a ratio (per attempt, per delivery …): a k6 Rate metric per such
// threshold, named <metric>_rate, carries it (a k6 Counter's rate is per second).
const rateMetrics: Record<string, Rate> = {};
for (const name of PLAN.rateMetrics) rateMetrics[name] = new Rate(name + '_rate');
function addRate(name: string, hit: boolean): void {
  const metric = rateMetrics[name];
  if (metric) metric.add(hit);
}

// ---- configuration from the environment (k6 run -e NAME=value, or TestRun runner.env) ----
function env(name: string, fallback: string): string {
  const value = __ENV[name];
  return value === undefined || value === '' ? fallback : value;
}
function httpUrlOf(wsUrl: string): string {
  return wsUrl.replace(/^ws/, 'http').replace(/\/v1\/ws.*$/, '');
}

// ---- tokens (PROTOCOL.md section 1) ----
function mintToken(userId: string, httpUrl: string, ttlSeconds: number): string {
  if (env('CAPSIM_TOKEN_MODE', PLAN.tokenMode) === 'http') {
    const response = http.post(
      httpUrl + '/v1/tokens',
      JSON.stringify({ userId: userId, deviceId: 'k6', ttlSeconds: ttlSeconds }),
      { headers: { 'Content-Type': 'application/json' }, tags: { name: 'POST /v1/tokens' } },
    );
    if (response.status !== 200) {
      errorsCounter.add(1);
      return '';
    }
    const body = response.json() as { token?: string } | null;
    return body && typeof body.token === 'string' ? body.token : '';
  }
  // token = base64url(payload) + "." + base64url(HMAC_SHA256(secret, base64url(payload)))
  const payload = b64encode(
    JSON.stringify({ sub: userId, exp: Math.floor(Date.now() / 1000) + ttlSeconds, dev: 'k6' }),
    'rawurl',
  );
  return payload + '.' + hmac('sha256', env('CAPSIM_TOKEN_SECRET', PLAN.tokenSecret), payload, 'base64rawurl');
}

// ---- schedule helpers (pure) ----
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return function () {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function connectionsAt(tMs: number): number {
  const curve = PLAN.curve;
  if (tMs <= curve[0].tMs) return curve[0].connections;
  for (let i = 1; i < curve.length; i++) {
    const a = curve[i - 1];
    const b = curve[i];
    if (tMs <= b.tMs) {
      return b.tMs === a.tMs ? b.connections : a.connections + ((b.connections - a.connections) * (tMs - a.tMs)) / (b.tMs - a.tMs);
    }
  }
  return curve[curve.length - 1].connections;
}
/** A cell closes (LIFO) when the planned connection count falls below its midpoint. */
function cellCloseMs(cell: number, fromMs: number): number {
  const threshold = (cell + 0.5) * PLAN.cellSize;
  if (connectionsAt(fromMs) < threshold) return fromMs;
  const curve = PLAN.curve;
  for (let i = 1; i < curve.length; i++) {
    const a = curve[i - 1];
    const b = curve[i];
    if (b.tMs <= fromMs || b.connections >= threshold) continue;
    const start = Math.max(a.tMs, fromMs);
    const startValue = connectionsAt(start);
    if (startValue < threshold) return start;
    return start + ((startValue - threshold) / (startValue - b.connections)) * (b.tMs - start);
  }
  return PLAN.sendEndMs;
}
/**
 * Next intended send time after fromMs (test-relative ms) for a user whose rate is piecewise constant
 * per phase. Poisson: exponential gaps; at a phase boundary the draw restarts (memoryless, so exact).
 */
function nextArrivalMs(fromMs: number, rng: () => number, first: boolean): number {
  let t = fromMs;
  for (let guard = 0; guard < 10000; guard++) {
    let step: RateStep | null = null;
    for (const candidate of PLAN.rateSteps) {
      if (candidate.startMs <= t && t < candidate.endMs) step = candidate;
    }
    if (step === null) return Infinity;
    const perMs = step.perUserPerSecond / 1000;
    if (perMs > 0) {
      const gap = PLAN.arrival === 'poisson' ? -Math.log(1 - rng()) / perMs : (first ? rng() : 1) / perMs;
      if (t + gap < step.endMs) return t + gap;
    }
    t = step.endMs;
    first = true;
  }
  return Infinity;
}
`;
