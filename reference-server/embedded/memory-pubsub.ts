/**
 * In-process PubSub (embedded mode). Several gateway instances in one process (tests) can share one
 * instance of it; publishing to an instance nobody subscribed fails, like a dead peer.
 */
import type { BusEnvelope, PubSub } from '../contracts.js';

export class MemoryPubSub implements PubSub {
  private readonly handlers = new Map<string, (envelope: BusEnvelope) => void>();

  async subscribe(instanceId: string, handler: (envelope: BusEnvelope) => void): Promise<void> {
    this.handlers.set(instanceId, handler);
  }

  async publish(instanceId: string, envelope: BusEnvelope): Promise<void> {
    const handler = this.handlers.get(instanceId);
    if (handler === undefined) throw new Error(`no subscriber for instance ${instanceId}`);
    queueMicrotask(() => handler(envelope));
  }

  async close(): Promise<void> {
    this.handlers.clear();
  }
}
