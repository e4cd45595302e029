/**
 * Part of `npm run bench -- loadgen` (CAPSIM_BENCH_ONLY=loadgen-rate): the maximum on-schedule messages
 * per second each generator sustains on ONE core. The generator runs pinned to CPU 0 (`taskset -c 0`),
 * the bare relay (bench/bare-relay.ts) pinned to CPU 1, and the offered rate steps up ×1.5 (8 s of
 * sending each) until the generator falls behind its schedule or its CPU share of that core reaches
 * 95%; the highest rate it kept is its result.
 *
 * "On schedule":
 * - capsim (open model: it never skips a message, it sends late): ≥ 95% of messages left within 50 ms
 *   of their intended instant (the worker's schedule lag p95, emit time − intended time), and its CPU
 *   share of the core during the hold (median of its per-second samples) stayed below 95%;
 * - Artillery (closed loop: each user sends, thinks, sends): it sent ≥ 95% of the offered rate over its
 *   sending span (first to last counted event, less the 1 s in which its 200 users arrive), and its CPU
 *   share of the core over that span, sampled from /proc, stayed below 95%.
 * Both drive the same scenario: 200 users in 100 1:1 pairs, 64-byte bodies. A last Artillery run sends
 * with no think at all (no schedule: as fast as it goes on that core), its CPU ceiling.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { processTree } from '../common/process-tree.js';
import { resolveSiblingModule } from '../common/spawn-module.js';
import { artilleryRun, artilleryThroughputScript, ensureArtillery, type ArtilleryRun } from './artillery.js';
import { startRelay, type capsimThroughput } from './loadgen.js';
import { benchCommand, type BenchSection } from './section.js';

type CapsimRun = Awaited<ReturnType<typeof capsimThroughput>> & { processCpuS: number };

const stepFactor = 1.5;
const seconds = 8;
const maxShare = 0.95;
const lagLimitMs = 50;
const clockTicks = 100; // USER_HZ on Linux

/** CPU seconds used so far by `pid` and its descendants (all threads), from /proc; 0 once gone. */
function treeCpuSeconds(pid: number): number {
  let ticks = 0;
  for (const member of processTree(pid)) {
    try {
      const stat = readFileSync(`/proc/${member}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // exited meanwhile
    }
  }
  return ticks / clockTicks;
}

/** CPU seconds core `cpu` spent in user and system mode so far, whoever ran there (/proc/stat). */
function coreBusySeconds(cpu: number): number {
  const line = readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`cpu${cpu} `));
  const fields = (line ?? '').trim().split(/\s+/).slice(1).map(Number);
  return ((fields[0] ?? 0) + (fields[1] ?? 0) + (fields[2] ?? 0)) / clockTicks;
}

/** Measures what else ran on the generator's core while `run` ran: (core busy − generator CPU) ÷ wall. */
async function withOtherLoad<T>(run: () => Promise<T>, generatorCpuS: (result: T) => number) {
  const [busy0, started] = [coreBusySeconds(0), Date.now()];
  const result = await run();
  const wallS = (Date.now() - started) / 1000;
  return { result, otherShare: Math.max(0, coreBusySeconds(0) - busy0 - generatorCpuS(result)) / wallS };
}

/** Waits (up to a minute) until both cores are nearly idle apart from the relay's idle loop. */
async function waitForQuiet(): Promise<void> {
  for (let tries = 0; tries < 20; tries += 1) {
    const before = coreBusySeconds(0) + coreBusySeconds(1);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    if (coreBusySeconds(0) + coreBusySeconds(1) - before < 0.3) return;
  }
}

/** Runs a step; a failed step that shared its core with other load (> 10%) is retried once when quiet. */
async function fairStep<T extends { ok: boolean; otherShare: number; retried?: boolean }>(
  step: () => Promise<T>,
): Promise<T> {
  const first = await step();
  if (first.ok || first.otherShare <= 0.1) return first;
  await waitForQuiet();
  return { ...(await step()), retried: true };
}

interface CapsimStep {
  rate: number;
  run: CapsimRun;
  relayShare: number;
  /** Other processes' share of the generator's core during the step. */
  otherShare: number;
  retried?: boolean;
  ok: boolean;
  why: string;
}

async function capsimStep(wsUrl: string, relayPid: number, rate: number): Promise<CapsimStep> {
  const driver = resolveSiblingModule(import.meta.url, './loadgen-rate-main');
  const loader = driver.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const relayBefore = treeCpuSeconds(relayPid);
  const { result: run, otherShare } = await withOtherLoad(
    async () => {
      const child = spawn(
        'taskset',
        ['-c', '0', process.execPath, ...loader, driver, JSON.stringify({ wsUrl, rate, seconds })],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      await new Promise((resolve) => child.on('close', resolve));
      return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as CapsimRun;
    },
    (result) => result.processCpuS,
  );
  const relayShare = (treeCpuSeconds(relayPid) - relayBefore) / run.wallS;
  const why =
    run.holdCpuShare >= maxShare
      ? `CPU ${(run.holdCpuShare * 100).toFixed(0)}% of the core`
      : run.scheduleLagP95Ms > lagLimitMs
        ? `schedule lag p95 ${run.scheduleLagP95Ms.toFixed(0)} ms > ${lagLimitMs} ms`
        : run.delivered < 0.95 * run.sent
          ? `relay fell behind: ${run.delivered} of ${run.sent} delivered (relay CPU ${(relayShare * 100).toFixed(0)}%)`
          : '';
  return { rate, run, relayShare, otherShare, ok: why === '', why };
}

interface ArtilleryStep {
  rate: number | null;
  run: ArtilleryRun;
  otherShare: number;
  retried?: boolean;
  /** Messages per second over the sending span (less the arrival second). */
  achieved: number;
  share: number;
  ok: boolean;
  why: string;
}

async function artilleryStep(bin: string, wsUrl: string, rate: number | null): Promise<ArtilleryStep> {
  const samples: { at: number; cpuS: number }[] = [];
  let timer: NodeJS.Timeout | undefined;
  const { result: run, otherShare } = await withOtherLoad(
    () =>
      artilleryRun(bin, artilleryThroughputScript(wsUrl, rate, seconds), {
        pinCpu: 0,
        onSpawn: (pid) => {
          timer = setInterval(() => samples.push({ at: Date.now(), cpuS: treeCpuSeconds(pid) }), 250);
        },
      }),
    (result) => result.cpuS,
  );
  clearInterval(timer);
  const spanS = Math.max(0.001, (run.lastCounterAt - run.firstCounterAt) / 1000 - 1);
  const achieved = run.sent / spanS;
  // CPU share over the sending span: the samples inside it, first to last.
  const inside = samples.filter((s) => s.at >= run.firstCounterAt + 1000 && s.at <= run.lastCounterAt);
  const first = inside[0];
  const last = inside.at(-1);
  const share =
    first && last && last.at > first.at
      ? (last.cpuS - first.cpuS) / ((last.at - first.at) / 1000)
      : Number.NaN;
  const why =
    rate === null
      ? ''
      : share >= maxShare
        ? `CPU ${(share * 100).toFixed(0)}% of the core`
        : achieved < 0.95 * rate
          ? `sent ${Math.round(achieved)}/s = ${((achieved / rate) * 100).toFixed(0)}% of offered`
          : '';
  return { rate, run, otherShare, achieved, share, ok: why === '', why };
}

/** Steps ×1.5 from `start` while `step` keeps schedule; returns every step run (the last one failed). */
async function stepUp<T extends { ok: boolean }>(start: number, step: (rate: number) => Promise<T>) {
  const steps: T[] = [];
  for (let rate = start; rate < 2_000_000; rate = Math.round(rate * stepFactor)) {
    const result = await step(rate);
    steps.push(result);
    if (!result.ok) break;
  }
  return steps;
}

const pct = (share: number) => (Number.isFinite(share) ? `${(share * 100).toFixed(0)}%` : '—');
/** ✗ failed; "other N%" when other processes took more than 5% of the generator's core meanwhile. */
const marks = (s: { ok: boolean; otherShare: number; retried?: boolean }) =>
  `${s.otherShare > 0.05 ? ` (other load ${pct(s.otherShare)})` : ''}${s.retried ? ' (retried when quiet)' : ''}${s.ok ? '' : ' ✗'}`;

export async function maxRateSection(): Promise<BenchSection> {
  const title = 'Load generator: maximum on-schedule messages per second on one generator core';
  const command = benchCommand('loadgen', ['CAPSIM_BENCH_ONLY']);
  const columns = [
    'generator',
    'highest on-schedule offered msg/s',
    'sent msg/s at that step',
    'generator CPU share of its core',
    'schedule at that step',
    'next step (×1.5) failed',
    'capsim ÷ peer',
  ];
  if (spawnSync('taskset', ['-V']).status !== 0)
    return { title, command, columns, rows: [], notes: ['taskset (util-linux) not found: cannot pin.'] };
  const relay = await startRelay();
  const relayPid = relay.child.pid as number;
  spawnSync('taskset', ['-a', '-p', '-c', '1', String(relayPid)], { stdio: 'ignore' });
  const rows: (string | number)[][] = [];
  const notes: string[] = [];
  try {
    const capsim = await stepUp(9_000, (rate) => fairStep(() => capsimStep(relay.wsUrl, relayPid, rate)));
    const capsimBest = capsim.filter((s) => s.ok).at(-1);
    const capsimFailed = capsim.at(-1);
    const capsimRate = capsimBest?.rate ?? 0;
    rows.push([
      'capsim (1 worker)',
      capsimRate,
      capsimBest ? Math.round(capsimBest.run.sent / capsimBest.run.sendS) : '—',
      capsimBest ? pct(capsimBest.run.holdCpuShare) : '—',
      capsimBest
        ? `lag p95 ${capsimBest.run.scheduleLagP95Ms.toFixed(1)} ms, p99 ${capsimBest.run.scheduleLagP99Ms.toFixed(1)} ms`
        : '—',
      capsimFailed && !capsimFailed.ok ? `${capsimFailed.rate}: ${capsimFailed.why}` : 'none failed',
      '1.00',
    ]);
    notes.push(
      `capsim steps (offered → CPU share, schedule lag p95/p99, delivery p99, relay CPU): ${capsim
        .map(
          (s) =>
            `${s.rate} → ${pct(s.run.holdCpuShare)}, ${s.run.scheduleLagP95Ms.toFixed(0)}/${s.run.scheduleLagP99Ms.toFixed(0)} ms, ${s.run.p99.toFixed(0)} ms, ${pct(s.relayShare)}${marks(s)}`,
        )
        .join('; ')}.`,
    );
    const bin = ensureArtillery();
    if (bin) {
      const artillery = await stepUp(4_000, (rate) => fairStep(() => artilleryStep(bin, relay.wsUrl, rate)));
      const best = artillery.filter((s) => s.ok).at(-1);
      const failed = artillery.at(-1);
      const flat = await artilleryStep(bin, relay.wsUrl, null);
      rows.push([
        'artillery 2 (ws engine)',
        best?.rate ?? 0,
        best ? Math.round(best.achieved) : '—',
        best ? pct(best.share) : '—',
        best ? `sent ${((best.achieved / (best.rate ?? 1)) * 100).toFixed(0)}% of offered` : '—',
        failed && !failed.ok ? `${failed.rate}: ${failed.why}` : 'none failed',
        best ? (capsimRate / (best.rate ?? 1)).toFixed(2) : '—',
      ]);
      rows.push([
        'artillery 2, no think (no schedule: flat out)',
        '—',
        Math.round(flat.achieved),
        pct(flat.share),
        'none',
        '—',
        (capsimRate / flat.achieved).toFixed(2),
      ]);
      notes.push(
        `Artillery steps (offered → sent/s over its span, CPU share): ${artillery
          .map((s) => `${s.rate} → ${Math.round(s.achieved)}, ${pct(s.share)}${marks(s)}`)
          .join(
            '; ',
          )}; no think: ${flat.run.sent} messages at ${Math.round(flat.achieved)}/s, ${pct(flat.share)}.`,
      );
    } else notes.push('Artillery could not be installed into .bench-tools/ (offline?): its rows are empty.');
    notes.push(
      'Pinned: generator `taskset -c 0` (capsim: `taskset -c 0 node --import tsx bench/loadgen-rate-main.ts {…}`, one worker in that process; Artillery: `taskset -c 0 node …/artillery run`, its worker thread included), relay `taskset -a -p -c 1`. Same 200 users in 100 1:1 pairs, 64-byte bodies; 8 s of sending per step, ×1.5 per step.',
      `On schedule: capsim — ≥ 95% of messages emitted within ${lagLimitMs} ms of their intended time (schedule lag p95) and CPU share of the core < 95% (median per-second sample of the hold); it never skips a message, so falling behind shows as lag, not as fewer messages. Artillery — sent ≥ 95% of the offered rate over its sending span (first to last counted event, less its 1 s arrival phase) and CPU share over that span (from /proc) < 95%; its users loop send → think, so timer overshoot stretches every loop.`,
      'The machine is shared: "other load" = (core 0 user + system time − the generator\'s own CPU) ÷ wall of the step, shown when above 5%; a step that failed with more than 10% is retried once after both cores go quiet.',
      'Goal: capsim ≥ 5× Artillery. The no-think row is Artillery at its CPU ceiling on that core without any schedule: the per-CPU comparison (also the marginal table above) is the honest one for cost per message; the on-schedule ratio is what one core of each can drive in this scenario.',
    );
  } finally {
    relay.child.send({ type: 'close' });
    setTimeout(() => relay.child.kill(), 1000).unref();
  }
  return { title, command, columns, rows, notes };
}
