/**
 * Builds the Redis + PostgreSQL adapters one gateway instance runs on (the ports of contracts.ts).
 * Each instance owns: one PostgreSQL pool (all shards), one Redis command connection (sequences,
 * registry, presence, rate limits, publish; auto-pipelined) and one Redis subscriber connection.
 */
import { systemClock } from '../clock.js';
import type { Clock, ServerAdapters } from '../contracts.js';
import { defaultRetention } from '../options.js';
import { createPgPool, defaultPgPoolSize } from './pg/pool.js';
import { PostgresMessageStore } from './pg/message-store.js';
import { assertIdentifier } from './pg/schema.js';
import { connectRedis } from './redis/client.js';
import { RedisConnectionRegistry } from './redis/connection-registry.js';
import { defaultRedisPrefix, redisKeys } from './redis/keys.js';
import { RedisPubSub } from './redis/pubsub.js';
import { RedisRateLimiter } from './redis/rate-limiter.js';
import { RedisSequenceAllocator } from './redis/sequence-allocator.js';

export const defaultShards = 8;

export interface ClusterAdapterOptions {
  redisUrl: string;
  postgresUrl: string;
  instanceId: string;
  shards?: number;
  /** Redis key prefix; the PostgreSQL namespace is derived from it (`capsim:` → `capsim`). */
  keyPrefix?: string;
  pgPoolSize?: number;
  idempotencyMs?: number;
  presenceRetentionMs?: number;
  clock?: Clock;
  onError?: (source: 'redis' | 'postgres', error: Error) => void;
}

export interface ClusterAdapterSet {
  adapters: ServerAdapters &
    Required<Pick<ServerAdapters, 'store' | 'sequences' | 'registry' | 'bus' | 'rateLimiter'>>;
  store: PostgresMessageStore;
  sequences: RedisSequenceAllocator;
  /** Closes the Redis connections and the pool (after the server stopped using them). */
  close(): Promise<void>;
}

/** `capsim:` → `capsim`, `capsim-test-1a:` → `capsim_test_1a`: a safe schema prefix. */
export function namespaceFromPrefix(prefix: string): string {
  const namespace = prefix
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '');
  const safe = /^[a-z_]/.test(namespace) ? namespace : `c_${namespace}`;
  assertIdentifier(safe);
  return safe;
}

export async function createClusterAdapters(options: ClusterAdapterOptions): Promise<ClusterAdapterSet> {
  const prefix = options.keyPrefix ?? defaultRedisPrefix;
  const keys = redisKeys(prefix);
  const shards = options.shards ?? defaultShards;
  const pool = createPgPool({
    connectionString: options.postgresUrl,
    maxConnections: options.pgPoolSize ?? defaultPgPoolSize,
    applicationName: `capsim-${options.instanceId}`,
    onError: (error) => options.onError?.('postgres', error),
  });
  const store = new PostgresMessageStore({
    pool,
    namespace: namespaceFromPrefix(prefix),
    shards,
    idempotencyMs: options.idempotencyMs ?? defaultRetention.idempotencyMs,
    ownsPool: true,
  });
  let redis;
  try {
    redis = await connectRedis({
      url: options.redisUrl,
      name: `capsim-${options.instanceId}`,
      onError: (error) => options.onError?.('redis', error),
    });
  } catch (error) {
    await pool.end();
    throw error;
  }
  const sequences = new RedisSequenceAllocator(redis, keys, store);
  const registry = new RedisConnectionRegistry(
    redis,
    keys,
    options.presenceRetentionMs ?? defaultRetention.presenceMs,
  );
  const bus = new RedisPubSub(redis, keys, options.redisUrl, (error) => options.onError?.('redis', error));
  const rateLimiter = new RedisRateLimiter(redis, prefix);
  let closed = false;
  return {
    adapters: {
      instanceId: options.instanceId,
      store,
      sequences,
      registry,
      bus,
      rateLimiter,
      clock: options.clock ?? systemClock,
      dependencyNames: { store: 'postgres', bus: 'redis' },
    },
    store,
    sequences,
    async close() {
      if (closed) return;
      closed = true;
      await bus.close();
      await redis.quit().catch(() => redis.disconnect());
      await store.close().catch(() => undefined);
    },
  };
}
