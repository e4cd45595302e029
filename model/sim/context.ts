/** What stations and sources share inside one replication: the clock, the job rows and the router. */
import type { Random } from '../random.js';
import type { Simulation } from './core/simulation.js';
import type { EntityPool } from './entity-pool.js';

export interface JobRouter {
  /** A job finished at station `fromStation` (or was just created by a source when -1 - sourceIndex). */
  forward(entity: number, fromStation: number): void;
  /** A job gave up at `station` (dropped or timed out with no retries left); it leaves the system. */
  fail(entity: number, station: number): void;
}

export interface SimContext {
  sim: Simulation;
  pool: EntityPool;
  router: JobRouter;
}

/**
 * Retries after a drop or a timeout, with exponential backoff and jitter:
 * delay(attempt) = min(maxMs, baseMs · 2^attempt) · (1 − jitter · U), U ~ Uniform[0,1)
 * (jitter = 1 is "full jitter", 0 none). attempt counts from 0 for the first retry.
 */
export interface RetryPolicy {
  retries: number;
  baseMs: number;
  maxMs: number;
  jitter: number;
}

export function backoffDelayMs(policy: RetryPolicy, attempt: number, random: Random): number {
  const capped = Math.min(policy.maxMs, policy.baseMs * 2 ** attempt);
  return capped * (1 - policy.jitter * random.next());
}
