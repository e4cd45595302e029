/**
 * PostgreSQL pools. One pool per gateway instance serves every shard (shards are schemas of one
 * database). Sizing: the write buffer commits one batch at a time (group commit) and needs one
 * connection; inbox/sync/history reads and sequence recovery need a few more. The default of 6 per
 * instance keeps `instances × 6` well under PostgreSQL's default max_connections of 100 (which other
 * clients share) — at 10 instances that is 60. Raise `pgPoolSize` only with max_connections.
 */
import pg from 'pg';

export const defaultPgPoolSize = 6;

export interface PgPoolOptions {
  connectionString: string;
  maxConnections?: number;
  applicationName?: string;
  /** Called on errors of idle clients (e.g. the server restarted); without a listener they crash the process. */
  onError?: (error: Error) => void;
}

export function createPgPool(options: PgPoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? defaultPgPoolSize,
    application_name: options.applicationName ?? 'capsim',
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5_000,
    // A statement stuck longer than this is treated as a storage failure (circuit breaker counts it).
    statement_timeout: 10_000,
  });
  pool.on('error', (error) => options.onError?.(error));
  return pool;
}
