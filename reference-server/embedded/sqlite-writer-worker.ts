/**
 * Worker-thread entry of the SQLite writer: one connection doing every write, so a commit (and its
 * fsync with synchronous=FULL) runs beside the gateway's event loop instead of blocking it. Requests
 * `{ id, op, args, generation? }` are executed in arrival order; answers are `{ id, result }` or
 * `{ id, error }`.
 *
 * Appends are pipelined (the store keeps up to two in flight), so a failed batch may already have a
 * later one queued behind it. Every append carries the store's `generation`; once an append of
 * generation g fails, every append of generation ≤ g is refused, so a later batch can never commit
 * above the gap a failed one left. The store starts generation g + 1 when it learns of the failure.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase, SqliteWrites, type WriteOp } from './sqlite-writes.js';

const { path, synchronous } = workerData as { path: string; synchronous: 'full' | 'normal' };
const db = openDatabase(path, synchronous);
const writes = new SqliteWrites(db);
let failedGeneration = -1;

interface Request {
  id: number;
  op: WriteOp | 'close';
  args: unknown[];
  generation?: number;
}

parentPort?.on('message', (request: Request) => {
  if (request.op === 'close') {
    db.close();
    parentPort?.postMessage({ id: request.id, result: null });
    parentPort?.close();
    return;
  }
  const generation = request.generation;
  if (generation !== undefined && generation <= failedGeneration) {
    parentPort?.postMessage({ id: request.id, error: 'an earlier batch in the write pipeline failed' });
    return;
  }
  try {
    const method = writes[request.op] as (...args: unknown[]) => unknown;
    parentPort?.postMessage({ id: request.id, result: method.apply(writes, request.args) ?? null });
  } catch (error) {
    if (generation !== undefined) failedGeneration = Math.max(failedGeneration, generation);
    parentPort?.postMessage({
      id: request.id,
      error: error instanceof Error ? error.message : String(error),
    });
  }
});
parentPort?.postMessage({ id: 0, result: 'ready' });
