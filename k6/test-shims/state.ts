/**
 * TEST DOUBLE — shared state of the minimal k6 module implementations in this folder (see README.md).
 * Kept on globalThis so that the script under test and the test itself see the same state even if the
 * module loader instantiates a shim module twice.
 */

export interface ShimScenario {
  name: string;
  executor: string;
  startTime: number;
  progress: number;
  iterationInInstance: number;
  iterationInTest: number;
}

export type ShimMetricType = 'counter' | 'gauge' | 'rate' | 'trend';

export interface ShimMetric {
  name: string;
  type: ShimMetricType;
  isTime: boolean;
  /** Every value added (trend, gauge), or the increments (counter), or 1/0 (rate). */
  values: number[];
  /** Tags of each add, in the same order. */
  tags: (Record<string, string> | undefined)[];
  /** When each sample was added (ms since the epoch), in the same order. */
  times: number[];
}

export interface ShimState {
  env: Record<string, string>;
  scenario: ShimScenario;
  vuId: number;
  metrics: Map<string, ShimMetric>;
  /** Timers (k6/timers) not yet fired or cleared: the k6 event loop waits for them. */
  timers: Set<number>;
  /** Open or connecting sockets (k6/websockets): the event loop waits for them too. */
  sockets: Set<object>;
  /** Exceptions thrown by script callbacks: in k6 they would fail the iteration. */
  callbackErrors: unknown[];
  aborted: string | null;
}

const key = '__capsimK6ShimState';

function fresh(): ShimState {
  return {
    env: {},
    scenario: {
      name: 'default',
      executor: 'constant-arrival-rate',
      startTime: Date.now(),
      progress: 0,
      iterationInInstance: 0,
      iterationInTest: 0,
    },
    vuId: 1,
    metrics: new Map(),
    timers: new Set(),
    sockets: new Set(),
    callbackErrors: [],
    aborted: null,
  };
}

export function shimState(): ShimState {
  const holder = globalThis as unknown as Record<string, ShimState | undefined>;
  return (holder[key] ??= fresh());
}

/** Starts a new simulated test run: clears metrics, timers, sockets and errors. */
export function resetShimState(env: Record<string, string> = {}): ShimState {
  const state = fresh();
  state.env = env;
  (globalThis as unknown as Record<string, ShimState>)[key] = state;
  (globalThis as unknown as Record<string, unknown>).__ENV = env;
  return state;
}

/** Runs a script callback the way k6's event loop does: an exception is recorded, not swallowed. */
export function runCallback(callback: (() => void) | undefined): void {
  if (!callback) return;
  try {
    callback();
  } catch (error) {
    shimState().callbackErrors.push(error);
  }
}

/** Resolves when no timer is pending and no socket is open (k6 ends the iteration then). */
export async function waitForEventLoop(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const state = shimState();
  while (state.timers.size > 0 || state.sockets.size > 0) {
    if (Date.now() > deadline) {
      throw new Error(
        `k6 shim: event loop still busy after ${timeoutMs} ms (${state.timers.size} timers, ${state.sockets.size} sockets)`,
      );
    }
    await new Promise((resolve) => globalThis.setTimeout(resolve, 20));
  }
}
