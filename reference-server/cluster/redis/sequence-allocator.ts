/**
 * Per-conversation sequence numbers from Redis INCRBY (seed 002, gap 2: "Redis-based sequence numbers,
 * sub-millisecond"), with PostgreSQL as the source of truth: a missing counter (first use, expired,
 * invalidated after a failed batch, or lost with Redis) is seeded from `MessageStore.maxSeq` before
 * allocating, so numbering resumes at max(seq)+1 with no gap and no reuse of a committed seq.
 *
 * Safety net: the messages table's primary key (conversation_id, seq). Whatever goes wrong in Redis
 * (a restart from an old snapshot, a stale seed racing an in-flight batch), a seq can never be committed
 * twice; the colliding batch fails, the gateway invalidates, and the counter is re-seeded from the DB.
 *
 * Degraded mode: while Redis is unreachable, counters are served locally (seeded from the database
 * like the embedded allocator) so sends keep working; concurrent writers of one conversation on two
 * instances would collide on the primary key and retry. Counters used that way are dropped from Redis
 * as soon as it answers again, so they are re-seeded from the database.
 */
import type { MessageStore, SequenceAllocator } from '../../contracts.js';
import type { RedisKeys } from './keys.js';
import type { ScriptedRedis } from './client.js';

/** Idle counters expire after a week; they are recovered from the database when used again. */
export const defaultSequenceTtlMs = 7 * 86_400_000;

/**
 * Conversations this instance allocated in during the last `recentWindowMs`: the only ones a failed
 * batch of this instance can have left a gap in. Must exceed write-buffer delay + commit timeout.
 */
export const recentWindowMs = 30_000;

export class RedisSequenceAllocator implements SequenceAllocator {
  /** Counters seeded from the database (recovery after a Redis loss shows up here). */
  seededFromDatabase = 0;
  /** Allocations served locally because Redis failed. */
  fallbackAllocations = 0;
  private readonly recent = new Map<string, number>();
  /** Counters to drop from Redis before the next allocation (invalidations Redis did not take). */
  private readonly pendingInvalidation = new Set<string>();
  private readonly local = new Map<string, number>();

  constructor(
    private readonly redis: ScriptedRedis,
    private readonly keys: RedisKeys,
    private readonly store: Pick<MessageStore, 'maxSeq'>,
    private readonly ttlMs: number = defaultSequenceTtlMs,
    private readonly monotonicNowMs: () => number = () => performance.now(),
  ) {}

  async allocate(conversationId: string, count: number): Promise<number> {
    if (!Number.isInteger(count) || count < 1)
      throw new RangeError(`count must be a positive integer, got ${count}`);
    this.remember(conversationId);
    let last: number;
    try {
      if (this.pendingInvalidation.size > 0) await this.flushInvalidations();
      last = await this.allocateInRedis(conversationId, count);
      this.local.clear();
    } catch (error) {
      if (!isRedisUnavailable(error)) throw error;
      last = await this.allocateLocally(conversationId, count);
    }
    // INCRBY returned the last of `count` reserved numbers: first = last − count + 1.
    return last - count + 1;
  }

  private async allocateInRedis(conversationId: string, count: number): Promise<number> {
    const key = this.keys.sequence(conversationId);
    const last = Number(await this.redis.capsimSeqNext(key, count, this.ttlMs));
    if (last >= 0) return last;
    const databaseMax = (await this.store.maxSeq([conversationId])).get(conversationId) ?? 0;
    this.seededFromDatabase += 1;
    return Number(await this.redis.capsimSeqSeed(key, databaseMax, count, this.ttlMs));
  }

  private async allocateLocally(conversationId: string, count: number): Promise<number> {
    let last = this.local.get(conversationId);
    if (last === undefined) {
      const stored = (await this.store.maxSeq([conversationId])).get(conversationId) ?? 0;
      last = this.local.get(conversationId) ?? stored;
    }
    this.local.set(conversationId, last + count);
    this.pendingInvalidation.add(conversationId);
    this.fallbackAllocations += 1;
    return last + count;
  }

  async invalidate(conversationIds?: readonly string[]): Promise<void> {
    this.pruneRecent();
    // "All" means every counter this instance may have left a gap in (see recentWindowMs): dropping
    // other instances' counters would only make their in-flight seqs collide.
    const ids = conversationIds ?? [...this.recent.keys()];
    for (const id of ids) {
      this.pendingInvalidation.add(id);
      this.local.delete(id);
    }
    await this.flushInvalidations();
  }

  private async flushInvalidations(): Promise<void> {
    const ids = [...this.pendingInvalidation];
    for (let start = 0; start < ids.length; start += 500) {
      const slice = ids.slice(start, start + 500);
      await this.redis.unlink(...slice.map((id) => this.keys.sequence(id)));
      for (const id of slice) this.pendingInvalidation.delete(id);
    }
  }

  private remember(conversationId: string): void {
    const now = this.monotonicNowMs();
    this.recent.delete(conversationId); // re-insert so the map stays ordered by last use
    this.recent.set(conversationId, now);
    if (this.recent.size % 1024 === 0) this.pruneRecent();
  }

  private pruneRecent(): void {
    const horizon = this.monotonicNowMs() - recentWindowMs;
    for (const [id, at] of this.recent) {
      if (at >= horizon) break;
      this.recent.delete(id);
    }
  }
}

/** Connection-level failures (as opposed to a script error, which is a bug and must surface). */
export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const message = error.message;
  return (
    /Connection is closed|Stream isn't writeable|enableOfflineQueue|Command timed out|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|MaxRetriesPerRequest/i.test(
      message,
    ) ||
    ('code' in error &&
      typeof (error as { code: unknown }).code === 'string' &&
      /^E[A-Z]+$/.test((error as { code: string }).code))
  );
}

export function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, (character) => `\\${character}`);
}
