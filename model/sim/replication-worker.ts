/**
 * Worker-thread entry: receives `{ id, pipeline, options }` messages, runs that replication and
 * answers `{ id, result }` (or `{ id, error }`). Loaded as .js from dist/ or as .ts through tsx
 * (see worker-pool.ts). One worker serves many replications, so start-up is paid once.
 */
import { parentPort } from 'node:worker_threads';
import { runReplication } from './network.js';
import type { ReplicationOptions, ResolvedPipeline } from './resolved.js';

interface Request {
  id: number;
  pipeline: ResolvedPipeline;
  options: ReplicationOptions;
}

parentPort?.on('message', (request: Request) => {
  try {
    parentPort?.postMessage({ id: request.id, result: runReplication(request.pipeline, request.options) });
  } catch (error) {
    parentPort?.postMessage({
      id: request.id,
      error: error instanceof Error ? error.message : String(error),
    });
  }
});
