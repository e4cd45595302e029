import { readFileSync } from 'node:fs';
import { forkModule, resolveSiblingModule } from '../../common/spawn-module.js';
import { startCluster } from './index.js';
import { createTemporaryDatabase, deleteRedisPrefix, probePostgres, uniqueSuffix } from './testing.js';
const cpu = (pid: number) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return (Number(f[11]) + Number(f[12])) * 10; };
const pg = await probePostgres();
const db = await createTemporaryDatabase(pg.url!);
const prefix = `capsimp_${uniqueSuffix()}:`;
const cluster = await startCluster({ redisUrl: 'redis://127.0.0.1:6379', postgresUrl: db.url, instances: 1, port: 0, keyPrefix: prefix, stdio: 'inherit', profile: 'loadtest' });
const pid = cluster.instances[0]!.pid;
const children = [];
for (let chunk = 0; chunk < 3; chunk++) {
  const child = forkModule(resolveSiblingModule(import.meta.url, './bench-client-main'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.push(child);
  const s0 = cpu(pid), c0 = cpu(child.pid!);
  const t = performance.now();
  const n = 2000;
  await new Promise<void>((resolve) => { child.on('message', (m: any) => { if (m.type === 'opened') resolve(); }); child.send({ type: 'open', wsUrls: [cluster.instances[0]!.wsUrl], count: n, localAddress: `127.0.0.${chunk + 2}`, userPrefix: `e${chunk}_`, concurrency: 100, pingMs: 20000, secret: 'capsim-dev-secret' }); });
  console.log('chunk', chunk, 'wall s', ((performance.now() - t) / 1000).toFixed(1), 'server cpu ms/conn', ((cpu(pid) - s0) / n).toFixed(2), 'client cpu ms/conn', ((cpu(child.pid!) - c0) / n).toFixed(2));
}
for (const child of children) child.send({ type: 'close' });
await cluster.close(); await db.drop(); await deleteRedisPrefix('redis://127.0.0.1:6379', prefix);
