import { forkModule, resolveSiblingModule } from '../../common/spawn-module.js';
import { startServer } from '../index.js';
import { createClusterAdapters } from './adapters.js';
import { createTemporaryDatabase, deleteRedisPrefix, probePostgres, uniqueSuffix } from './testing.js';
const pg = await probePostgres();
const db = await createTemporaryDatabase(pg.url!);
const prefix = `capsimp_${uniqueSuffix()}:`;
const set = await createClusterAdapters({ redisUrl: 'redis://127.0.0.1:6379', postgresUrl: db.url, instanceId: 'x', keyPrefix: prefix });
await set.store.init();
const stats: Record<string, { n: number; ms: number; max: number }> = {};
const wrap = (name: string, obj: any) => {
  for (const key of Object.getOwnPropertyNames(Object.getPrototypeOf(obj))) {
    const fn = obj[key];
    if (typeof fn !== 'function' || key === 'constructor' || !['appendBatch','maxSeq','findIdempotent','readInbox','applyReceipt','groupMembers','allocate','invalidate','register','refresh','lookup','unregister','publish','consume','messagesAfter'].includes(key)) continue;
    obj[key] = async (...args: unknown[]) => { const t = performance.now(); try { return await fn.apply(obj, args); } finally { const d = performance.now() - t; const s = (stats[`${name}.${key}`] ??= { n: 0, ms: 0, max: 0 }); s.n++; s.ms += d; s.max = Math.max(s.max, d); } };
  }
};
const a = set.adapters;
wrap('store', a.store); wrap('seq', a.sequences); wrap('registry', a.registry); wrap('bus', a.bus); wrap('rate', a.rateLimiter);
const server = await startServer({ port: 0, profile: 'loadtest' }, a);
const child = forkModule(resolveSiblingModule(import.meta.url, './bench-throughput-main'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const r = new Promise((res) => child.once('message', res));
child.send({ type: 'throughput', senderUrl: server.wsUrl, recipientUrl: server.wsUrl, pairs: 50, window: 10, warmupMs: 1000, durationMs: 5000, tag: 'e' });
console.log(JSON.stringify(await r));
for (const [k, s] of Object.entries(stats)) console.log(k.padEnd(28), 'n', s.n, 'avg ms', (s.ms / s.n).toFixed(2), 'max', s.max.toFixed(1));
await server.close(); await set.close(); await db.drop(); await deleteRedisPrefix('redis://127.0.0.1:6379', prefix);
