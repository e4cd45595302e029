/**
 * Options of the reference server and their defaults. Every limit of PROTOCOL.md lives here so the
 * document, the CLI flags and the tests agree on one set of numbers.
 */

export type ServerProfile = 'default' | 'loadtest';

/** Write buffer with group commit (seed 001: "Auto-flush every 100ms or 100 messages"). */
export interface WriteBufferOptions {
  /** Flush as soon as this many messages are waiting. */
  maxMessages: number;
  /** Flush at the latest this long after the first message arrived. */
  maxDelayMs: number;
  /** Most messages one transaction takes when more are waiting (group commit under load). */
  maxBatchMessages: number;
  /** Messages waiting (buffered + being committed) before sends get E_OVERLOADED. */
  maxPending: number;
}

/** Retention TTLs of seed 002 (section 4). */
export interface RetentionOptions {
  readMs: number;
  deliveredMs: number;
  undeliveredMs: number;
  idempotencyMs: number;
  /** lastSeen records of offline users. */
  presenceMs: number;
  deadLetterMs: number;
  /** Rows deleted per transaction. */
  batchSize: number;
  /** How often the sweeper runs (0 = only when `runMaintenance()` is called). */
  intervalMs: number;
}

/** Cross-instance delivery retries before a delivery is parked in the dead-letter table. */
export interface DeliveryRetryOptions {
  maxAttempts: number;
  initialRetryDelayMs: number;
  maxRetryDelayMs: number;
  /** Deliveries being retried at once; beyond it they go straight to the DLQ (bounded memory). */
  maxRetrying: number;
  /**
   * Degraded mode: fan-outs waiting for the connection registry to answer again (kept in order,
   * retried with the backoff above), and how long each may wait; the oldest beyond either bound are
   * dropped, their recipients read them from the inbox on reconnect.
   */
  maxDeferred: number;
  maxDeferredAgeMs: number;
}

export interface ServerOptions {
  /** 0 = ephemeral (tests). Default 8080. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** SQLite data directory (embedded mode). Default ./.capsim-data */
  dataDir?: string;
  /** HMAC secret for tokens. Default 'capsim-dev-secret'. */
  tokenSecret?: string;
  /** Enables POST /v1/tokens. Default true. */
  devTokens?: boolean;
  /** 'loadtest' raises the per-user send rate and per-IP connection rate limits. */
  profile?: ServerProfile;
  /** Shown in `hello.serverId`. Default 'gw-1'. */
  serverId?: string;
  writeBuffer?: Partial<WriteBufferOptions>;
  retention?: Partial<RetentionOptions>;
  deliveryRetry?: Partial<DeliveryRetryOptions>;
  /** Circuit breakers stay open this long before a trial call. Default 2000. */
  breakerHalfOpenAfterMs?: number;
  heartbeatMs?: number;
  maxFrameBytes?: number;
  maxBodyBytes?: number;
  maxGroupSize?: number;
  /** Per-process connection cap (close 4029 beyond it). */
  maxConnections?: number;
  /** Per-socket outbound buffer cap; a slow consumer beyond it is closed with 4009. */
  maxBufferedBytes?: number;
  /** Messages per user per window (sliding window). */
  sendRateLimit?: number;
  sendRateWindowMs?: number;
  /** New connections per client IP per window. */
  connectRateLimit?: number;
  connectRateWindowMs?: number;
  /** SQLite `synchronous` pragma: 'full' survives OS crashes, 'normal' survives process crashes. */
  sqliteSync?: 'full' | 'normal';
  /** Where SQLite commits run: 'thread' (default, never blocks the event loop) or 'inline'. */
  sqliteWriter?: 'thread' | 'inline';
  /** Log one line per lifecycle event to stderr. Default false. */
  log?: boolean;
}

export interface RunningServer {
  /** http://HOST:PORT */
  url: string;
  /** ws://HOST:PORT/v1/ws */
  wsUrl: string;
  port: number;
  /** Graceful shutdown: stop accepting, flush the write buffer, send `reconnect`, close with 1001. */
  close(): Promise<void>;
  /** Runs one retention sweep now (tests with a FakeClock); returns rows deleted per kind. */
  runMaintenance(): Promise<Record<string, number>>;
  /** Replays dead letters (all, or up to `limit`); returns how many were delivered or retired. */
  replayDeadLetters(limit?: number): Promise<{ replayed: number; remaining: number }>;
}

