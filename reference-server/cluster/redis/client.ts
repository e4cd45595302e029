/**
 * ioredis clients for one gateway instance, with cluster mode's Lua scripts registered as commands.
 * Commands fail fast while Redis is unreachable (no offline queue once connected, bounded retries and a
 * command timeout) so the gateway's circuit breaker sees failures instead of requests piling up.
 */
import { Redis, type RedisOptions } from 'ioredis';
import {
  sequenceNextScript,
  sequenceSeedAndNextScript,
  slidingWindowCounterScript,
  slidingWindowLogScript,
  unregisterIfOwnerScript,
} from './scripts.js';

/** The scripts as typed commands (ioredis adds them to the client at runtime via defineCommand). */
export interface ScriptedRedis extends Redis {
  capsimSeqNext(key: string, count: number, ttlMs: number): Promise<number>;
  capsimSeqSeed(key: string, databaseMax: number, count: number, ttlMs: number): Promise<number>;
  capsimWindowLog(
    key: string,
    nowMs: number,
    windowMs: number,
    limit: number,
    member: string,
  ): Promise<[number, number]>;
  capsimWindowCounter(key: string, nowMs: number, windowMs: number, limit: number): Promise<[number, number]>;
  capsimUnregister(key: string, deviceId: string, instanceId: string): Promise<number>;
}

export interface RedisClientOptions {
  url: string;
  /** Connection name shown by CLIENT LIST. */
  name?: string;
  onError?: (error: Error) => void;
}

export function redisOptions(options: RedisClientOptions): RedisOptions {
  return {
    connectionName: options.name ?? 'capsim',
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    commandTimeout: 2000,
    connectTimeout: 3000,
    // Coalesces concurrent commands of one event-loop tick into one round trip (fan-out, heartbeats).
    enableAutoPipelining: true,
    // Reconnect forever with a capped backoff; the gateway's breaker decides what to do meanwhile.
    // The cap is short because a subscriber that comes back late after an outage misses what other
    // instances publish to it in the meantime (those publishes are retried for ~2.3–4.5 s, then go to
    // the DLQ); 2 attempts per second per client cost a recovering Redis little.
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 500),
  };
}

export async function connectRedis(options: RedisClientOptions): Promise<ScriptedRedis> {
  const client = new Redis(options.url, redisOptions(options));
  client.on('error', (error: Error) => options.onError?.(error));
  client.defineCommand('capsimSeqNext', { numberOfKeys: 1, lua: sequenceNextScript });
  client.defineCommand('capsimSeqSeed', { numberOfKeys: 1, lua: sequenceSeedAndNextScript });
  client.defineCommand('capsimWindowLog', { numberOfKeys: 1, lua: slidingWindowLogScript });
  client.defineCommand('capsimWindowCounter', { numberOfKeys: 1, lua: slidingWindowCounterScript });
  client.defineCommand('capsimUnregister', { numberOfKeys: 1, lua: unregisterIfOwnerScript });
  await client.connect();
  // After the first connect, fail commands immediately while disconnected instead of queueing them.
  client.options.enableOfflineQueue = false;
  return client as ScriptedRedis;
}
