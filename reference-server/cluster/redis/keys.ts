/**
 * Every Redis key cluster mode touches, under one configurable prefix (default `capsim:`), so tests and
 * several clusters can share a Redis and clean up with one SCAN MATCH `<prefix>*`.
 */
export interface RedisKeys {
  readonly prefix: string;
  /** Per-conversation sequence counter (INCR). */
  sequence(conversationId: string): string;
  /** Hash deviceId → `instanceId|expiresAtMs` of a user's live connections. */
  connections(userId: string): string;
  /** Sorted set of a user's send timestamps (sliding-window rate limit). */
  sendRate(userId: string): string;
  /** Sorted set of connection attempts from one IP. */
  connectRate(ip: string): string;
  /** `lastSeenMs` of an online user, with a TTL of 2 × heartbeat. */
  presence(userId: string): string;
  /** Pub/sub channel of one gateway instance. */
  instanceChannel(instanceId: string): string;
  /** Pub/sub channel every instance listens on (broadcasts such as group changes). */
  broadcastChannel(): string;
  /** Liveness key of one gateway instance, refreshed by its heartbeat. */
  instanceAlive(instanceId: string): string;
}

export const defaultRedisPrefix = 'capsim:';

export function redisKeys(prefix: string = defaultRedisPrefix): RedisKeys {
  return {
    prefix,
    sequence: (conversationId) => `${prefix}seq:{${conversationId}}`,
    connections: (userId) => `${prefix}conn:${userId}`,
    sendRate: (userId) => `${prefix}rate:send:${userId}`,
    connectRate: (ip) => `${prefix}rate:conn:${ip}`,
    presence: (userId) => `${prefix}presence:${userId}`,
    instanceChannel: (instanceId) => `${prefix}inst:${instanceId}`,
    broadcastChannel: () => `${prefix}broadcast`,
    instanceAlive: (instanceId) => `${prefix}alive:${instanceId}`,
  };
}
