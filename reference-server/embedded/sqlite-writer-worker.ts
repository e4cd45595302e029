/**
 * Worker-thread entry of the SQLite writer: one connection doing every write, so a commit (and its
 * fsync with synchronous=FULL) runs beside the gateway's event loop instead of blocking it. Requests
 * `{ id, op, args }` are executed in arrival order; answers are `{ id, result }` or `{ id, error }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase, SqliteWrites, type WriteOp } from './sqlite-writes.js';

const { path, synchronous } = workerData as { path: string; synchronous: 'full' | 'normal' };
const db = openDatabase(path, synchronous);
const writes = new SqliteWrites(db);

parentPort?.on('message', (request: { id: number; op: WriteOp | 'close'; args: unknown[] }) => {
  if (request.op === 'close') {
    db.close();
    parentPort?.postMessage({ id: request.id, result: null });
    parentPort?.close();
    return;
  }
  try {
    const method = writes[request.op] as (...args: unknown[]) => unknown;
    parentPort?.postMessage({ id: request.id, result: method.apply(writes, request.args) ?? null });
  } catch (error) {
    parentPort?.postMessage({
      id: request.id,
      error: error instanceof Error ? error.message : String(error),
    });
  }
});
parentPort?.postMessage({ id: 0, result: 'ready' });
