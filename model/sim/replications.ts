/**
 * Independent replications of one resolved pipeline, in parallel on the shared worker_threads pool
 * (one worker per core), or in this thread when `threads` is 1 or workers are unavailable. Results
 * are ordered by replication number, so the output does not depend on scheduling: replication r
 * always uses createRandom(seed).fork(`replication:r`).
 */
import os from 'node:os';
import { runReplication, type ReplicationResult } from './network.js';
import type { ReplicationOptions, ResolvedPipeline } from './resolved.js';
import { workerPool } from './worker-pool.js';

export interface ReplicationRunOptions {
  seed: number;
  replications: number;
  durationMs: number;
  warmupMs: number;
  backlogSamples?: number;
  /** Worker threads to use; default min(replications, available cores). 1 = run in this thread. */
  threads?: number;
  /** Called after each finished replication (progress bars). */
  onProgress?: (done: number, total: number) => void;
}

export function availableCores(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

export async function runReplications(
  pipeline: ResolvedPipeline,
  run: ReplicationRunOptions,
): Promise<ReplicationResult[]> {
  const all: ReplicationOptions[] = Array.from({ length: run.replications }, (_, replication) => ({
    seed: run.seed,
    replication,
    durationMs: run.durationMs,
    warmupMs: run.warmupMs,
    backlogSamples: run.backlogSamples ?? 60,
  }));
  const threads = Math.max(1, Math.min(run.threads ?? availableCores(), all.length));
  const pool = threads > 1 ? workerPool(threads) : undefined;
  let done = 0;
  if (pool === undefined) {
    const results: ReplicationResult[] = [];
    for (const options of all) {
      results.push(runReplication(pipeline, options));
      run.onProgress?.(++done, all.length);
    }
    return results;
  }
  const results = await Promise.all(
    all.map((options) =>
      pool.run(pipeline, options).then((result) => {
        run.onProgress?.(++done, all.length);
        return result;
      }),
    ),
  );
  return results.sort((a, b) => a.replication - b.replication);
}
