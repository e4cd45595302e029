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
import { metricValue } from '../test-support/probes.js';
import { startTestServer, tempDataDir, type TestServer } from '../test-support/server.js';
import { sleep, until, waitMs, within } from '../test-support/waits.js';

const dayMs = 86_400_000;
const servers: TestServer[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.ws.terminate();
  for (const server of servers.splice(0)) await within(server.dispose(), 'server dispose');
});

const get = (url: string, init: RequestInit = {}) =>
  fetch(url, { ...init, signal: AbortSignal.timeout(waitMs) });

const farExp = () => Math.floor(Date.now() / 1000) + 400 * 86_400;
async function open(server: TestServer, userId: string, deviceId?: string): Promise<TestClient> {
  const options = { exp: farExp(), ...(deviceId ? { deviceId } : {}) };
  const client = await within(TestClient.open(server.wsUrl, userId, options), `${userId} connect`);
  clients.push(client);
  return client;
}
async function send(client: TestClient, conversationId: string, key: string) {
  client.send({ type: 'send', conversationId, idempotencyKey: key, body: key });
  return client.next('ack', { idempotencyKey: key });
}
async function historySeqs(server: TestServer, userId: string, conversationId: string): Promise<number[]> {
  const token = signToken({ sub: userId, exp: farExp() }, 'capsim-dev-secret');
  const response = await get(
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
    const server = await within(
      startTestServer({ retention: { intervalMs: 0, batchSize: 2 } }, { clock }),
      'server start',
    );
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
    expect((await within(server.runMaintenance(), 'maintenance')).idempotency).toBe(5);
    // The key expired, so the same key is a new message — with the next seq, never a reused one.
    expect(await send(alice, 'dm:alice:bob', 'r1')).toMatchObject({ seq: 4, duplicate: false });

    clock.advance(2 * dayMs);
    expect(await within(server.runMaintenance(), 'maintenance')).toMatchObject({
      read: 3,
      delivered: 0,
      undelivered: 0,
    });
    expect(await historySeqs(server, 'alice', 'dm:alice:bob')).toEqual([4]);
    expect(await historySeqs(server, 'alice', 'dm:alice:carol')).toEqual([1]);

    clock.advance(4 * dayMs);
    expect(await within(server.runMaintenance(), 'maintenance')).toMatchObject({
      delivered: 1,
      undelivered: 0,
    });
    expect(await historySeqs(server, 'alice', 'dm:alice:carol')).toEqual([]);
    expect(await historySeqs(server, 'alice', 'dm:alice:dave')).toEqual([1]);

    clock.advance(83 * dayMs + 1);
    const swept = await within(server.runMaintenance(), 'maintenance');
    expect(swept.undelivered).toBe(1); // dave's; bob's unreceipted seq 4 is younger than 90 days
    expect(await historySeqs(server, 'alice', 'dm:alice:dave')).toEqual([]);
    expect(await send(alice, 'dm:alice:dave', 'u2')).toMatchObject({ seq: 2 });
  });
});

describe('backpressure', () => {
  it('closes a slow consumer with 4009 instead of buffering without bound; the sender is unaffected', async () => {
    const server = await within(
      startTestServer({
        profile: 'loadtest',
        maxBufferedBytes: 65_536,
        writeBuffer: { maxPending: 100_000 },
      }),
      'server start',
    );
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
    const metrics = await (await get(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/capsim_slow_consumers_total\{[^}]*\} 1/);
    socket.resume();
    expect(await within(bob.closed, 'slow consumer close')).toBe(4009);
  });
});

