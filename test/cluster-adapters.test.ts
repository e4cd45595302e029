/**
 * The Redis and PostgreSQL adapters of cluster mode against the real services (one throw-away
 * database and one Redis key prefix per run, removed at the end). Skips only when a service is
 * unreachable, and says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppendItem, StoredMessage } from '../reference-server/contracts.js';
import { createClusterAdapters, type ClusterAdapterSet } from '../reference-server/cluster/adapters.js';
import { shardOf } from '../reference-server/cluster/pg/shard.js';
import {
  createTemporaryDatabase,
  defaultTestRedisUrl,
  deleteRedisPrefix,
  clusterTestServices,
  uniqueSuffix,
} from '../reference-server/cluster/testing.js';

const services = await clusterTestServices('cluster adapter tests');
const skipReason = services.skipReason;

const t0 = 1_750_000_000_000;

function message(conversationId: string, seq: number, senderId: string, serverTs = t0): StoredMessage {
  return {
    conversationId,
    seq,
    messageId: `${conversationId}#${seq}`,
    senderId,
    senderDeviceId: 'd1',
    idempotencyKey: `k-${conversationId}-${seq}`,
    body: `body ${seq}`,
    clientTs: seq * 10,
    serverTs,
  };
}

describe.skipIf(skipReason !== undefined)('cluster adapters on real Redis and PostgreSQL', () => {
  const prefix = `capsimt_${uniqueSuffix()}:`;
  let database: Awaited<ReturnType<typeof createTemporaryDatabase>>;
  let set: ClusterAdapterSet;

  beforeAll(async () => {
    database = await createTemporaryDatabase(services.postgresAdminUrl);
    set = await createClusterAdapters({
      redisUrl: defaultTestRedisUrl,
      postgresUrl: database.url,
      instanceId: 'gw-a',
      shards: 4,
      keyPrefix: prefix,
      pgPoolSize: 3,
    });
    await set.store.init();
  });

  afterAll(async () => {
    await set?.close();
    await database?.drop();
    await deleteRedisPrefix(defaultTestRedisUrl, prefix);
  });

  it('commits a batch across shards with inbox rows, and reads it back', async () => {
    const { store } = set;
    const conversations = ['dm:a:b', 'dm:a:c', 'dm:b:c', 'g:team'];
    // The batch must really span several shards for this test to mean anything.
    expect(new Set(conversations.map((id) => shardOf(id, 4))).size).toBeGreaterThan(1);
    const items: AppendItem[] = conversations.flatMap((id) => [
      { message: message(id, 1, 'a'), inboxUserIds: ['b', 'c'] },
      { message: message(id, 2, 'a'), inboxUserIds: ['b', 'c'] },
    ]);
    await store.appendBatch(items);
    const max = await store.maxSeq([...conversations, 'dm:none:x']);
    expect(Object.fromEntries(max)).toEqual({
      'dm:a:b': 2,
      'dm:a:c': 2,
      'dm:b:c': 2,
      'g:team': 2,
      'dm:none:x': 0,
    });
    expect((await store.messagesAfter('dm:a:b', 0, 10)).map((m) => m.seq)).toEqual([1, 2]);
    expect(await store.messagesAfter('dm:a:b', 1, 10)).toEqual([message('dm:a:b', 2, 'a')]);
    expect((await store.messagesBefore('dm:a:b', null, 10)).map((m) => m.seq)).toEqual([2, 1]);
    expect((await store.messagesBefore('dm:a:b', 2, 10)).map((m) => m.seq)).toEqual([1]);

    // b's inbox gathers all shards, ordered by (conversation, seq), resumable by cursor.
    const inbox = await store.readInbox('b', null, 100);
    expect(inbox.map((m) => m.messageId)).toEqual(
      [...conversations].sort().flatMap((id) => [`${id}#1`, `${id}#2`]),
    );
    const page = await store.readInbox('b', { conversationId: 'dm:a:c', seq: 1 }, 3);
    expect(page.map((m) => m.messageId)).toEqual(['dm:a:c#2', 'dm:b:c#1', 'dm:b:c#2']);

    const found = await store.findIdempotent([
      { senderId: 'a', idempotencyKey: 'k-g:team-2' },
      { senderId: 'a', idempotencyKey: 'nope' },
    ]);
    expect(found[0]).toMatchObject({ conversationId: 'g:team', seq: 2, messageId: 'g:team#2' });
    expect(found[1]).toBeUndefined();
    // Concurrent lookups are coalesced into one query; each caller still gets its own answers.
    const concurrent = await Promise.all(
      conversations.map((id) =>
        store.findIdempotent([
          { senderId: 'a', idempotencyKey: `k-${id}-1` },
          { senderId: 'b', idempotencyKey: `k-${id}-1` },
        ]),
      ),
    );
    expect(concurrent.map((pair) => pair.map((record) => record?.conversationId))).toEqual(
      conversations.map((id) => [id, undefined]),
    );
  });

  it('rejects a whole batch that reuses a committed seq (nothing of it is stored)', async () => {
    const { store } = set;
    await expect(
      store.appendBatch([
        { message: message('dm:x:y', 1, 'x'), inboxUserIds: ['y'] },
        { message: { ...message('dm:a:b', 2, 'a'), idempotencyKey: 'other' }, inboxUserIds: ['b'] },
      ]),
    ).rejects.toMatchObject({ name: 'SequenceCollisionError', breakerNeutral: true });
    expect((await store.maxSeq(['dm:x:y'])).get('dm:x:y')).toBe(0);
    expect(await store.readInbox('y', null, 10)).toEqual([]);
  });

  it('rejects a batch that reuses a live idempotency key', async () => {
    const { store } = set;
    const reused = { ...message('dm:a:b', 3, 'a'), idempotencyKey: 'k-dm:a:b-1' };
    await expect(store.appendBatch([{ message: reused, inboxUserIds: ['b'] }])).rejects.toMatchObject({
      name: 'DuplicateIdempotencyKeyError',
      breakerNeutral: true,
    });
    expect((await store.maxSeq(['dm:a:b'])).get('dm:a:b')).toBe(2);
  });

  it('applies receipts: forward only, clears the inbox, names the sender', async () => {
    const { store } = set;
    const first = await store.applyReceipt({
      conversationId: 'dm:a:b',
      userId: 'b',
      seq: 1,
      status: 'delivered',
      atMs: t0 + 1,
    });
    expect(first).toEqual({ advanced: true, senderId: 'a' });
    expect(
      (await store.readInbox('b', null, 100)).filter((m) => m.conversationId === 'dm:a:b').map((m) => m.seq),
    ).toEqual([2]);
    const stale = await store.applyReceipt({
      conversationId: 'dm:a:b',
      userId: 'b',
      seq: 1,
      status: 'delivered',
      atMs: t0 + 2,
    });
    expect(stale.advanced).toBe(false);
    const read = await store.applyReceipt({
      conversationId: 'dm:a:b',
      userId: 'b',
      seq: 2,
      status: 'read',
      atMs: t0 + 3,
    });
    expect(read).toEqual({ advanced: true, senderId: 'a' });
    expect((await store.readInbox('b', null, 100)).some((m) => m.conversationId === 'dm:a:b')).toBe(false);
  });

  it('sweeps read messages only once nobody still has them in an inbox', async () => {
    const { store } = set;
    // dm:a:b: both messages read by b; once c's inbox rows are gone too, they expire after the read TTL.
    expect(await store.sweep('read', t0 + 10, 1000)).toBe(0);
    await store.applyReceipt({
      conversationId: 'dm:a:b',
      userId: 'c',
      seq: 2,
      status: 'delivered',
      atMs: t0 + 4,
    });
    expect(await store.sweep('read', t0 + 10, 1000)).toBe(2);
    expect(await store.messagesAfter('dm:a:b', 0, 10)).toEqual([]);
    // g:team: b read it but c has not received it: kept.
    await store.applyReceipt({ conversationId: 'g:team', userId: 'b', seq: 2, status: 'read', atMs: t0 + 3 });
    expect(await store.sweep('read', t0 + 10, 1000)).toBe(0);
    // The high-water mark survives retention: numbering never restarts.
    expect((await store.maxSeq(['dm:a:b'])).get('dm:a:b')).toBe(2);
    // undelivered: everything older than the cut-off, inbox rows included, in bounded batches.
    expect(await store.sweep('undelivered', t0 + 10, 4)).toBe(4);
    expect(await store.sweep('undelivered', t0 + 10, 100)).toBe(2);
    expect(await store.readInbox('c', null, 100)).toEqual([]);
    expect(await store.sweep('idempotency', t0 + 10, 100)).toBe(8);
  });

  it('stores groups and dead letters', async () => {
    const { store } = set;
    expect(await store.createGroup('g:1', ['u2', 'u1'], t0)).toBe('created');
    expect(await store.createGroup('g:1', ['u1', 'u2'], t0)).toBe('exists');
    expect(await store.createGroup('g:1', ['u1', 'u3'], t0)).toBe('conflict');
    expect(await store.groupMembers('g:1')).toEqual(['u1', 'u2']);
    expect(await store.groupMembers('g:none')).toBeUndefined();
    const envelope = {
      kind: 'deliver' as const,
      targets: [{ userId: 'u2' }],
      frame: '{"type":"deliver"}',
      conversationId: 'g:1',
      seq: 1,
    };
    await store.addDeadLetters([
      { targetInstanceId: 'gw-b', envelope, error: 'gone', attempts: 5, createdAtMs: t0 },
      { targetInstanceId: 'gw-c', envelope, error: 'gone', attempts: 5, createdAtMs: t0 + 5 },
    ]);
    expect(await store.countDeadLetters()).toBe(2);
    const listed = await store.listDeadLetters(0, 10);
    expect(listed.map((entry) => entry.targetInstanceId)).toEqual(['gw-b', 'gw-c']);
    expect(listed[0]!.envelope).toEqual(envelope);
    await store.removeDeadLetters([listed[0]!.id]);
    expect(await store.sweep('deadLetters', t0 + 10, 10)).toBe(1);
    expect(await store.countDeadLetters()).toBe(0);
  });

  it('allocates seqs with INCRBY and recovers them from PostgreSQL after a Redis loss', async () => {
    const { sequences, store } = set;
    expect(await sequences.allocate('dm:s:t', 3)).toBe(1);
    expect(await sequences.allocate('dm:s:t', 1)).toBe(4);
    await store.appendBatch(
      [1, 2, 3, 4].map((seq) => ({ message: message('dm:s:t', seq, 's'), inboxUserIds: [] })),
    );
    // Redis loses everything under our prefix (a restart without persistence).
    await deleteRedisPrefix(defaultTestRedisUrl, prefix);
    const seeded = sequences.seededFromDatabase;
    expect(await sequences.allocate('dm:s:t', 1)).toBe(5);
    expect(sequences.seededFromDatabase).toBe(seeded + 1);
    // A failed batch: its seqs (6, 7) were never used; after invalidate numbering resumes at 6.
    expect(await sequences.allocate('dm:s:t', 2)).toBe(6);
    await sequences.invalidate();
    expect(await sequences.allocate('dm:s:t', 1)).toBe(5);
  });

  it('keeps allocating while Redis is unreachable, then re-seeds the counters it served locally', async () => {
    const { sequences, store } = set;
    const redis = (sequences as unknown as { redis: import('ioredis').Redis }).redis;
    expect(await sequences.allocate('dm:r:s', 2)).toBe(1);
    await store.appendBatch(
      [1, 2].map((seq) => ({ message: message('dm:r:s', seq, 'r'), inboxUserIds: [] })),
    );
    redis.disconnect();
    // Degraded: served locally from the database's max(seq).
    expect(await sequences.allocate('dm:r:s', 1)).toBe(3);
    expect(sequences.fallbackAllocations).toBeGreaterThan(0);
    await store.appendBatch([{ message: message('dm:r:s', 3, 'r'), inboxUserIds: [] }]);
    await redis.connect();
    // Redis still holds 2 for this counter; it must not hand out 3 again.
    expect(await sequences.allocate('dm:r:s', 1)).toBe(4);
  });

  it('registers connections with expiry and finds them; unregister respects the owner', async () => {
    const registry = set.adapters.registry;
    await registry.register({ userId: 'u1', deviceId: 'phone', instanceId: 'gw-a' }, t0, 60_000);
    await registry.register({ userId: 'u1', deviceId: 'laptop', instanceId: 'gw-b' }, t0, 60_000);
    let found = await registry.lookup(['u1', 'nobody'], t0 + 1);
    expect(
      found
        .get('u1')!
        .devices.map((d) => `${d.deviceId}@${d.instanceId}`)
        .sort(),
    ).toEqual(['laptop@gw-b', 'phone@gw-a']);
    expect(found.get('u1')!.lastSeenMs).toBe(t0);
    expect(found.has('nobody')).toBe(false);
    // The phone moved to gw-c; gw-a's late unregister must not remove the new entry.
    await registry.register({ userId: 'u1', deviceId: 'phone', instanceId: 'gw-c' }, t0 + 2, 60_000);
    await registry.unregister({ userId: 'u1', deviceId: 'phone', instanceId: 'gw-a' }, t0 + 3);
    found = await registry.lookup(['u1'], t0 + 4);
    expect(found.get('u1')!.devices.find((d) => d.deviceId === 'phone')?.instanceId).toBe('gw-c');
    // Without heartbeat refresh, entries expire (by their own expiry, before Redis drops the key).
    await registry.refresh('gw-c', [{ userId: 'u1', deviceId: 'phone' }], t0 + 50_000, 60_000);
    found = await registry.lookup(['u1'], t0 + 70_000);
    expect(found.get('u1')!.devices.map((d) => d.deviceId)).toEqual(['phone']);
    // The sweep scans the (shared) keyspace incrementally; a full SCAN cycle is bound to meet the key.
    let removed = 0;
    for (let call = 0; call < 10_000 && removed === 0; call += 1)
      removed += await registry.sweep(t0 + 70_000, 300_000);
    expect(removed).toBeGreaterThanOrEqual(1);
  });

  it('publishes to a subscribed instance and fails loudly for a missing one', async () => {
    const other = await createClusterAdapters({
      redisUrl: defaultTestRedisUrl,
      postgresUrl: database.url,
      instanceId: 'gw-b',
      shards: 4,
      keyPrefix: prefix,
      pgPoolSize: 1,
    });
    try {
      let deliver: (envelope: unknown) => void = () => undefined;
      const received = new Promise((resolve) => (deliver = resolve));
      await other.adapters.bus.subscribe('gw-b', (envelope) => deliver(envelope));
      const envelope = { kind: 'receipt' as const, targets: [{ userId: 'u1' }], frame: '{"type":"receipt"}' };
      await set.adapters.bus.publish('gw-b', envelope);
      expect(await received).toEqual(envelope);
      await expect(set.adapters.bus.publish('gw-gone', envelope)).rejects.toThrow(/not subscribed/);
    } finally {
      await other.close();
    }
  });

  it('rate-limits across instances with a shared sliding window', async () => {
    const limiter = set.adapters.rateLimiter;
    const decisions = [];
    for (let i = 0; i < 4; i += 1) decisions.push(await limiter.consume('send:u9', 3, 60_000, t0 + i * 1000));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
    // The oldest event (t0) leaves the window at t0 + 60 s: 57 s after t0 + 3 s.
    expect(decisions[3]!.retryAfterMs).toBe(57_000);
    expect((await limiter.consume('send:u9', 3, 60_000, t0 + 60_001)).allowed).toBe(true);
    // Large limits use the counter variant.
    const big = await limiter.consume('conn:1.2.3.4', 1_000_000, 60_000, t0);
    expect(big.allowed).toBe(true);
  });
});
