/**
 * PROTOCOL §5: exactly once within one connection. The race: messages committed while a reconnecting
 * device's inbox replay runs are both in the inbox it reads and on their way live (a local fan-out,
 * a cross-instance envelope that arrives after the replay finished, a dead-letter replay). Gates on
 * the store's inbox read and on the bus put every step of that race in a fixed order.
 */
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { BusEnvelope, InboxCursor, PubSub, StoredMessage } from '../contracts.js';
import { MemoryConnectionRegistry } from '../embedded/memory-registry.js';
import { MemoryPubSub } from '../embedded/memory-pubsub.js';
import { MemorySequenceAllocator } from '../embedded/memory-sequences.js';
import { SqliteMessageStore } from '../embedded/sqlite-store.js';
import { TestClient, type Frame } from '../test-support/client.js';
import { startTestServer, tempDataDir, type TestServer } from '../test-support/server.js';

/** A promise plus its resolver: the test opens the gate when the race is set up. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** The embedded store, with the next inbox read able to wait at a gate. */
class GatedInboxStore extends SqliteMessageStore {
  inboxGate: ReturnType<typeof gate> | undefined;
  inboxReadStarted = gate();

  override async readInbox(
    userId: string,
    cursor: InboxCursor | null,
    limit: number,
  ): Promise<StoredMessage[]> {
    const waiting = this.inboxGate;
    if (waiting !== undefined) {
      this.inboxReadStarted.open();
      await waiting.opened; // read AFTER the commits the test makes meanwhile
    }
    return super.readInbox(userId, cursor, limit);
  }
}

/** An in-process bus whose envelopes can be held back (a slow cross-instance hop). */
class GatedBus implements PubSub {
  held: ReturnType<typeof gate> | undefined;
  constructor(private readonly inner: PubSub) {}
  subscribe(instanceId: string, handler: (envelope: BusEnvelope) => void): Promise<void> {
    return this.inner.subscribe(instanceId, (envelope) => {
      const waiting = this.held;
      if (waiting === undefined) handler(envelope);
      else void waiting.opened.then(() => handler(envelope));
    });
  }
  publish(instanceId: string, envelope: BusEnvelope): Promise<void> {
    return this.inner.publish(instanceId, envelope);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

const servers: TestServer[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.ws.terminate();
  for (const server of servers.splice(0)) await server.dispose();
});

async function open(server: TestServer, userId: string, deviceId = 'd1'): Promise<TestClient> {
  const client = await TestClient.open(server.wsUrl, userId, { deviceId });
  clients.push(client);
  return client;
}

async function send(client: TestClient, conversationId: string, key: string): Promise<number> {
  client.send({ type: 'send', conversationId, idempotencyKey: key, body: key });
  const answer = await client.waitFor(
    (f) => (f.type === 'ack' || f.type === 'error') && f.idempotencyKey === key,
  );
  if (answer.type !== 'ack') throw new Error(`send ${key}: ${JSON.stringify(answer)}`);
  return Number(answer.seq);
}

/** Every frame the server wrote before answering this ping has arrived once it resolves. */
async function roundTrip(client: TestClient): Promise<void> {
  const ts = Date.now() + Math.random();
  client.send({ type: 'ping', ts });
  await client.waitFor((f) => f.type === 'pong' && f.ts === ts);
}

const deliverIds = (client: TestClient): string[] =>
  client.ofType('deliver').map((f: Frame) => `${String(f.conversationId)}#${String(f.seq)}`);

describe('exactly once within one connection (PROTOCOL §5)', () => {
  it('sends no second copy when messages arrive live while, and after, the reconnect inbox replay reads them', async () => {
    const dataDir = tempDataDir();
    const store = new GatedInboxStore({ dataDir, synchronous: 'normal', writer: 'inline' });
    await store.init();
    const bus = new GatedBus(new MemoryPubSub());
    const shared = {
      store,
      sequences: new MemorySequenceAllocator(store),
      registry: new MemoryConnectionRegistry(),
      bus,
    };
    const a = await startTestServer({}, { ...shared, instanceId: 'gw-a' });
    const b = await startTestServer({}, { ...shared, instanceId: 'gw-b' });
    servers.push(a, b);

    const alice = await open(a, 'alice'); // on the other instance: reaches bob through the bus
    const carol = await open(b, 'carol'); // on bob's instance: reaches bob by local fan-out
    const fromAlice = 'dm:alice:bob';
    const fromCarol = 'dm:bob:carol';
    await send(alice, fromAlice, 'a1'); // bob is offline: inbox only

    // bob reconnects; his inbox replay starts reading and waits at the gate.
    store.inboxGate = gate();
    const bob = await open(b, 'bob');
    await store.inboxReadStarted.opened;
    // Meanwhile: messages committed (so the replay's read will include them) and sent live —
    // carol's reach bob at once (held during the replay), alice's cross-instance copies are held on
    // the bus until after the replay has finished.
    bus.held = gate();
    for (const key of ['a2', 'a3']) await send(alice, fromAlice, key);
    for (const key of ['c1', 'c2']) await send(carol, fromCarol, key);
    store.inboxGate.open();
    await bob.waitFor((f) => f.type === 'deliver' && f.conversationId === fromCarol && f.seq === 2);
    await roundTrip(bob); // the replay and the held frames are out
    bus.held.open();
    bus.held = undefined;
    // Alice's late live copies have been handled by gw-b once a later message of hers has arrived.
    await send(alice, fromAlice, 'a4');
    await bob.waitFor((f) => f.type === 'deliver' && f.conversationId === fromAlice && f.seq === 4);
    await roundTrip(bob);

    const ids = deliverIds(bob);
    expect(new Set(ids).size, `duplicates in ${ids.join(', ')}`).toBe(ids.length);
    expect(new Set(ids)).toEqual(
      new Set([
        `${fromAlice}#1`,
        `${fromAlice}#2`,
        `${fromAlice}#3`,
        `${fromAlice}#4`,
        `${fromCarol}#1`,
        `${fromCarol}#2`,
      ]),
    );
    // Each conversation still arrives in seq order.
    for (const conversationId of [fromAlice, fromCarol]) {
      const seqs = bob
        .ofType('deliver')
        .filter((f) => f.conversationId === conversationId)
        .map((f) => f.seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => Number(x) - Number(y)));
    }
    // The copies from the inbox say so; a4 came live.
    expect(bob.ofType('deliver').find((f) => f.seq === 4)?.redelivery).toBeUndefined();

    // A new connection is a new promise: the unreceipted messages come again, once each.
    bob.ws.terminate();
    const bobAgain = await open(b, 'bob');
    await bobAgain.waitFor((f) => f.type === 'deliver' && f.conversationId === fromAlice && f.seq === 4);
    await roundTrip(bobAgain);
    const again = deliverIds(bobAgain);
    expect(new Set(again).size).toBe(again.length);
    expect(again).toHaveLength(6);

    await a.close();
    await b.close();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
});
