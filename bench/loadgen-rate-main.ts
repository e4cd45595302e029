/**
 * Child process of `npm run bench -- loadgen` (section loadgen-rate): one capsim throughput run
 * (`capsimThroughput`, one worker, in this process) against the bare relay, so the parent can pin
 * the generator to one core: `taskset -c 0 node --import tsx bench/loadgen-rate-main.ts '<json>'`.
 * Argument: { wsUrl, rate, seconds }. Prints one JSON line (the run's figures) on stdout and exits.
 */
import { capsimThroughput } from './loadgen.js';

const { wsUrl, rate, seconds } = JSON.parse(process.argv[2] ?? '{}') as {
  wsUrl: string;
  rate: number;
  seconds: number;
};
const result = await capsimThroughput(wsUrl, rate, seconds);
// This process's whole CPU (module loading included), to tell other load on the pinned core apart.
const usage = process.cpuUsage();
process.stdout.write(`${JSON.stringify({ ...result, processCpuS: (usage.user + usage.system) / 1e6 })}\n`);
process.exit(0);
