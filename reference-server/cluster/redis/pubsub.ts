/**
 * Cross-instance delivery over Redis pub/sub, one channel per gateway instance (seed 001 section 2:
 * `redis.publish(f"server:{server_id}", message)`). PUBLISH answers how many subscribers received the
 * message; 0 means the target instance is gone (crashed, or its registry entries are stale), so
 * `publish` throws and the gateway retries with backoff, then dead-letters — never a silent loss.
 * The recipient's inbox row (written with the message) still covers a subscriber that dies after
 * receiving: the device gets the message again on reconnect.
 */
import type { BusEnvelope, PubSub } from '../../contracts.js';
import { connectRedis, type ScriptedRedis } from './client.js';
import type { RedisKeys } from './keys.js';

/**
 * The target instance is gone; Redis itself is fine. `breakerNeutral` keeps the gateway's Redis
 * circuit breaker closed (gateway/resilience.ts): one dead instance must not cut every other instance
 * off from Redis. The gateway still retries and dead-letters the envelope.
 */
export class NoSubscriberError extends Error {
  override readonly name = 'NoSubscriberError';
  readonly breakerNeutral = true;
}

export class RedisPubSub implements PubSub {
  private subscriber: ScriptedRedis | undefined;

  constructor(
    private readonly publisher: ScriptedRedis,
    private readonly keys: RedisKeys,
    private readonly redisUrl: string,
    private readonly onError?: (error: Error) => void,
  ) {}

  async subscribe(instanceId: string, handler: (envelope: BusEnvelope) => void): Promise<void> {
    // A subscribed connection can issue no other commands, hence a dedicated client.
    const subscriber = await connectRedis({
      url: this.redisUrl,
      name: `capsim-sub-${instanceId}`,
      onError: this.onError,
    });
    subscriber.options.enableOfflineQueue = true; // ioredis re-subscribes after a reconnect
    this.subscriber = subscriber;
    const channel = this.keys.instanceChannel(instanceId);
    subscriber.on('message', (received: string, text: string) => {
      if (received !== channel) return;
      let envelope: BusEnvelope;
      try {
        envelope = JSON.parse(text) as BusEnvelope;
      } catch (error) {
        this.onError?.(error as Error);
        return;
      }
      handler(envelope);
    });
    await subscriber.subscribe(channel);
  }

  async publish(instanceId: string, envelope: BusEnvelope): Promise<void> {
    const receivers = await this.publisher.publish(
      this.keys.instanceChannel(instanceId),
      JSON.stringify(envelope),
    );
    if (receivers === 0) {
      throw new NoSubscriberError(`instance ${instanceId} is not subscribed (no receiver on its channel)`);
    }
  }

  async close(): Promise<void> {
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (subscriber !== undefined) await subscriber.quit().catch(() => subscriber.disconnect());
  }
}
