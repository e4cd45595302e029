/**
 * Distributed sliding-window rate limits shared by every gateway instance (seed 001 section 6).
 * Limits up to `logLimitMax` use the exact sliding-window log (one sorted-set entry per event, as the
 * document sketches); larger ones (the load-test profile's 1,000,000/minute) use the sliding-window
 * counter (two counters, previous window weighted by its remaining overlap), whose memory is O(1).
 */
import { randomBytes } from 'node:crypto';
import type { RateDecision, RateLimiter } from '../../contracts.js';
import type { ScriptedRedis } from './client.js';

export const logLimitMax = 10_000;

export class RedisRateLimiter implements RateLimiter {
  private counter = 0;
  private readonly processTag = randomBytes(4).toString('hex');

  constructor(
    private readonly redis: ScriptedRedis,
    private readonly prefix: string,
  ) {}

  async consume(key: string, limit: number, windowMs: number, nowMs: number): Promise<RateDecision> {
    const redisKey = `${this.prefix}rate:${key}`;
    let result: [number, number];
    if (limit <= logLimitMax) {
      // The member must be unique per event, even for two events in the same millisecond.
      this.counter += 1;
      const member = `${nowMs}:${this.processTag}:${this.counter}`;
      result = await this.redis.capsimWindowLog(redisKey, nowMs, windowMs, limit, member);
    } else {
      result = await this.redis.capsimWindowCounter(`${redisKey}:c`, nowMs, windowMs, limit);
    }
    return { allowed: Number(result[0]) === 1, retryAfterMs: Number(result[1]) };
  }

  async close(): Promise<void> {
    // The Redis client is shared and closed by the adapter set.
  }
}
