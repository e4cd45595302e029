/**
 * A lazily started pool of replication workers (worker_threads), shared by every simulation in the
 * process. Idle workers are unref'd so they never keep the process alive; `closeWorkerPool()` ends
 * them explicitly. Workers are started from the compiled .js, or — from TypeScript sources (vitest,
 * tsx) — through a small eval'd bootstrap that registers tsx's loader in the worker thread first
 * (Node 20 ignores `--import` in a worker's execArgv).
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ReplicationResult } from './network.js';
import type { ReplicationOptions, ResolvedPipeline } from './resolved.js';

interface Pending {
  resolve: (result: ReplicationResult) => void;
  reject: (error: Error) => void;
}

interface PooledWorker {
  worker: Worker;
  busy: number;
}

function workerEntry(): { filename: string; eval: boolean } | undefined {
  const js = fileURLToPath(new URL('./replication-worker.js', import.meta.url));
  if (existsSync(js)) return { filename: js, eval: false };
  const ts = new URL('./replication-worker.ts', import.meta.url);
  if (!existsSync(fileURLToPath(ts))) return undefined;
  let tsxApi: string;
  try {
    // The ESM entry of tsx/esm/api (require.resolve would give the CommonJS one).
    const packageJson = createRequire(import.meta.url).resolve('tsx/package.json');
    tsxApi = pathToFileURL(join(dirname(packageJson), 'dist', 'esm', 'api', 'index.mjs')).href;
  } catch {
    return undefined;
  }
  const bootstrap = `(async () => { const { register } = await import(${JSON.stringify(tsxApi)}); register(); await import(${JSON.stringify(ts.href)}); })();`;
  return { filename: bootstrap, eval: true };
}

class WorkerPool {
  private readonly workers: PooledWorker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor(
    private readonly size: number,
    private readonly entry: { filename: string; eval: boolean },
  ) {}

  run(pipeline: ResolvedPipeline, options: ReplicationOptions): Promise<ReplicationResult> {
    const pooled = this.pick();
    const id = this.nextId++;
    pooled.busy++;
    pooled.worker.ref();
    return new Promise<ReplicationResult>((resolve, reject) => {
      this.pending.set(id, {
        resolve: (result) => {
          this.release(pooled);
          resolve(result);
        },
        reject: (error) => {
          this.release(pooled);
          reject(error);
        },
      });
      pooled.worker.postMessage({ id, pipeline, options });
    });
  }

  async close(): Promise<void> {
    const workers = this.workers.splice(0);
    await Promise.all(workers.map((pooled) => pooled.worker.terminate()));
  }

  private release(pooled: PooledWorker): void {
    if (--pooled.busy === 0) pooled.worker.unref();
  }

  private pick(): PooledWorker {
    const idle = this.workers.find((pooled) => pooled.busy === 0);
    if (idle !== undefined) return idle;
    if (this.workers.length < this.size) return this.spawn();
    return this.workers.reduce((least, pooled) => (pooled.busy < least.busy ? pooled : least));
  }

  private spawn(): PooledWorker {
    const worker = new Worker(this.entry.filename, { eval: this.entry.eval });
    const pooled: PooledWorker = { worker, busy: 0 };
    worker.on('message', (message: { id: number; result?: ReplicationResult; error?: string }) => {
      const pending = this.pending.get(message.id);
      if (pending === undefined) return;
      this.pending.delete(message.id);
      if (message.result !== undefined) pending.resolve(message.result);
      else pending.reject(new Error(message.error ?? 'replication failed'));
    });
    const fail = (error: Error) => {
      // A dead worker fails everything in flight; the pool forgets it and starts a new one next time.
      const index = this.workers.indexOf(pooled);
      if (index >= 0) this.workers.splice(index, 1);
      for (const [id, pending] of this.pending) {
        this.pending.delete(id);
        pending.reject(error);
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (code !== 0) fail(new Error(`replication worker exited with code ${code}`));
    });
    worker.unref();
    this.workers.push(pooled);
    return pooled;
  }
}

let shared: WorkerPool | undefined;
let sharedSize = 0;

/** The shared pool with at least `size` workers, or undefined when workers cannot be started. */
export function workerPool(size: number): WorkerPool | undefined {
  const entry = workerEntry();
  if (entry === undefined) return undefined;
  if (shared === undefined || sharedSize < size) {
    void shared?.close();
    shared = new WorkerPool(size, entry);
    sharedSize = size;
  }
  return shared;
}

/** Terminates the shared pool's workers (tests, CLI exit). */
export async function closeWorkerPool(): Promise<void> {
  const pool = shared;
  shared = undefined;
  sharedSize = 0;
  await pool?.close();
}
