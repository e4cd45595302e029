/** Retention with a fake clock, slow consumers, graceful shutdown, DLQ + degraded mode. */
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { signToken } from '../auth/token.js';
import { FakeClock } from '../clock.js';
import type { BusEnvelope, PubSub } from '../contracts.js';
import { listDeadLettersRemote, replayDeadLettersRemote } from '../dlq-client.js';
import { MemoryConnectionRegistry } from '../embedded/memory-registry.js';
import { MemoryPubSub } from '../embedded/memory-pubsub.js';
import { MemorySequenceAllocator } from '../embedded/memory-sequences.js';
import { SqliteMessageStore } from '../embedded/sqlite-store.js';
import { TestClient } from '../test-support/client.js';
import { startTestServer, tempDataDir, type TestServer } from '../test-support/server.js';

const dayMs = 86_400_000;
const servers: TestServer[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.ws.terminate();
  for (const server of servers.splice(0)) await server.dispose();
});

const farExp = () => Math.floor(Date.now() / 1000) + 400 * 86_400;
async function open(server: TestServer, userId: string): Promise<TestClient> {
  const client = await TestClient.open(server.wsUrl, userId, { exp: farExp() });
  clients.push(client);
  return client;
}
async function send(client: TestClient, conversationId: string, key: string) {
  client.send({ type: 'send', conversationId, idempotencyKey: key, body: key });
  return client.next('ack', { idempotencyKey: key });
}
async function historySeqs(server: TestServer, userId: string, conversationId: string): Promise<number[]> {
  const token = signToken({ sub: userId, exp: farExp() }, 'capsim-dev-secret');
  const response = await fetch(
    `${server.url}/v1/conversations/${encodeURIComponent(conversationId)}/messages`,
    {
      headers: { authorization: `Bearer ${token}` },
    },
  );
  return ((await response.json()) as { messages: { seq: number }[] }).messages.map((m) => m.seq);
}

describe('retention (seed 002 TTLs, fake clock)', () => {
  it('deletes read after 3 d, delivered after 7 d, undelivered after 90 d, idempotency keys after 24 h; seqs never reused', async () => {
    const clock = new FakeClock(Date.now());
    const server = await startTestServer({ retention: { intervalMs: 0, batchSize: 2 } }, { clock });
    servers.push(server);
    const alice = await open(server, 'alice');
    const bob = await open(server, 'bob');
    const carol = await open(server, 'carol');
    await send(alice, 'dm:alice:bob', 'r1');
    await send(alice, 'dm:alice:bob', 'r2');
    await send(alice, 'dm:alice:bob', 'r3');
    await send(alice, 'dm:alice:carol', 'd1');
    await send(alice, 'dm:alice:dave', 'u1'); // dave never connects
    bob.send({ type: 'receipt', conversationId: 'dm:alice:bob', seq: 3, status: 'read' });
    carol.send({ type: 'receipt', conversationId: 'dm:alice:carol', seq: 1, status: 'delivered' });
    await alice.waitFor((f) => f.type === 'receipt' && f.userId === 'carol');
    await alice.waitFor((f) => f.type === 'receipt' && f.userId === 'bob');

    clock.advance(dayMs + 1);
    expect((await server.runMaintenance()).idempotency).toBe(5);
    // The key expired, so the same key is a new message — with the next seq, never a reused one.
    expect(await send(alice, 'dm:alice:bob', 'r1')).toMatchObject({ seq: 4, duplicate: false });

    clock.advance(2 * dayMs);
    expect(await server.runMaintenance()).toMatchObject({ read: 3, delivered: 0, undelivered: 0 });
    expect(await historySeqs(server, 'alice', 'dm:alice:bob')).toEqual([4]);
    expect(await historySeqs(server, 'alice', 'dm:alice:carol')).toEqual([1]);

    clock.advance(4 * dayMs);
    expect(await server.runMaintenance()).toMatchObject({ delivered: 1, undelivered: 0 });
    expect(await historySeqs(server, 'alice', 'dm:alice:carol')).toEqual([]);
    expect(await historySeqs(server, 'alice', 'dm:alice:dave')).toEqual([1]);

    clock.advance(83 * dayMs + 1);
    const swept = await server.runMaintenance();
    expect(swept.undelivered).toBe(1); // dave's; bob's unreceipted seq 4 is younger than 90 days
    expect(await historySeqs(server, 'alice', 'dm:alice:dave')).toEqual([]);
    expect(await send(alice, 'dm:alice:dave', 'u2')).toMatchObject({ seq: 2 });
  });
});

describe('backpressure', () => {
  it('closes a slow consumer with 4009 instead of buffering without bound; the sender is unaffected', async () => {
    const server = await startTestServer({
      profile: 'loadtest',
      maxBufferedBytes: 65_536,
      writeBuffer: { maxPending: 100_000 },
    });
    servers.push(server);
    const alice = await open(server, 'alice');
    const bob = await open(server, 'bob');
    const socket = (bob.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    const body = 'x'.repeat(4000);
    const total = 3000;
    for (let i = 0; i < total; i += 1) {
      alice.send({ type: 'send', conversationId: 'dm:alice:bob', idempotencyKey: `s${i}`, body });
    }
    await alice.waitFor((f) => f.type === 'ack' && f.idempotencyKey === `s${total - 1}`, 30_000);
    expect(alice.ofType('ack')).toHaveLength(total);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/capsim_slow_consumers_total\{[^}]*\} 1/);
    socket.resume();
    expect(await bob.closed).toBe(4009);
  });
});