describe('graceful shutdown', () => {
  it('commits buffered messages, ACKs them, sends reconnect, closes 1001; the data survives a restart', async () => {
    const dataDir = tempDataDir();
    const server = await within(
      startTestServer({ dataDir, writeBuffer: { maxMessages: 1000, maxDelayMs: 60_000 } }),
      'server start',
    );
    const alice = await open(server, 'alice');
    for (let i = 0; i < 20; i += 1)
      alice.send({ type: 'send', conversationId: 'dm:alice:bob', idempotencyKey: `g${i}`, body: 'x' });
    alice.send({ type: 'ping', ts: 0 });
    await alice.next('pong'); // every send above is now waiting in the write buffer
    expect(alice.ofType('ack')).toHaveLength(0);
    await within(server.close(), 'graceful shutdown');
    expect(await within(alice.closed, 'close on shutdown')).toBe(1001);
    const types = alice.frames.map((f) => f.type);
    expect(types.filter((t) => t === 'ack')).toHaveLength(20);
    expect(types.indexOf('reconnect')).toBeGreaterThan(types.lastIndexOf('ack'));
    expect(alice.ofType('reconnect')[0]).toMatchObject({ reason: 'shutdown', retryAfterMs: 1000 });

    const again = await within(startTestServer({ dataDir }), 'server restart');
    servers.push(again);
    const bob = await open(again, 'bob');
    await bob.waitFor((f) => f.type === 'deliver' && f.seq === 20);
    expect(bob.ofType('deliver').map((d) => d.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });
});

/**
 * A bus whose publishes can be made to fail, like an unreachable Redis. After `hold()` publishes hang
 * (a stalled connection); `failOldest()` rejects the oldest hanging one and makes every new publish
 * fail at once; `recover()` makes new publishes work again.
 */
class FlakyBus implements PubSub {
  private mode: 'ok' | 'holding' | 'failing' = 'ok';
  private readonly held: (() => void)[] = [];
  constructor(private readonly inner: MemoryPubSub) {}
  subscribe(instanceId: string, handler: (envelope: BusEnvelope) => void) {
    return this.inner.subscribe(instanceId, handler);
  }
  publish(instanceId: string, envelope: BusEnvelope) {
    if (this.mode === 'failing') return Promise.reject(new Error('bus unreachable'));
    if (this.mode === 'holding')
      return new Promise<void>((_, reject) => this.held.push(() => reject(new Error('bus unreachable'))));
    return this.inner.publish(instanceId, envelope);
  }
  /** Publishes in flight (started while holding, not failed yet). */
  get inFlight(): number {
    return this.held.length;
  }
  hold() {
    this.mode = 'holding';
  }
  failOldest() {
    this.mode = 'failing';
    this.held.shift()?.();
  }
  recover() {
    this.mode = 'ok';
  }
  close() {
    return Promise.resolve();
  }
}

describe('cross-instance delivery, DLQ and degraded mode', () => {
  it('retries, parks in the DLQ, reports degraded, keeps the inbox, and replays to the recipient', async () => {
    const storeDir = tempDataDir();
    const store = new SqliteMessageStore({ dataDir: storeDir, synchronous: 'normal', writer: 'inline' });
    await within(store.init(), 'store init');
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
    const a = await within(startTestServer(options, { ...shared, instanceId: 'gw-a' }), 'gw-a start');
    const b = await within(startTestServer(options, { ...shared, instanceId: 'gw-b' }), 'gw-b start');
    servers.push(a, b);
    const alice = await open(a, 'alice');
    const bob = await open(b, 'bob');
    await send(alice, 'dm:alice:bob', 'live');
    expect(await bob.waitFor((f) => f.type === 'deliver')).toMatchObject({ seq: 1, senderId: 'alice' });

    // The bus stalls, then fails. What the gateway guarantees: a publish it started (registry lookup
    // done while the cross-instance breaker was closed) is retried and then parked in the DLQ, even
    // if the breaker opens meanwhile; once the breaker is open (5 failures in a row), new messages are
    // not published at all: their recipients read them from the inbox. So all three publishes are
    // started before anything fails (else a send after the breaker opened would skip the bus and the
    // DLQ would stay at 2), then fail one message at a time, so they park (and replay) in seq order.
    shared.bus.hold();
    for (let i = 0; i < 3; i += 1) {
      await send(alice, 'dm:alice:bob', `lost${i}`);
      await until(() => shared.bus.inFlight === i + 1, `publish of lost${i} in flight`);
    }
    for (let parked = 1; parked <= 3; parked += 1) {
      shared.bus.failOldest(); // its retries fail too; the breaker opens during the second message's
      await until(async () => (await metricValue(a.url, 'capsim_dlq_size')) === parked, `DLQ size ${parked}`);
    }
    const target = { url: a.url, tokenSecret: 'capsim-dev-secret' };
    const listed = await within(listDeadLettersRemote(target, 10), 'DLQ list');
    expect(listed.total).toBe(3);
    expect(listed.entries.map((entry) => entry.envelope.seq)).toEqual([2, 3, 4]);
    for (const entry of listed.entries) {
      expect(entry).toMatchObject({ targetInstanceId: 'gw-b', envelope: { conversationId: 'dm:alice:bob' } });
      expect(entry.attempts).toBeGreaterThanOrEqual(2);
    }
    const ready = (await (await get(`${a.url}/readyz`)).json()) as { status: string };
    expect(ready.status).toBe('degraded');
    expect(bob.ofType('deliver')).toHaveLength(1);

    // Degraded mode loses nothing: a reconnect serves the messages from the durable inbox.
    const bobPhone = await open(b, 'bob', 'phone');
    await bobPhone.waitFor((f) => f.type === 'deliver' && f.seq === 4);

    shared.bus.recover();
    await sleep(250); // breaker half-opens after 200 ms: the replay's first call is the trial
    expect(await within(replayDeadLettersRemote(target, 100), 'DLQ replay')).toEqual({
      replayed: 3,
      remaining: 0,
    });
    await bob.waitFor((f) => f.type === 'deliver' && f.seq === 4);
    expect(bob.ofType('deliver').map((d) => d.seq)).toEqual([1, 2, 3, 4]);
    expect(((await (await get(`${a.url}/readyz`)).json()) as { status: string }).status).toBe('ready');
    await within(a.close(), 'gw-a close');
    await within(b.close(), 'gw-b close');
    await within(store.close(), 'store close');
    rmSync(storeDir, { recursive: true, force: true });
  });
});
