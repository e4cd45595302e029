// `--target a,b`: a cluster's instances without a load balancer. Two gateway instances share one store,
// sequence allocator, registry and bus (the embedded adapters, in process); the load generator spreads
// its users over both, so half the 1:1 deliveries cross instances, and nothing may be lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoadTest } from '../loadgen/index.js';
import { validateTargets } from '../loadgen/targets.js';
import { MemoryConnectionRegistry } from '../reference-server/embedded/memory-registry.js';
import { MemoryPubSub } from '../reference-server/embedded/memory-pubsub.js';
import { MemorySequenceAllocator } from '../reference-server/embedded/memory-sequences.js';
import { SqliteMessageStore } from '../reference-server/embedded/sqlite-store.js';
import { startTestServer, tempDataDir, type TestServer } from '../reference-server/test-support/server.js';
import { rmSync } from 'node:fs';

let servers: TestServer[] = [];
let store: SqliteMessageStore;
let storeDir: string;

beforeAll(async () => {
  storeDir = tempDataDir();
  store = new SqliteMessageStore({ dataDir: storeDir, synchronous: 'normal', writer: 'inline' });
  await store.init();
  const shared = {
    store,
    sequences: new MemorySequenceAllocator(store),
    registry: new MemoryConnectionRegistry(),
    bus: new MemoryPubSub(),
  };
  servers = [
    await startTestServer({ profile: 'loadtest' }, { ...shared, instanceId: 'gw-a' }),
    await startTestServer({ profile: 'loadtest' }, { ...shared, instanceId: 'gw-b' }),
  ];
});

afterAll(async () => {
  for (const server of servers) await server.dispose();
  await store.close();
  rmSync(storeDir, { recursive: true, force: true });
});

const openConnections = async (server: TestServer) =>
  Number(
    /^capsim_connections\{[^}]*\} (\d+)/m.exec(await (await fetch(`${server.url}/metrics`)).text())?.[1],
  );

describe('load test over several targets', () => {
  it('spreads users round-robin over the instances and loses nothing across them', async () => {
    let peak = [0, 0];
    const result = await runLoadTest(
      {
        name: 'two-instances',
        load: {
          phases: [{ connections: 20, connectRatePerSecond: 100 }, { duration: '2s' }],
          messages: { perSecond: 40 },
          grace: '2s',
        },
      },
      {
        target: servers.map((server) => server.wsUrl).join(','),
        scrapeMetrics: false,
        onLive: () => {
          void Promise.all(servers.map(openConnections)).then((counts) => {
            peak = counts.map((count, i) => Math.max(peak[i], count));
          });
        },
      },
    );
    expect(peak).toEqual([10, 10]);
    expect(result.summary.messages.acked).toBeGreaterThan(30);
    expect(result.checker).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0 });
    expect(result.checker.deliveries).toBeGreaterThanOrEqual(result.summary.messages.acked);
  });

  it('rejects a list with one bad URL, naming it', () => {
    expect(() => validateTargets('ws://127.0.0.1:1,http://127.0.0.1:2')).toThrow(/ws:\/\/ or wss:\/\//);
    try {
      validateTargets('ws://127.0.0.1:1,http://127.0.0.1:2');
    } catch (error) {
      expect((error as { problems: { found: string }[] }).problems.map((p) => p.found)).toEqual([
        'http://127.0.0.1:2',
      ]);
    }
    expect(validateTargets(' ws://a:1 , ws://b:2 ')).toEqual(['ws://a:1', 'ws://b:2']);
  });
});