describe('graceful shutdown', () => {
  it('commits buffered messages, ACKs them, sends reconnect, closes 1001; the data survives a restart', async () => {
    const dataDir = tempDataDir();
    const server = await startTestServer({ dataDir, writeBuffer: { maxMessages: 1000, maxDelayMs: 60_000 } });
    const alice = await open(server, 'alice');
    for (let i = 0; i < 20; i += 1)
      alice.send({ type: 'send', conversationId: 'dm:alice:bob', idempotencyKey: `g${i}`, body: 'x' });
    alice.send({ type: 'ping', ts: 0 });
    await alice.next('pong'); // every send above is now waiting in the write buffer
    expect(alice.ofType('ack')).toHaveLength(0);
    await server.close();
    expect(await alice.closed).toBe(1001);
    const types = alice.frames.map((f) => f.type);
    expect(types.filter((t) => t === 'ack')).toHaveLength(20);
    expect(types.indexOf('reconnect')).toBeGreaterThan(types.lastIndexOf('ack'));
    expect(alice.ofType('reconnect')[0]).toMatchObject({ reason: 'shutdown', retryAfterMs: 1000 });

    const again = await startTestServer({ dataDir });
    servers.push(again);
    const bob = await open(again, 'bob');
    await bob.waitFor((f) => f.type === 'deliver' && f.seq === 20);
    expect(bob.ofType('deliver').map((d) => d.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });
});

/** A bus whose publishes can be made to fail, like an unreachable Redis. */
class FlakyBus implements PubSub {
  failing = false;
  constructor(private readonly inner: MemoryPubSub) {}
  subscribe(instanceId: string, handler: (envelope: BusEnvelope) => void) {
    return this.inner.subscribe(instanceId, handler);
  }
  publish(instanceId: string, envelope: BusEnvelope) {
    return this.failing
      ? Promise.reject(new Error('bus unreachable'))
      : this.inner.publish(instanceId, envelope);
  }
  close() {
    return Promise.resolve();
  }
}

describe('cross-instance delivery, DLQ and degraded mode', () => {
  it('retries, parks in the DLQ, reports degraded, keeps the inbox, and replays to the recipient', async () => {
    const storeDir = tempDataDir();
    const store = new SqliteMessageStore({ dataDir: storeDir, synchronous: 'normal', writer: 'inline' });
    await store.init();
    const shared = {
      store,
      sequences: new MemorySequenceAllocator(store),
      registry: new MemoryConnectionRegistry(),
      bus: new FlakyBus(new MemoryPubSub()),
    };
    const options = {
      deliveryRetry: { maxAttempts: 3, initialRetryDelayMs: 5, maxRetryDelayMs: 20 },
      breakerHalfOpenAfterMs: 200,
    };
    const a = await startTestServer(options, { ...shared, instanceId: 'gw-a' });
    const b = await startTestServer(options, { ...shared, instanceId: 'gw-b' });
    servers.push(a, b);
    const alice = await open(a, 'alice');
    const bob = await open(b, 'bob');
    await send(alice, 'dm:alice:bob', 'live');
    expect(await bob.waitFor((f) => f.type === 'deliver')).toMatchObject({ seq: 1, senderId: 'alice' });

    shared.bus.failing = true;
    for (let i = 0; i < 3; i += 1) await send(alice, 'dm:alice:bob', `lost${i}`);
    const dlqMetric = async () =>
      /capsim_dlq_size\{[^}]*\} (\d+)/.exec(await (await fetch(`${a.url}/metrics`)).text())?.[1];
    while ((await dlqMetric()) !== '3') await new Promise((resolve) => setTimeout(resolve, 20));
    const target = { url: a.url, tokenSecret: 'capsim-dev-secret' };
    const listed = await listDeadLettersRemote(target, 10);
    expect(listed.total).toBe(3);
    expect(listed.entries[0]).toMatchObject({
      targetInstanceId: 'gw-b',
      envelope: { conversationId: 'dm:alice:bob', seq: 2 },
    });
    expect(listed.entries[0].attempts).toBeGreaterThanOrEqual(2);
    const ready = (await (await fetch(`${a.url}/readyz`)).json()) as { status: string };
    expect(ready.status).toBe('degraded');
    expect(bob.ofType('deliver')).toHaveLength(1);

    // Degraded mode loses nothing: a reconnect serves the messages from the durable inbox.
    const bobPhone = await TestClient.open(b.wsUrl, 'bob', { deviceId: 'phone' });
    clients.push(bobPhone);
    await bobPhone.waitFor((f) => f.type === 'deliver' && f.seq === 4);

    shared.bus.failing = false;
    await new Promise((resolve) => setTimeout(resolve, 250)); // breaker half-opens
    expect(await replayDeadLettersRemote(target, 100)).toEqual({ replayed: 3, remaining: 0 });
    await bob.waitFor((f) => f.type === 'deliver' && f.seq === 4);
    expect(bob.ofType('deliver').map((d) => d.seq)).toEqual([1, 2, 3, 4]);
    expect(((await (await fetch(`${a.url}/readyz`)).json()) as { status: string }).status).toBe('ready');
    await a.close();
    await b.close();
    await store.close();
    rmSync(storeDir, { recursive: true, force: true });
  });
});
