/**
 * Connection registry and presence in Redis (seed 001 section 2: "Redis stores user_id → server_id").
 * - `<prefix>conn:<userId>`: hash deviceId → `instanceId|expiresAtMs`. Entries carry their own expiry
 *   (Redis 7.0 has no per-field TTL), readers ignore expired ones, and the whole key has a TTL refreshed
 *   with every register/refresh, so a crashed instance's entries vanish without anyone cleaning up.
 * - `<prefix>presence:<userId>`: lastSeenMs, kept `ttlMs + presenceRetentionMs` after the last refresh.
 * Everything for many users goes out in one pipeline (one round trip per heartbeat sweep / fan-out).
 */
import type { ConnectionRegistry, DeviceLocation, DeviceRef, UserPresence } from '../../contracts.js';
import type { ScriptedRedis } from './client.js';
import type { RedisKeys } from './keys.js';
import { globEscape } from './sequence-allocator.js';

export class RedisConnectionRegistry implements ConnectionRegistry {
  private sweepCursor = '0';

  constructor(
    private readonly redis: ScriptedRedis,
    private readonly keys: RedisKeys,
    private readonly presenceRetentionMs: number,
    /** Keys examined per `sweep` call: bounds the work of one maintenance tick. */
    private readonly sweepScanCount: number = 1000,
  ) {}

  async ping(): Promise<void> {
    // Fails at once while disconnected (the client queues nothing offline), else within commandTimeout.
    await this.redis.ping();
  }

  async register(location: DeviceRef & { instanceId: string }, nowMs: number, ttlMs: number): Promise<void> {
    await this.refresh(location.instanceId, [location], nowMs, ttlMs);
  }

  async refresh(
    instanceId: string,
    devices: readonly DeviceRef[],
    nowMs: number,
    ttlMs: number,
  ): Promise<void> {
    if (devices.length === 0) return;
    const pipeline = this.redis.pipeline();
    const entry = `${instanceId}|${nowMs + ttlMs}`;
    for (const device of devices) {
      const key = this.keys.connections(device.userId);
      pipeline.hset(key, device.deviceId, entry);
      pipeline.pexpire(key, ttlMs);
      pipeline.set(this.keys.presence(device.userId), String(nowMs), 'PX', ttlMs + this.presenceRetentionMs);
    }
    await execOrThrow(pipeline);
  }

  async unregister(location: DeviceRef & { instanceId: string }, nowMs: number): Promise<void> {
    const pipeline = this.redis.pipeline() as ReturnType<ScriptedRedis['pipeline']> & {
      capsimUnregister(key: string, deviceId: string, instanceId: string): unknown;
    };
    pipeline.capsimUnregister(this.keys.connections(location.userId), location.deviceId, location.instanceId);
    pipeline.set(this.keys.presence(location.userId), String(nowMs), 'PX', this.presenceRetentionMs);
    await execOrThrow(pipeline);
  }

  async lookup(userIds: readonly string[], nowMs: number): Promise<Map<string, UserPresence>> {
    const result = new Map<string, UserPresence>();
    if (userIds.length === 0) return result;
    const pipeline = this.redis.pipeline();
    for (const userId of userIds) {
      pipeline.hgetall(this.keys.connections(userId));
      pipeline.get(this.keys.presence(userId));
    }
    const replies = await execOrThrow(pipeline);
    userIds.forEach((userId, index) => {
      const hash = (replies[index * 2] ?? {}) as Record<string, string>;
      const lastSeen = replies[index * 2 + 1] as string | null;
      const devices: DeviceLocation[] = [];
      for (const [deviceId, value] of Object.entries(hash)) {
        const parsed = parseEntry(value);
        if (parsed !== undefined && parsed.expiresAtMs > nowMs) devices.push({ userId, deviceId, ...parsed });
      }
      if (devices.length > 0 || lastSeen !== null) {
        result.set(userId, { devices, lastSeenMs: lastSeen === null ? null : Number(lastSeen) });
      }
    });
    return result;
  }

  /**
   * Removes expired device fields from a bounded slice of the keyspace per call (an incremental SCAN
   * whose cursor persists between calls). lastSeen records expire by their own TTL.
   */
  async sweep(nowMs: number): Promise<number> {
    const [next, found] = await this.redis.scan(
      this.sweepCursor,
      'MATCH',
      `${globEscape(this.keys.prefix)}conn:*`,
      'COUNT',
      this.sweepScanCount,
    );
    this.sweepCursor = next;
    if (found.length === 0) return 0;
    const reads = this.redis.pipeline();
    for (const key of found) reads.hgetall(key);
    const hashes = await execOrThrow(reads);
    const deletes = this.redis.pipeline();
    let removed = 0;
    found.forEach((key, index) => {
      for (const [deviceId, value] of Object.entries((hashes[index] ?? {}) as Record<string, string>)) {
        const parsed = parseEntry(value);
        if (parsed === undefined || parsed.expiresAtMs <= nowMs) {
          deletes.hdel(key, deviceId);
          removed += 1;
        }
      }
    });
    if (removed > 0) await execOrThrow(deletes);
    return removed;
  }

  async close(): Promise<void> {
    // The Redis client is shared and closed by the adapter set.
  }
}

function parseEntry(value: string): { instanceId: string; expiresAtMs: number } | undefined {
  const bar = value.lastIndexOf('|');
  if (bar <= 0) return undefined;
  const expiresAtMs = Number(value.slice(bar + 1));
  return Number.isFinite(expiresAtMs) ? { instanceId: value.slice(0, bar), expiresAtMs } : undefined;
}

/** Runs a pipeline and throws the first command error (ioredis reports them per command). */
export async function execOrThrow(pipeline: ReturnType<ScriptedRedis['pipeline']>): Promise<unknown[]> {
  const replies = (await pipeline.exec()) ?? [];
  return replies.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}
