/**
 * The write buffer's contract with a pipelined store (two commits in flight): commits in order, ACKs
 * only after durability, and after a failed commit no seq above the gap ever commits.
 */
import { describe, expect, it } from 'vitest';
import type { AppendItem, MessageStore, SequenceAllocator } from '../contracts.js';
import { dmAppendItem } from '../test-support/append-item.js';
import { GatewayMetrics } from './metrics.js';
import { Breaker } from './resilience.js';
import { WriteBuffer, type CommitWaiter } from './write-buffer.js';

/** A store whose commits finish when the test says so, refusing batches queued behind a failure. */
class ManualStore {
  readonly appendPipelineDepth = 2;
  readonly calls: { seqs: number[]; finish: (ok: boolean) => void }[] = [];
  readonly committed: number[] = [];
  private poisoned = false;

  appendBatch(items: readonly AppendItem[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const seqs = items.map((item) => item.message.seq);
      this.calls.push({
        seqs,
        finish: (ok) => {
          if (ok && !this.poisoned) {
            this.committed.push(...seqs);
            resolve();
          } else {
            this.poisoned = true; // like the SQLite writer: batches queued behind a failure fail too
            reject(new Error('disk full'));
          }
        },
      });
    });
  }

  /** The store learned of the failure; later batches may commit. */
  recover(): void {
    this.poisoned = false;
  }
}

function setup() {
  const store = new ManualStore();
  let invalidated = 0;
  const sequences = {
    invalidate: async () => {
      invalidated += 1;
    },
  } as unknown as SequenceAllocator;
  const metrics = new GatewayMetrics(
    {
      connections: () => 0,
      writeBufferDepth: () => 0,
      retryQueueDepth: () => 0,
      deferredRoutes: () => 0,
      deferredRoutesDropped: () => 0,
      deadLetters: () => 0,
      connectionMemoryEstimateBytes: () => 0,
    },
    { instance: 'test' },
  );
  const buffer = new WriteBuffer(
    store as unknown as MessageStore,
    sequences,
    new Breaker('store', 60_000),
    { maxMessages: 2, maxDelayMs: 1, maxBatchMessages: 2, maxPending: 100 },
    metrics,
  );
  const outcomes = new Map<number, 'committed' | 'failed'>();
  const add = (seq: number) => {
    const waiter: CommitWaiter = {
      committed: () => outcomes.set(seq, 'committed'),
      failed: () => outcomes.set(seq, 'failed'),
    };
    expect(buffer.tryReserve()).toBe(true);
    buffer.add(dmAppendItem(seq), buffer.epoch, waiter);
  };
  return { store, buffer, outcomes, add, invalidated: () => invalidated };
}

/**
 * Lets the buffer run to quiescence however loaded the machine is: its commits chain through
 * setImmediate and microtasks (a fixed number of rounds, not wall time), and its only timer (maxDelayMs,
 * 1 ms here) is created before, so expires before, the 3 ms one in the middle.
 */
async function turn(): Promise<void> {
  const immediates = async () => {
    for (let i = 0; i < 20; i += 1) await new Promise((resolve) => setImmediate(resolve));
  };
  await immediates();
  await new Promise((resolve) => setTimeout(resolve, 3));
  await immediates();
}

describe('WriteBuffer with a pipelined store', () => {
  it('keeps two commits in flight and ACKs each message only after its own commit', async () => {
    const { store, outcomes, add } = setup();
    for (const seq of [1, 2, 3, 4, 5]) add(seq);
    await turn();
    expect(store.calls.map((c) => c.seqs)).toEqual([
      [1, 2],
      [3, 4],
    ]); // the third waits for a free slot
    store.calls[1].finish(true);
    store.calls[0].finish(true);
    await turn();
    expect([...outcomes.keys()].sort()).toEqual([1, 2, 3, 4]);
    expect(store.calls.map((c) => c.seqs)).toEqual([[1, 2], [3, 4], [5]]);
    store.calls[2].finish(true);
    await turn();
    expect(outcomes.get(5)).toBe('committed');
  });

  it('after a failed commit, fails the batch in flight behind it and everything buffered; nothing above the gap commits', async () => {
    const { store, buffer, outcomes, add, invalidated } = setup();
    for (const seq of [1, 2, 3, 4, 5]) add(seq);
    await turn();
    const epoch = buffer.epoch;
    store.calls[0].finish(false); // seqs 1–2 fail while 3–4 are already queued in the store
    await turn();
    expect(buffer.epoch).toBeGreaterThan(epoch);
    expect(invalidated()).toBe(1);
    expect(outcomes.get(1)).toBe('failed');
    expect(outcomes.get(5)).toBe('failed'); // buffered behind the failure
    // A message sequenced after the failure waits: no commit starts while 3–4 are unsettled.
    expect(buffer.tryReserve()).toBe(true);
    buffer.add(dmAppendItem(1), buffer.epoch, {
      committed: () => outcomes.set(10, 'committed'),
      failed: () => {},
    });
    await turn();
    expect(store.calls).toHaveLength(2);
    store.calls[1].finish(true); // the store refuses it: it was queued behind the failure
    await turn();
    expect(outcomes.get(3)).toBe('failed');
    store.recover();
    await turn();
    expect(store.calls).toHaveLength(3);
    store.calls[2].finish(true);
    await turn();
    expect(outcomes.get(10)).toBe('committed');
    expect(store.committed).toEqual([1]); // the renumbered message; 2–5 never committed
  });

  it('refuses a message sequenced before a failure (its seq may be above the gap)', async () => {
    const { store, buffer, add } = setup();
    add(1);
    add(2);
    await turn();
    const staleEpoch = buffer.epoch;
    store.calls[0].finish(false);
    await turn();
    expect(buffer.tryReserve()).toBe(true);
    expect(() => buffer.add(dmAppendItem(3), staleEpoch, { committed: () => {}, failed: () => {} })).toThrow(
      /storage failed/,
    );
  });
});