export interface ResolvedServerOptions {
  port: number;
  host: string;
  dataDir: string;
  tokenSecret: string;
  devTokens: boolean;
  profile: ServerProfile;
  serverId: string;
  writeBuffer: WriteBufferOptions;
  retention: RetentionOptions;
  deliveryRetry: DeliveryRetryOptions;
  breakerHalfOpenAfterMs: number;
  heartbeatMs: number;
  maxFrameBytes: number;
  maxBodyBytes: number;
  maxGroupSize: number;
  maxConnections: number;
  maxBufferedBytes: number;
  sendRateLimit: number;
  sendRateWindowMs: number;
  connectRateLimit: number;
  connectRateWindowMs: number;
  sqliteSync: 'full' | 'normal';
  sqliteWriter: 'thread' | 'inline';
  log: boolean;
}

const dayMs = 86_400_000;

export const defaultRetention: RetentionOptions = {
  readMs: 3 * dayMs,
  deliveredMs: 7 * dayMs,
  undeliveredMs: 90 * dayMs,
  idempotencyMs: dayMs,
  presenceMs: 5 * 60_000,
  deadLetterMs: 30 * dayMs,
  batchSize: 1000,
  intervalMs: 60_000,
};

/** Applies defaults; the load-test profile raises rate limits so a load generator measures capacity. */
export function resolveServerOptions(options: ServerOptions = {}): ResolvedServerOptions {
  const loadtest = options.profile === 'loadtest';
  return {
    port: options.port ?? 8080,
    host: options.host ?? '127.0.0.1',
    dataDir: options.dataDir ?? './.capsim-data',
    tokenSecret: options.tokenSecret ?? 'capsim-dev-secret',
    devTokens: options.devTokens ?? true,
    profile: options.profile ?? 'default',
    serverId: options.serverId ?? 'gw-1',
    writeBuffer: {
      maxMessages: 100,
      maxDelayMs: 5,
      maxBatchMessages: Math.max(1000, options.writeBuffer?.maxMessages ?? 0),
      maxPending: 20_000,
      ...options.writeBuffer,
    },
    retention: { ...defaultRetention, ...options.retention },
    deliveryRetry: {
      // 7 attempts from 100 ms with jitter span ~2.3–4.5 s (5 spanned ~0.6–1.1 s): longer than a
      // recipient instance needs to re-subscribe after a Redis outage (reconnect backoff ≤ 0.5 s).
      maxAttempts: 7,
      initialRetryDelayMs: 100,
      maxRetryDelayMs: 5_000,
      maxRetrying: 10_000,
      maxDeferred: 10_000,
      maxDeferredAgeMs: 60_000,
      ...options.deliveryRetry,
    },
    breakerHalfOpenAfterMs: options.breakerHalfOpenAfterMs ?? 2_000,
    heartbeatMs: options.heartbeatMs ?? 30_000,
    maxFrameBytes: options.maxFrameBytes ?? 16_384,
    maxBodyBytes: options.maxBodyBytes ?? 4096,
    maxGroupSize: options.maxGroupSize ?? 256,
    maxConnections: options.maxConnections ?? 19_500,
    maxBufferedBytes: options.maxBufferedBytes ?? 1_048_576,
    // Seed 001: 100 messages/minute per user, 5 WebSocket connections/minute per IP.
    sendRateLimit: options.sendRateLimit ?? (loadtest ? 1_000_000 : 100),
    sendRateWindowMs: options.sendRateWindowMs ?? 60_000,
    connectRateLimit: options.connectRateLimit ?? (loadtest ? 1_000_000 : 600),
    connectRateWindowMs: options.connectRateWindowMs ?? 60_000,
    sqliteSync: options.sqliteSync ?? 'full',
    sqliteWriter: options.sqliteWriter ?? 'thread',
    log: options.log ?? false,
  };
}
