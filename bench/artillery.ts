/**
 * Artillery 2 for `npm run bench -- loadgen`: installed on demand into .bench-tools/ (never a project
 * dependency) with PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1, run as a child with its CPU time read, and the
 * same 1:1 scenario capsim runs, written as an Artillery script.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mintToken } from '../loadgen/protocol/token.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const tools = join(root, '.bench-tools');
const secret = 'capsim-dev-secret';

export function ensureArtillery(): string | null {
  const bin = join(tools, 'node_modules', 'artillery', 'bin', 'run');
  if (existsSync(bin)) return bin;
  mkdirSync(tools, { recursive: true });
  if (!existsSync(join(tools, 'package.json')))
    writeFileSync(join(tools, 'package.json'), '{"name":"bench-tools","private":true}\n');
  const install = spawnSync('npm', ['install', '--no-audit', '--no-fund', 'artillery@2'], {
    cwd: tools,
    env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' },
    stdio: 'inherit',
    timeout: 15 * 60_000,
  });
  return install.status === 0 && existsSync(bin) ? bin : null;
}

export interface ArtilleryRun {
  cpuS: number;
  sent: number;
  wallS: number;
  vusers: number;
  /** Epoch ms of Artillery's first and last counted event (VU created … last message sent). */
  firstCounterAt: number;
  lastCounterAt: number;
}

/**
 * Runs Artillery as a child under `bash -c '…; times'` to read the CPU seconds it (and its workers) used;
 * `pinCpu` runs it under `taskset -c N`, `onSpawn` gets the shell's pid (its tree is Artillery).
 */
export async function artilleryRun(
  bin: string,
  script: object,
  options: { pinCpu?: number; onSpawn?: (pid: number) => void } = {},
): Promise<ArtilleryRun> {
  const dir = join(tools, 'scripts');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bench-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(script));
  const report = `${file}.report.json`;
  const started = Date.now();
  const child = spawn(
    'bash',
    [
      '-c',
      `${options.pinCpu === undefined ? '' : `taskset -c ${options.pinCpu} `}"${process.execPath}" "${bin}" run --quiet --output "${report}" "${file}" >/dev/null 2>&1; times`,
    ],
    { cwd: tools, env: { ...process.env, ARTILLERY_DISABLE_TELEMETRY: 'true', DO_NOT_TRACK: '1' } },
  );
  if (child.pid !== undefined) options.onSpawn?.(child.pid);
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await new Promise((resolve) => child.on('close', resolve));
  const wallS = (Date.now() - started) / 1000;
  // `times` prints shell then children: "0m0.001s 0m0.002s\n1m2.5s 0m3.1s"
  const line = out.trim().split('\n').at(-1) ?? '';
  const cpuS = [...line.matchAll(/(\d+)m([\d.]+)s/g)].reduce(
    (sum, m) => sum + Number(m[1]) * 60 + Number(m[2]),
    0,
  );
  const aggregate = existsSync(report)
    ? ((
        JSON.parse(readFileSync(report, 'utf8')) as {
          aggregate?: { counters?: Record<string, number>; firstCounterAt?: number; lastCounterAt?: number };
        }
      ).aggregate ?? {})
    : {};
  const counters = aggregate.counters ?? {};
  return {
    cpuS,
    sent: counters['websocket.messages_sent'] ?? 0,
    wallS,
    vusers: counters['vusers.created'] ?? 0,
    firstCounterAt: aggregate.firstCounterAt ?? Number.NaN,
    lastCounterAt: aggregate.lastCounterAt ?? Number.NaN,
  };
}

/**
 * The same 1:1 traffic for Artillery: 200 users in 100 pairs, each sending at rate/200 per second
 * (`think` between sends; `rate` null: no think, as fast as Artillery goes, `seconds` × 25,000 messages).
 * Artillery reads a think time that is not a whole number as *milliseconds* (it passes it to `ms()`),
 * so it is written with its unit: a bare 0.0333 (seconds) once made every user send flat out.
 */
export function artilleryThroughputScript(wsUrl: string, rate: number | null, seconds: number): object {
  const users = 200;
  const perUser = Math.max(1, Math.round(((rate ?? 25_000) / users) * seconds));
  const thinkMs = (seconds * 1000) / perUser;
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const csv = Array.from({ length: users }, (_, i) => {
    const peer = i % 2 === 0 ? i + 1 : i - 1;
    const [a, b] = [`a${i}`, `a${peer}`].sort();
    return `${mintToken({ sub: `a${i}`, exp }, secret)},dm:${a}:${b}`;
  }).join('\n');
  const dir = join(tools, 'scripts');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'users.csv'), `${csv}\n`);
  return {
    config: {
      target: wsUrl,
      phases: [{ duration: 1, arrivalCount: users }],
      payload: { path: 'users.csv', fields: ['token', 'conversation'], order: 'sequence', loadAll: false },
    },
    scenarios: [
      {
        engine: 'ws',
        flow: [
          { connect: `${wsUrl}?token={{ token }}` },
          {
            loop: [
              {
                send: `{"type":"send","conversationId":"{{ conversation }}","idempotencyKey":"k","body":"${'x'.repeat(64)}","clientTs":0}`,
              },
              ...(rate === null ? [] : [{ think: `${thinkMs.toFixed(3)}ms` }]),
            ],
            count: perUser,
          },
        ],
      },
    ],
  };
}
