import { runClusterBench, clusterBenchSections } from './bench-cluster.js';
const result = await runClusterBench({ connections: 24000, holdMs: 10_000, concurrencyPerProcess: 200 });
console.log(JSON.stringify(result));
for (const s of clusterBenchSections(result, 'node --import tsx reference-server/cluster/bench-cluster.ts 24000')) console.log(JSON.stringify(s));
