/**
 * Cluster mode through a Redis outage: two gateway processes reach the real Redis each through its own
 * TCP proxy, which this test cuts and restores together (as a Redis restart would look). While Redis
 * is unreachable, sends keep being ACKed (PostgreSQL is the source of truth; seqs are served from it)
 * and local delivery continues; the fan-out to the recipient on the other instance waits on the
 * sender's instance. Once Redis answers again, the recipient — connected the whole time — gets every
 * message live, once, in seq order: the waiting routes' publishes are retried until the recipient's
 * instance has re-subscribed (a race an earlier version lost: seqs 2 and 3 arrived after 4), and
 * nothing goes to the dead-letter queue. Default retry settings, as in production.
 * Skips only when Redis or PostgreSQL is unreachable, and says so loudly.
 */
import { createServer, connect as connectTcp, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type RunningClusterInstances } from '../reference-server/cluster/index.js';
import { dmId, TestClient } from '../reference-server/cluster/test-client.js';
import { metricValue, readinessStatus } from '../reference-server/test-support/probes.js';
import { until } from '../reference-server/test-support/waits.js';
import {
  createTemporaryDatabase,
  defaultTestRedisUrl,
  deleteRedisPrefix,
  clusterTestServices,
  uniqueSuffix,
} from '../reference-server/cluster/testing.js';

const services = await clusterTestServices('the Redis outage test (cluster on Redis + PostgreSQL)');
const skipReason = services.skipReason;

/** A TCP proxy to Redis that can drop every connection and refuse new ones until restored. */
class CuttableProxy {
  private readonly sockets = new Set<Socket>();
  private down = false;
  private readonly server: Server;
  port = 0;

  private constructor(target: { host: string; port: number }) {
    this.server = createServer((client) => {
      if (this.down) return void client.destroy();
      const upstream = connectTcp(target.port, target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => {
          this.sockets.delete(socket);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }

  static async start(target: { host: string; port: number }): Promise<CuttableProxy> {
    const proxy = new CuttableProxy(target);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    const address = proxy.server.address();
    proxy.port = typeof address === 'object' && address !== null ? address.port : 0;
    return proxy;
  }

  cut(): void {
    this.down = true;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  restore(): void {
    this.down = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe.skipIf(skipReason !== undefined)('cluster mode through a Redis outage', () => {
  const prefix = `capsimt_${uniqueSuffix()}:`;
  let database: Awaited<ReturnType<typeof createTemporaryDatabase>>;
  const proxies: CuttableProxy[] = [];
  const clusters: RunningClusterInstances[] = [];
  const clients: TestClient[] = [];
  let redis: Redis;

  beforeAll(async () => {
    const target = new URL(defaultTestRedisUrl);
    redis = new Redis(defaultTestRedisUrl);
    database = await createTemporaryDatabase(services.postgresAdminUrl);
    // One single-instance cluster per proxy, on the same database and key prefix: one cluster of two
    // (startCluster gives all its instances one Redis URL).
    for (let i = 0; i < 2; i += 1) {
      const proxy = await CuttableProxy.start({ host: target.hostname, port: Number(target.port || 6379) });
      proxies.push(proxy);
      clusters.push(
        await startCluster({
          redisUrl: `redis://127.0.0.1:${proxy.port}`,
          postgresUrl: database.url,
          instances: 1,
          port: 0,
          shards: 2,
          keyPrefix: prefix,
          pgPoolSize: 2,
          stdio: 'ignore',
          retention: { intervalMs: 0 },
        }),
      );
    }
  });

  afterAll(async () => {
    for (const client of clients) client.terminate();
    for (const cluster of clusters) await cluster.close();
    for (const proxy of proxies) await proxy.close();
    redis?.disconnect();
    await database?.drop();
    await deleteRedisPrefix(defaultTestRedisUrl, prefix);
  });

  it('ACKs through the outage and delivers to the online recipient on the other instance once Redis is back', async () => {
    const [a, b] = clusters.map((cluster) => cluster.instances[0]!) as [
      RunningClusterInstances['instances'][0],
      RunningClusterInstances['instances'][0],
    ];
    const alice = await TestClient.connect({ wsUrl: a.wsUrl, userId: 'alice' });
    const bob = await TestClient.connect({ wsUrl: b.wsUrl, userId: 'bob' });
    clients.push(alice, bob);
    const conversationId = dmId('alice', 'bob');
    expect((await alice.sendMessage(conversationId, 'before', 'x')).seq).toBe(1);
    await bob.waitFor((frame) => frame.type === 'deliver' && frame.seq === 1);

    for (const proxy of proxies) proxy.cut();
    const during: number[] = [];
    for (const key of ['d1', 'd2', 'd3'])
      during.push(Number((await alice.sendMessage(conversationId, key, key)).seq));
    expect(during).toEqual([2, 3, 4]);
    await until(
      async () => (await metricValue(a.url, 'capsim_deferred_routes')) === 3,
      'fan-outs waiting on instance A',
      20_000,
    );
    // /readyz pings Redis (and sees fan-outs waiting): degraded.
    await until(async () => (await readinessStatus(a.url)) === 'degraded', 'instance A degraded', 20_000);
    expect(bob.frames.filter((frame) => frame.type === 'deliver').map((frame) => frame.seq)).toEqual([1]);

    // The cut is real: Redis has lost B's subscription too.
    const subscribersOfB = async () =>
      Number(((await redis.pubsub('NUMSUB', `${prefix}inst:${b.instanceId}`)) as [string, number])[1]);
    await until(async () => (await subscribersOfB()) === 0, 'instance B unsubscribed by the cut', 20_000);

    for (const proxy of proxies) proxy.restore();
    await bob.waitFor((frame) => frame.type === 'deliver' && frame.seq === 4, 20_000);
    expect((await alice.sendMessage(conversationId, 'after', 'x')).seq).toBe(5);
    await bob.waitFor((frame) => frame.type === 'deliver' && frame.seq === 5, 20_000);
    await bob.roundTrip();
    const delivered = bob.frames.filter((frame) => frame.type === 'deliver');
    const trace = `DLQ ${await metricValue(a.url, 'capsim_dlq_size')}, publish retries ${await metricValue(a.url, 'capsim_delivery_retries_total')}`;
    expect(
      delivered.map((frame) => [frame.seq, frame.redelivery ?? false]),
      trace,
    ).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [4, false],
      [5, false],
    ]);
    expect(await metricValue(a.url, 'capsim_deferred_routes')).toBe(0);
    expect(await metricValue(a.url, 'capsim_dlq_size')).toBe(0);
    await until(async () => (await readinessStatus(a.url)) === 'ready', 'instance A ready again', 20_000);
  });
});
