/**
 * Degraded mode when the connection registry cannot be asked (Redis down in cluster mode): the sender's
 * instance keeps the cross-instance part of each fan-out waiting, in order, and sends it once the
 * registry answers again — so a recipient online on another instance gets the messages live, each
 * once, in seq order, without reconnecting. Beyond the queue's bound the oldest wait no longer; the
 * inbox still has them.
 */
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { UserPresence } from '../contracts.js';
import type { DeliveryRetryOptions } from '../options.js';
import { MemoryConnectionRegistry } from '../embedded/memory-registry.js';
import { MemoryPubSub } from '../embedded/memory-pubsub.js';
import { MemorySequenceAllocator } from '../embedded/memory-sequences.js';
import { SqliteMessageStore } from '../embedded/sqlite-store.js';
import { TestClient } from '../test-support/client.js';
import { metricValue, readinessStatus } from '../test-support/probes.js';
import { startTestServer, tempDataDir, type TestServer } from '../test-support/server.js';
import { sleep, until, within } from '../test-support/waits.js';

/** A registry whose lookups and pings fail while `failing` (registrations keep working). */
class FlakyRegistry extends MemoryConnectionRegistry {
  failing = false;
  lookups = 0;
  async ping(): Promise<void> {
    if (this.failing) throw new Error('registry unreachable');
  }
  override async lookup(userIds: readonly string[], nowMs: number): Promise<Map<string, UserPresence>> {
    this.lookups += 1;
    if (this.failing) throw new Error('registry unreachable');
    return super.lookup(userIds, nowMs);
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function twoInstances(deliveryRetry: Partial<DeliveryRetryOptions>) {
  const storeDir = tempDataDir();
  const store = new SqliteMessageStore({ dataDir: storeDir, synchronous: 'normal', writer: 'inline' });
  await within(store.init(), 'store init');
  cleanups.push(async () => {
    await store.close();
    rmSync(storeDir, { recursive: true, force: true });
  });
  const registry = new FlakyRegistry();
  const shared = { store, sequences: new MemorySequenceAllocator(store), registry, bus: new MemoryPubSub() };
  const options = {
    deliveryRetry: { initialRetryDelayMs: 5, maxRetryDelayMs: 20, ...deliveryRetry },
    breakerHalfOpenAfterMs: 100,
  };
  const servers: TestServer[] = [];
  for (const instanceId of ['gw-a', 'gw-b']) {
    const server = await within(startTestServer(options, { ...shared, instanceId }), `${instanceId} start`);
    servers.push(server);
    cleanups.push(() => within(server.dispose(), `${instanceId} dispose`));
  }
  return { a: servers[0], b: servers[1], registry };
}

async function open(server: TestServer, userId: string, deviceId?: string): Promise<TestClient> {
  const client = await within(
    TestClient.open(server.wsUrl, userId, deviceId ? { deviceId } : {}),
    `${userId} connect`,
  );
  cleanups.push(async () => client.ws.terminate());
  return client;
}

async function send(client: TestClient, key: string): Promise<number> {
  client.send({ type: 'send', conversationId: 'dm:alice:bob', idempotencyKey: key, body: key });
  return Number((await client.next('ack', { idempotencyKey: key })).seq);
}

const liveSeqs = (client: TestClient) =>
  client
    .ofType('deliver')
    .filter((frame) => frame.redelivery !== true)
    .map((frame) => frame.seq);

describe('cross-instance fan-out while the connection registry is unreachable', () => {
  it('waits, in order, and reaches the online recipient on the other instance once the registry answers', async () => {
    const { a, b, registry } = await twoInstances({});
    const alice = await open(a, 'alice');
    const bob = await open(b, 'bob');
    expect(await send(alice, 'before')).toBe(1);
    await bob.waitFor((frame) => frame.type === 'deliver' && frame.seq === 1);

    registry.failing = true;
    // /readyz pings the registry: degraded at once, before any send has found out.
    expect(await readinessStatus(a.url)).toBe('degraded');
    expect([await send(alice, 'd1'), await send(alice, 'd2'), await send(alice, 'd3')]).toEqual([2, 3, 4]);
    const lookupsBefore = registry.lookups;
    await until(() => registry.lookups > lookupsBefore + 2, 'the flusher retrying the lookup');
    expect(await metricValue(a.url, 'capsim_deferred_routes')).toBe(3);
    // ACKed and durable, but not pushed: the other instance was never told.
    expect(liveSeqs(bob)).toEqual([1]);

    registry.failing = false;
    await within(
      bob.waitFor((frame) => frame.type === 'deliver' && frame.seq === 4),
      'deferred deliveries after recovery',
    );
    expect(await send(alice, 'after')).toBe(5);
    await bob.waitFor((frame) => frame.type === 'deliver' && frame.seq === 5);
    await sleep(50); // room for a stray second copy to show up
    expect(bob.ofType('deliver').map((frame) => frame.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(await metricValue(a.url, 'capsim_deferred_routes')).toBe(0);
    expect(await metricValue(a.url, 'capsim_deferred_routes_dropped_total')).toBe(0);
    expect(await readinessStatus(a.url)).toBe('ready');
  });

  it('drops the oldest beyond maxDeferred; the recipient reads that one from its inbox on reconnect', async () => {
    const { a, b, registry } = await twoInstances({ maxDeferred: 2 });
    const alice = await open(a, 'alice');
    const bob = await open(b, 'bob');
    registry.failing = true;
    expect([await send(alice, 'd1'), await send(alice, 'd2'), await send(alice, 'd3')]).toEqual([1, 2, 3]);
    expect(await metricValue(a.url, 'capsim_deferred_routes')).toBe(2);
    expect(await metricValue(a.url, 'capsim_deferred_routes_dropped_total')).toBe(1);

    registry.failing = false;
    await within(
      bob.waitFor((frame) => frame.type === 'deliver' && frame.seq === 3),
      'deferred deliveries after recovery',
    );
    expect(liveSeqs(bob)).toEqual([2, 3]);
    // No receipts were sent, so the inbox replays all three to a new connection, seq 1 included.
    const bobAgain = await open(b, 'bob', 'phone');
    await within(
      bobAgain.waitFor((frame) => frame.type === 'deliver' && frame.seq === 3),
      'inbox replay',
    );
    expect(bobAgain.ofType('deliver').map((frame) => [frame.seq, frame.redelivery])).toEqual([
      [1, true],
      [2, true],
      [3, true],
    ]);
  });
});
