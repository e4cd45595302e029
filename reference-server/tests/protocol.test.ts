/** Protocol behaviour of PROTOCOL.md in embedded mode, driven by a real `ws` client. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestClient } from '../test-support/client.js';
import { startTestServer, type TestServer } from '../test-support/server.js';

let server: TestServer;
const clients: TestClient[] = [];

async function open(userId: string, deviceId?: string): Promise<TestClient> {
  const client = await TestClient.open(server.wsUrl, userId, deviceId ? { deviceId } : {});
  clients.push(client);
  return client;
}

function send(client: TestClient, conversationId: string, idempotencyKey: string, body = 'hi') {
  client.send({ type: 'send', conversationId, idempotencyKey, body, clientTs: 123 });
  return client.next('ack', { idempotencyKey });
}

beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.ws.terminate();
  await server.dispose();
});

describe('send → ACK → deliver', () => {
  it('ACKs with per-conversation seqs 1, 2, 3 and delivers to the recipient in order', async () => {
    const alice = await open('alice');
    const bob = await open('bob');
    const hello = alice.frames[0];
    expect(hello).toMatchObject({
      type: 'hello',
      protocol: 1,
      userId: 'alice',
      deviceId: 'default',
      heartbeatMs: 30_000,
    });
    const acks = [];
    for (const key of ['k1', 'k2', 'k3']) acks.push(await send(alice, 'dm:alice:bob', key, `m-${key}`));
    expect(acks.map((a) => a.seq)).toEqual([1, 2, 3]);
    expect(acks[0]).toMatchObject({
      conversationId: 'dm:alice:bob',
      messageId: 'dm:alice:bob#1',
      duplicate: false,
    });
    await bob.waitFor((f) => f.type === 'deliver' && f.seq === 3);
    const delivered = bob.ofType('deliver');
    expect(delivered.map((d) => [d.seq, d.body])).toEqual([
      [1, 'm-k1'],
      [2, 'm-k2'],
      [3, 'm-k3'],
    ]);
    expect(delivered[0]).toMatchObject({ senderId: 'alice', senderDeviceId: 'default', clientTs: 123 });
    expect(alice.ofType('deliver')).toHaveLength(0);
  });

  it('resending an idempotency key returns the same seq with duplicate: true and is never delivered twice', async () => {
    const alice = await open('alice');
    const bob = await open('bob');
    const first = await send(alice, 'dm:alice:bob', 'same-key');
    const again = await send(alice, 'dm:alice:bob', 'same-key');
    expect(again).toMatchObject({ seq: first.seq, messageId: first.messageId, duplicate: true });
    // Two sends with the same key back to back (the second arrives while the first is buffered).
    alice.send({ type: 'send', conversationId: 'dm:alice:bob', idempotencyKey: 'burst', body: 'x' });
    alice.send({ type: 'send', conversationId: 'dm:alice:bob', idempotencyKey: 'burst', body: 'x' });
    await alice.waitFor((f) => f.type === 'ack' && f.idempotencyKey === 'burst' && f.duplicate === true);
    const burstAcks = alice.ofType('ack').filter((a) => a.idempotencyKey === 'burst');
    expect(new Set(burstAcks.map((a) => a.seq)).size).toBe(1);
    await send(alice, 'dm:alice:bob', 'fence');
    await bob.waitFor((f) => f.type === 'deliver' && f.seq === 3);
    expect(bob.ofType('deliver').map((d) => d.seq)).toEqual([1, 2, 3]);
  });

  it('delivers to every device of every member except the sending device', async () => {
    const alicePhone = await open('alice', 'phone');
    const aliceLaptop = await open('alice', 'laptop');
    const bobPhone = await open('bob', 'phone');
    const bobTablet = await open('bob', 'tablet');
    await send(alicePhone, 'dm:alice:bob', 'k');
    for (const client of [aliceLaptop, bobPhone, bobTablet])
      await client.waitFor((f) => f.type === 'deliver');
    expect(alicePhone.ofType('deliver')).toHaveLength(0);
  });

  it('a second connection of the same device replaces the first (close 4000)', async () => {
    const first = await open('alice', 'phone');
    await open('alice', 'phone');
    expect(await first.closed).toBe(4000);
  });
});

describe('groups', () => {
  it('creates a group (idempotently) and fans out to every member', async () => {
    const [a, b, c] = await Promise.all([open('a'), open('b'), open('c')]);
    a.send({ type: 'group.create', requestId: 'r1', conversationId: 'g:team', members: ['b', 'c'] });
    expect(await a.next('group.created', { requestId: 'r1' })).toMatchObject({
      conversationId: 'g:team',
      members: ['a', 'b', 'c'],
    });
    a.send({ type: 'group.create', requestId: 'r2', conversationId: 'g:team', members: ['c', 'b'] });
    await a.next('group.created', { requestId: 'r2' });
    const ack = await send(b, 'g:team', 'gk');
    expect(ack.seq).toBe(1);
    for (const client of [a, c]) {
      expect(await client.waitFor((f) => f.type === 'deliver')).toMatchObject({
        conversationId: 'g:team',
        senderId: 'b',
      });
    }
  });

  it('generates a group id when none is given', async () => {
    const a = await open('a');
    a.send({ type: 'group.create', requestId: 'r', members: ['b'] });
    const created = await a.next('group.created');
    expect(created.conversationId).toMatch(/^g:/);
  });
});

describe('receipts', () => {
  it('relays delivered then read to the sender; stale receipts are not relayed', async () => {
    const alice = await open('alice');
    const bob = await open('bob');
    await send(alice, 'dm:alice:bob', 'k1');
    await send(alice, 'dm:alice:bob', 'k2');
    bob.send({ type: 'receipt', conversationId: 'dm:alice:bob', seq: 2, status: 'delivered' });
    expect(await alice.next('receipt')).toMatchObject({ seq: 2, userId: 'bob', status: 'delivered' });
    bob.send({ type: 'receipt', conversationId: 'dm:alice:bob', seq: 1, status: 'delivered' }); // stale
    bob.send({ type: 'receipt', conversationId: 'dm:alice:bob', seq: 2, status: 'read' });
    expect(await alice.next('receipt', { status: 'read' })).toMatchObject({ seq: 2, userId: 'bob' });
    expect(alice.ofType('receipt').map((r) => `${r.seq}:${r.status}`)).toEqual(['2:delivered', '2:read']);
  });
});

describe('offline inbox and resume', () => {
  it('delivers messages sent while offline on reconnect, in order, until a delivered receipt', async () => {
    const alice = await open('alice');
    for (const key of ['a', 'b', 'c']) await send(alice, 'dm:alice:bob', key);
    await send(alice, 'dm:alice:carol', 'other');
    const bob = await open('bob');
    await bob.waitFor((f) => f.type === 'deliver' && f.seq === 3);
    const redelivered = bob.ofType('deliver');
    expect(redelivered.map((d) => [d.seq, d.redelivery])).toEqual([
      [1, true],
      [2, true],
      [3, true],
    ]);
    // A receipt for seq 2 removes 1 and 2 from the inbox; 3 comes again on the next connection.
    bob.send({ type: 'receipt', conversationId: 'dm:alice:bob', seq: 2, status: 'delivered' });
    await alice.next('receipt');
    bob.ws.terminate();
    const bobAgain = await open('bob');
    await bobAgain.waitFor((f) => f.type === 'deliver');
    await send(alice, 'dm:alice:bob', 'd');
    await bobAgain.waitFor((f) => f.type === 'deliver' && f.seq === 4);
    expect(bobAgain.ofType('deliver').map((d) => d.seq)).toEqual([3, 4]);
  });

  it('sync sends every message after the given seq, then sync.done with the highest seq', async () => {
    const alice = await open('alice');
    for (const key of ['1', '2', '3', '4']) await send(alice, 'dm:alice:bob', key);
    const bob = await open('bob');
    bob.send({ type: 'receipt', conversationId: 'dm:alice:bob', seq: 4, status: 'delivered' });
    await alice.next('receipt');
    const before = bob.frames.length;
    bob.send({ type: 'sync', requestId: 's1', conversations: { 'dm:alice:bob': 2 } });
    const done = await bob.next('sync.done', { requestId: 's1' });
    expect(done.conversations).toEqual({ 'dm:alice:bob': 4 });
    const gap = bob.frames.slice(before).filter((f) => f.type === 'deliver');
    expect(gap.map((d) => [d.seq, d.redelivery])).toEqual([
      [3, true],
      [4, true],
    ]);
  });
});

describe('presence and heartbeats', () => {
  it('answers ping with pong and reports online users with lastSeen', async () => {
    const alice = await open('alice');
    await open('bob');
    alice.send({ type: 'ping', ts: 42 });
    expect(await alice.next('pong')).toMatchObject({ ts: 42 });
    alice.send({ type: 'presence.query', requestId: 'p', userIds: ['bob', 'nobody'] });
    const presence = await alice.next('presence', { requestId: 'p' });
    const users = presence.users as Record<string, { online: boolean; lastSeen: number | null }>;
    expect(users.bob.online).toBe(true);
    expect(users.bob.lastSeen).toBeGreaterThan(0);
    expect(users.nobody).toEqual({ online: false, lastSeen: null });
  });
});

describe('HTTP', () => {
  it('issues dev tokens that open a connection', async () => {
    const response = await fetch(`${server.url}/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'u1', deviceId: 'd1', ttlSeconds: 60 }),
    });
    expect(response.status).toBe(200);
    const { token, expiresAt } = (await response.json()) as { token: string; expiresAt: number };
    expect(expiresAt).toBeGreaterThan(Date.now() / 1000);
    const client = await TestClient.connectWithToken(server.wsUrl, token);
    clients.push(client);
    expect(await client.waitFor((f) => f.type === 'hello')).toMatchObject({ userId: 'u1', deviceId: 'd1' });
    const bad = await fetch(`${server.url}/v1/tokens`, { method: 'POST', body: '{"userId":"no spaces"}' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('E_BAD_FRAME');
  });

  it('pages history newest first with a cursor, capped at 200 per page, members only', async () => {
    const alice = await open('alice');
    for (let i = 1; i <= 5; i += 1) await send(alice, 'dm:alice:bob', `h${i}`);
    const token = (await (
      await fetch(`${server.url}/v1/tokens`, { method: 'POST', body: JSON.stringify({ userId: 'bob' }) })
    ).json()) as { token: string };
    const get = (query: string, conversation = 'dm:alice:bob', auth = token.token) =>
      fetch(`${server.url}/v1/conversations/${encodeURIComponent(conversation)}/messages${query}`, {
        headers: { authorization: `Bearer ${auth}` },
      });
    const page1 = (await (await get('?limit=2')).json()) as {
      messages: { seq: number }[];
      nextBeforeSeq: number | null;
    };
    expect(page1.messages.map((m) => m.seq)).toEqual([5, 4]);
    expect(page1.nextBeforeSeq).toBe(4);
    const page2 = (await (await get(`?limit=2&beforeSeq=${page1.nextBeforeSeq}`)).json()) as typeof page1;
    expect(page2.messages.map((m) => m.seq)).toEqual([3, 2]);
    const page3 = (await (await get(`?limit=2&beforeSeq=2`)).json()) as typeof page1;
    expect(page3).toMatchObject({
      messages: [{ seq: 1, type: 'deliver', senderId: 'alice' }],
      nextBeforeSeq: null,
    });
    const big = (await (await get('?limit=5000')).json()) as typeof page1;
    expect(big.messages).toHaveLength(5);
    expect((await get('', 'dm:alice:carol')).status).toBe(403);
    expect((await get('', 'g:nope')).status).toBe(404);
    expect((await fetch(`${server.url}/v1/conversations/dm%3Aalice%3Abob/messages`)).status).toBe(401);
  });

  it('serves /healthz, /readyz and Prometheus /metrics', async () => {
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { status: string }).status).toBe('ready');
    const alice = await open('alice');
    await send(alice, 'dm:alice:bob', 'm');
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    for (const name of [
      'capsim_connections',
      'capsim_frames_in_total',
      'capsim_frames_out_total',
      'capsim_ack_latency_seconds_bucket',
      'capsim_delivery_latency_seconds_bucket',
      'capsim_write_batch_size_bucket',
      'capsim_storage_transactions_total',
      'capsim_write_buffer_depth',
      'capsim_retry_queue_depth',
      'capsim_delivery_retries_total',
      'capsim_dlq_size',
      'capsim_deferred_routes',
      'capsim_rate_limited_total',
      'nodejs_eventloop_lag_seconds',
      'capsim_connection_memory_estimate_bytes',
    ]) {
      expect(metrics, name).toContain(name);
    }
    expect(metrics).toMatch(/capsim_messages_accepted_total\{[^}]*\} 1/);
  });
});
