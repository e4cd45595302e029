/**
 * Cluster mode end to end: three gateway processes on real Redis and PostgreSQL (a throw-away database
 * and Redis key prefix per run, removed at the end). Skips only when Redis or PostgreSQL is
 * unreachable, and says so loudly — CI runs both.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { namespaceFromPrefix } from '../reference-server/cluster/adapters.js';
import { startCluster, type RunningClusterInstances } from '../reference-server/cluster/index.js';
import { dmId, TestClient, type Frame } from '../reference-server/cluster/test-client.js';
import { metricValue } from '../reference-server/test-support/probes.js';
import { until } from '../reference-server/test-support/waits.js';
import {
  createTemporaryDatabase,
  defaultTestRedisUrl,
  deleteRedisPrefix,
  clusterTestServices,
  uniqueSuffix,
} from '../reference-server/cluster/testing.js';

const services = await clusterTestServices('cluster tests (three instances on Redis + PostgreSQL)');
const skipReason = services.skipReason;

const seqOf = (frame: Frame): number => Number(frame.seq);

describe.skipIf(skipReason !== undefined)('cluster mode: three instances on Redis and PostgreSQL', () => {
  const prefix = `capsimt_${uniqueSuffix()}:`;
  let database: Awaited<ReturnType<typeof createTemporaryDatabase>>;
  let cluster: RunningClusterInstances;
  const clients: TestClient[] = [];
  const wsUrl = (index: number): string => cluster.instances[index]!.wsUrl;
  const connect = async (index: number, userId: string, deviceId = 'd1'): Promise<TestClient> => {
    const client = await TestClient.connect({ wsUrl: wsUrl(index), userId, deviceId });
    clients.push(client);
    return client;
  };

  const deadLetterCount = async (): Promise<number> => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const result = await client.query<{ count: string }>(
        `SELECT count(*) FROM ${namespaceFromPrefix(prefix)}_meta.dlq`,
      );
      return Number(result.rows[0]!.count);
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    database = await createTemporaryDatabase(services.postgresAdminUrl);
    cluster = await startCluster({
      redisUrl: defaultTestRedisUrl,
      postgresUrl: database.url,
      instances: 3,
      port: 0,
      shards: 4,
      keyPrefix: prefix,
      pgPoolSize: 3,
      stdio: 'ignore',
    });
  });

  afterAll(async () => {
    for (const client of clients) client.terminate();
    await cluster?.close();
    await database?.drop();
    await deleteRedisPrefix(defaultTestRedisUrl, prefix);
  });

  // Every frame any server sent must be a JSON object with a `type` (an empty text frame once
  // slipped through a dead-letter replay). The round trip makes frames sent late in a test count.
  afterEach(async () => {
    const open = clients.filter((client) => client.closeCode === undefined);
    await Promise.all(open.map((client) => client.roundTrip()));
    const malformed = clients.flatMap((client) =>
      client.malformed.map((text) => `${client.userId}/${client.deviceId}: ${JSON.stringify(text)}`),
    );
    expect(malformed, 'malformed frames received (not a JSON object with a type)').toEqual([]);
  });

  it('runs three instances on distinct ports', () => {
    expect(new Set(cluster.instances.map((instance) => instance.port)).size).toBe(3);
    expect(new Set(cluster.instances.map((instance) => instance.pid)).size).toBe(3);
  });

  it('delivers from a sender on instance A to a recipient on instance B, and relays the receipt back', async () => {
    const alice = await connect(0, 'alice');
    const bob = await connect(1, 'bob');
    const conversationId = dmId('alice', 'bob');
    const ack = await alice.sendMessage(conversationId, 'k1', 'hello from A');
    expect(ack).toMatchObject({ seq: 1, messageId: `${conversationId}#1`, duplicate: false });
    const delivered = await bob.waitFor(
      (frame) => frame.type === 'deliver' && frame.conversationId === conversationId,
    );
    expect(delivered).toMatchObject({ seq: 1, senderId: 'alice', body: 'hello from A' });
    bob.send({ type: 'receipt', conversationId, seq: 1, status: 'delivered' });
    const receipt = await alice.waitFor((frame) => frame.type === 'receipt');
    expect(receipt).toMatchObject({ conversationId, seq: 1, userId: 'bob', status: 'delivered' });
    // Idempotent resend through ANOTHER instance: same seq, no second delivery.
    const aliceOnC = await connect(2, 'alice', 'd2');
    const again = await aliceOnC.sendMessage(conversationId, 'k1', 'hello from A');
    expect(again).toMatchObject({ seq: 1, duplicate: true });
    expect((await alice.sendMessage(conversationId, 'k2', 'second')).seq).toBe(2);
    await bob.waitFor((frame) => frame.type === 'deliver' && frame.seq === 2);
    expect(bob.frames.filter((frame) => frame.type === 'deliver' && frame.seq === 1)).toHaveLength(1);
  });

  it('fans a group message out to members on all three instances', async () => {
    const [g1, g2, g3] = [await connect(0, 'g1'), await connect(1, 'g2'), await connect(2, 'g3')];
    g1.send({ type: 'group.create', requestId: 'r1', conversationId: 'g:trio', members: ['g1', 'g2', 'g3'] });
    await g1.waitFor((frame) => frame.type === 'group.created');
    await g2.sendMessage('g:trio', 'gk1', 'to everyone');
    for (const member of [g1, g3]) {
      expect(
        await member.waitFor((frame) => frame.type === 'deliver' && frame.conversationId === 'g:trio'),
      ).toMatchObject({
        seq: 1,
        senderId: 'g2',
      });
    }
  });

  it('keeps messages for an offline user and delivers them, in order, when they connect to another instance', async () => {
    const sender = await connect(0, 'olivia');
    const conversationId = dmId('olivia', 'oscar');
    for (let index = 1; index <= 5; index += 1)
      await sender.sendMessage(conversationId, `o${index}`, `m${index}`);
    const oscar = await connect(2, 'oscar');
    await oscar.waitFor((frame) => frame.type === 'deliver' && frame.seq === 5);
    const seqs = oscar.frames.filter((frame) => frame.type === 'deliver').map(seqOf);
    expect(seqs).toEqual([1, 2, 3, 4, 5]);
    expect(
      oscar.frames.filter((frame) => frame.type === 'deliver').every((frame) => frame.redelivery === true),
    ).toBe(true);
  });

  it('recovers sequence numbers from PostgreSQL after Redis loses them', async () => {
    const sam = await connect(0, 'sam');
    const conversationId = dmId('sam', 'tess');
    for (let index = 1; index <= 3; index += 1)
      await sam.sendMessage(conversationId, `s${index}`, `before ${index}`);
    // Redis loses everything of this cluster (as after a restart without persistence).
    expect(await deleteRedisPrefix(defaultTestRedisUrl, prefix)).toBeGreaterThan(0);
    const after = [];
    for (let index = 4; index <= 6; index += 1)
      after.push(seqOf(await sam.sendMessage(conversationId, `s${index}`, `after ${index}`)));
    expect(after).toEqual([4, 5, 6]);
    // The recipient sees one gap-free sequence.
    const tess = await connect(1, 'tess');
    await tess.waitFor((frame) => frame.type === 'deliver' && frame.seq === 6);
    expect(tess.frames.filter((frame) => frame.type === 'deliver').map(seqOf)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  // Last: it kills instance 3 (index 2).
  it('loses no ACKed message when an instance is killed with SIGKILL', async () => {
    const killed = 2;
    // Recipients on the surviving instances; senders and a recipient on the doomed one.
    const rita = await connect(0, 'rita');
    const victor = await connect(killed, 'victor'); // sends from the doomed instance
    const uma = await connect(killed, 'uma'); // receives on the doomed instance
    const walt = await connect(1, 'walt'); // sends to uma from a survivor
    const toRita = dmId('rita', 'victor');
    const toUma = dmId('uma', 'walt');
    const acked = { [toRita]: new Set<number>(), [toUma]: new Set<number>() };
    const sends: Promise<void>[] = [];
    for (let index = 1; index <= 40; index += 1) {
      sends.push(
        victor.sendMessage(toRita, `v${index}`, `v${index}`).then(
          (ack) => void acked[toRita]!.add(seqOf(ack)),
          () => undefined,
        ),
      );
      sends.push(
        walt.sendMessage(toUma, `w${index}`, `w${index}`).then(
          (ack) => void acked[toUma]!.add(seqOf(ack)),
          () => undefined,
        ),
      );
    }
    // Kill the instance as soon as the first ACKs are back, with sends still in flight.
    await victor.waitFor((frame) => frame.type === 'ack' && frame.seq === 5);
    await cluster.instances[killed]!.kill('SIGKILL');
    // Walt's remaining sends still get ACKs (his instance is alive); victor's are cut off.
    await Promise.all(sends);
    expect(acked[toRita]!.size).toBeGreaterThanOrEqual(5);
    expect(acked[toUma]!.size).toBe(40);

    // rita (survivor) has, live or after a resume, every message victor got an ACK for.
    rita.send({ type: 'sync', requestId: 'sync-r', conversations: { [toRita]: 0 } });
    await rita.waitFor((frame) => frame.type === 'sync.done' && frame.requestId === 'sync-r');
    for (const seq of acked[toRita]!) expect(rita.deliveredIds().has(`${toRita}#${seq}`)).toBe(true);

    // uma's registry entry still points at the dead instance: these fan-outs find no subscriber, are
    // retried with backoff and parked in the dead-letter queue (nothing is dropped silently).
    for (let index = 41; index <= 43; index += 1)
      acked[toUma]!.add(seqOf(await walt.sendMessage(toUma, `w${index}`, `w${index}`)));
    // No fixed sleeps: the retry schedule decides how long these take.
    await until(async () => (await deadLetterCount()) >= 3, 'three deliveries parked in the DLQ', 30_000);

    // uma reconnects to another instance and gets everything walt got an ACK for from her inbox.
    const umaAgain = await connect(1, 'uma');
    const lastUma = Math.max(...acked[toUma]!);
    await umaAgain.waitFor(
      (frame) => frame.type === 'deliver' && frame.conversationId === toUma && frame.seq === lastUma,
    );
    const got = new Set([...uma.deliveredIds(), ...umaAgain.deliveredIds()]);
    for (const seq of acked[toUma]!) expect(got.has(`${toUma}#${seq}`)).toBe(true);
    // Seqs are gap-free: the ACKed ones are exactly 1..43.
    expect([...acked[toUma]!].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 43 }, (_, index) => index + 1),
    );

    // An operator replays the dead letters (`capsim dlq replay`) once walt's instance has finished
    // retrying (its retry queue is empty): they reach uma where she is now.
    await until(
      async () => (await metricValue(cluster.instances[1]!.url, 'capsim_retry_queue_depth')) === 0,
      "walt's instance done retrying",
      30_000,
    );
    const replay = await cluster.instances[1]!.replayDeadLetters();
    expect(replay.replayed).toBeGreaterThanOrEqual(3);
    expect(replay.remaining).toBe(0);
    expect(await deadLetterCount()).toBe(0);
    // The replayed dead letters reach uma's new connection, which already has them from its inbox:
    // PROTOCOL §5 promises no second copy on one connection.
    await umaAgain.roundTrip();
    expect(umaAgain.duplicateDeliveries()).toEqual([]);
  });
});
