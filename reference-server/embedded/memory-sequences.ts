/**
 * In-process SequenceAllocator: a counter per conversation, seeded from the store's durable last seq
 * on first use and after `invalidate` (the store is the source of truth).
 */
import type { MessageStore, SequenceAllocator } from '../contracts.js';

export class MemorySequenceAllocator implements SequenceAllocator {
  private readonly last = new Map<string, number>();

  constructor(private readonly store: MessageStore) {}

  async allocate(conversationId: string, count: number): Promise<number> {
    let last = this.last.get(conversationId);
    if (last === undefined) {
      const stored = (await this.store.maxSeq([conversationId])).get(conversationId) ?? 0;
      // Another allocation may have seeded the counter while we awaited the store.
      last = this.last.get(conversationId) ?? stored;
    }
    this.last.set(conversationId, last + count);
    return last + 1;
  }

  allocateSync(conversationId: string, count: number): number | undefined {
    const last = this.last.get(conversationId);
    if (last === undefined) return undefined;
    this.last.set(conversationId, last + count);
    return last + 1;
  }

  async invalidate(conversationIds?: readonly string[]): Promise<void> {
    if (conversationIds === undefined) this.last.clear();
    else for (const id of conversationIds) this.last.delete(id);
  }
}
