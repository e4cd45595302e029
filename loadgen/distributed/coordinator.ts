/**
 * The coordinator: hands each worker its segment, starts them all at the same instant, gathers their
 * per-second snapshots and final results. Works over any Channel (local IPC children, TCP workers).
 *
 * Clock offsets (NTP-style, over the control channel): the coordinator sends t0 (its clock), the
 * worker answers t1 (its clock), the answer arrives at t2. Assuming the reply was stamped somewhere
 * inside the round trip, offset = t1 − (t0 + t2) / 2 with |error| ≤ (t2 − t0) / 2. We take 8 probes and
 * keep the one with the smallest round trip. The start instant is sent in each worker's own clock
 * (coordinator time + offset), so workers start within that error bound of each other, and per-second
 * rows line up across hosts. Delivery latency never needs the correction: every conversation's
 * members live in one worker, so send and receive timestamps come from the same clock.
 */
import { nowMs } from '../executors/clock.js';
import type { SegmentAssignment, WorkerResult, WorkerSnapshot } from '../executors/segment-runner.js';
import type { AdapterSpec, Channel, CoordinatorMessage, WorkerMessage } from './messages.js';

export type WorkerChannel = Channel<CoordinatorMessage, WorkerMessage>;

export interface ClockEstimate {
  offsetMs: number;
  errorMs: number;
}

export interface CoordinatedRun {
  results: WorkerResult[];
  clocks: ClockEstimate[];
  startAtMs: number;
  hosts: string[];
}

export interface CoordinateHooks {
  onSnapshots?(latest: WorkerSnapshot[], elapsedMs: number): void;
  signal?: AbortSignal;
  /** Lead time before the synchronized start; default 300 ms. */
  startDelayMs?: number;
}

class Mailbox {
  private readonly queue: WorkerMessage[] = [];
  private waiters: { type: WorkerMessage['type']; resolve: (m: WorkerMessage) => void }[] = [];
  closed = false;
  private closeWaiters: (() => void)[] = [];

  constructor(
    channel: WorkerChannel,
    private readonly onSecond: (snapshot: WorkerSnapshot) => void,
  ) {
    channel.onMessage((message) => {
      if (message.type === 'second') {
        this.onSecond(message.snapshot);
        return;
      }
      const index = this.waiters.findIndex((w) => w.type === message.type || message.type === 'failed');
      if (index >= 0) {
        const [waiter] = this.waiters.splice(index, 1);
        waiter.resolve(message);
      } else this.queue.push(message);
    });
    channel.onClose(() => {
      this.closed = true;
      for (const waiter of this.closeWaiters) waiter();
    });
  }

  next<T extends WorkerMessage['type']>(
    type: T,
    timeoutMs: number,
  ): Promise<Extract<WorkerMessage, { type: T }>> {
    const queued = this.queue.findIndex((m) => m.type === type || m.type === 'failed');
    if (queued >= 0) return Promise.resolve(unwrap(this.queue.splice(queued, 1)[0], type));
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error(`worker disconnected while waiting for ${type}`));
      const timer =
        timeoutMs > 0
          ? setTimeout(
              () => reject(new Error(`worker did not send ${type} within ${timeoutMs} ms`)),
              timeoutMs,
            )
          : null;
      this.closeWaiters.push(() => reject(new Error(`worker disconnected while waiting for ${type}`)));
      this.waiters.push({
        type,
        resolve: (m) => {
          if (timer) clearTimeout(timer);
          try {
            resolve(unwrap(m, type));
          } catch (error) {
            reject(error);
          }
        },
      });
    });
  }
}

function unwrap<T extends WorkerMessage['type']>(
  message: WorkerMessage,
  type: T,
): Extract<WorkerMessage, { type: T }> {
  if (message.type === 'failed') throw new Error(`worker failed: ${message.message}`);
  if (message.type !== type) throw new Error(`expected ${type}, got ${message.type}`);
  return message as Extract<WorkerMessage, { type: T }>;
}

async function estimateClock(channel: WorkerChannel, mailbox: Mailbox, probes = 8): Promise<ClockEstimate> {
  let best: ClockEstimate = { offsetMs: 0, errorMs: Number.POSITIVE_INFINITY };
  for (let id = 0; id < probes; id += 1) {
    const t0 = nowMs();
    channel.send({ type: 'clock', id, t0 });
    const reply = await mailbox.next('clock.reply', 10_000);
    const t2 = nowMs();
    const errorMs = (t2 - reply.t0) / 2;
    if (errorMs < best.errorMs) best = { offsetMs: reply.t1 - (reply.t0 + t2) / 2, errorMs };
  }
  return best;
}

export async function coordinate(
  channels: WorkerChannel[],
  assignments: SegmentAssignment[],
  adapter: AdapterSpec,
  hooks: CoordinateHooks = {},
): Promise<CoordinatedRun> {
  const latest = new Map<number, WorkerSnapshot>();
  const mailboxes = channels.map(
    (channel) => new Mailbox(channel, (snapshot) => latest.set(snapshot.workerIndex, snapshot)),
  );
  // A worker says hello once it listens (a child process may take seconds to start on a busy host).
  const hellos = await Promise.all(mailboxes.map((mailbox) => mailbox.next('hello', 120_000)));
  const clocks: ClockEstimate[] = [];
  for (let i = 0; i < channels.length; i += 1) clocks.push(await estimateClock(channels[i], mailboxes[i]));
  channels.forEach((channel, i) => channel.send({ type: 'assign', assignment: assignments[i], adapter }));
  await Promise.all(mailboxes.map((mailbox) => mailbox.next('ready', 30_000)));
  const maxError = Math.max(0, ...clocks.map((c) => c.errorMs));
  const startAtMs = nowMs() + (hooks.startDelayMs ?? 300) + maxError;
  channels.forEach((channel, i) =>
    channel.send({ type: 'start', startAtMs: startAtMs + clocks[i].offsetMs }),
  );
  const onAbort = () => channels.forEach((channel) => channel.send({ type: 'abort' }));
  hooks.signal?.addEventListener('abort', onAbort, { once: true });
  const ticker = setInterval(() => {
    if (latest.size > 0) hooks.onSnapshots?.([...latest.values()], nowMs() - startAtMs);
  }, 1000);
  try {
    const results = await Promise.all(mailboxes.map((mailbox) => mailbox.next('result', 0)));
    return { results: results.map((r) => r.result), clocks, startAtMs, hosts: hellos.map((h) => h.host) };
  } finally {
    clearInterval(ticker);
    hooks.signal?.removeEventListener('abort', onAbort);
  }
}
