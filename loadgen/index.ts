/**
 * capsim's load generator: `runLoadTest(scenario, options)` drives a scenario's `load:` section
 * against a server and returns the versioned results document (loadgen/outputs/result-schema.ts).
 *
 * Layout (k6-style): executors/ schedule load (virtual users, phases, open-model arrivals, HTTP
 * phases), metrics/ measure (HDR histograms, the delivery checker, time series, /metrics scrape),
 * outputs/ present (results JSON, dashboard, plain lines), protocol/ speaks to servers (adapters),
 * distributed/ splits the users over processes and hosts.
 */
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { CapsimError, ExitCode } from '../common/errors.js';
import { forkModule, resolveSiblingModule } from '../common/spawn-module.js';
import { buildConversations, splitSegments } from './executors/conversations.js';
import { httpBaseUrl, runHttpPhase } from './executors/http-load.js';
import {
  runSegment,
  type SegmentAssignment,
  type WorkerResult,
  type WorkerSnapshot,
} from './executors/segment-runner.js';
import { coordinate, type ClockEstimate, type WorkerChannel } from './distributed/coordinator.js';
import { ipcChannel } from './distributed/channels.js';
import type { CoordinatorMessage, WorkerMessage } from './distributed/messages.js';
import { MetricsScraper, metricsUrlFor } from './metrics/scrape.js';
import { assembleResult } from './outputs/assemble.js';
import { mergeSnapshots, type LiveStats } from './outputs/live-stats.js';
import type { HttpPhaseResult, LoadTestResult } from './outputs/result-schema.js';
import type { ProtocolAdapter } from './protocol/adapter.js';
import { resolveAdapter } from './protocol/resolve-adapter.js';
import { autoSourceAddresses } from './source-addresses.js';
import { validateTargets } from './targets.js';
import { parseSlice, resolveLoad, type LoadTestScenario, type SliceSpec } from './resolve-load.js';

export type { LoadTestResult, HttpPhaseResult, WorkerInfo } from './outputs/result-schema.js';
export type { LiveStats } from './outputs/live-stats.js';
export type { LoadTestScenario, ResolvedLoad, SliceSpec } from './resolve-load.js';
export type { ProtocolAdapter } from './protocol/adapter.js';
export { loadSchema, type LoadSpec } from './load-schema.js';
export { parseThreshold, evaluateThresholds, type Threshold, type ThresholdVerdict } from './thresholds.js';
export { loadTestResultSchema, LOADTEST_RESULT_VERSION } from './outputs/result-schema.js';

/** Virtual users the scenario's load section plans (for picking a worker count). */
export function resolveLoadUsers(scenario: LoadTestScenario): number {
  return resolveLoad(scenario).users;
}

export interface LoadTestOptions {
  /**
   * ws:// URL of the target (the reference server's is ws://HOST:PORT/v1/ws; a bare ws://HOST:PORT works
   * too), or several separated by commas (a cluster's instances): users are spread round-robin; /metrics
   * and HTTP phases use the first.
   */
  target: string;
  /** Sending time; ramps keep their speed, holds stretch to fit. */
  durationMs?: number;
  /** Local worker processes; 0 or 1 runs in this process. */
  workers?: number;
  /** Remote workers that joined a coordinator (`capsim worker --join`), already connected. */
  remoteWorkers?: WorkerChannel[];
  slice?: SliceSpec | string;
  users?: number;
  messageRateFactor?: number;
  /** Protocol adapter: `reference` (default), a module path, or an adapter object (in-process runs only). */
  adapter?: string | ProtocolAdapter;
  tokenSecret?: string;
  /** Local source addresses for client sockets (127.0.0.2, …) to get past ~28k ports per address pair. */
  sourceAddresses?: string[];
  /** Scrape the target's /metrics during the run (default true). */
  scrapeMetrics?: boolean;
  onLive?(stats: LiveStats): void;
  signal?: AbortSignal;
  runId?: string;
  step?: { index: number; messageRateFactor: number };
}

export async function runLoadTest(
  scenario: LoadTestScenario,
  options: LoadTestOptions,
): Promise<LoadTestResult> {
  const targets = validateTargets(options.target);
  const slice = typeof options.slice === 'string' ? parseSlice(options.slice) : (options.slice ?? undefined);
  const plan = resolveLoad(scenario, {
    durationMs: options.durationMs,
    slice,
    users: options.users,
    messageRateFactor: options.messageRateFactor,
  });
  const runId = options.runId ?? `r${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const adapterSpec = {
    name: typeof options.adapter === 'string' ? options.adapter : 'reference',
    tokenSecret: options.tokenSecret,
  };
  const adapter = typeof options.adapter === 'object' ? options.adapter : await resolveAdapter(adapterSpec);
  const conversations = buildConversations(plan.users, plan.groupFraction, plan.groupSize, runId, adapter);
  const remote = options.remoteWorkers ?? [];
  const localWorkers =
    remote.length > 0 ? Math.max(0, options.workers ?? 0) : Math.max(1, options.workers ?? 1);
  const segmentCount = Math.max(1, Math.min(localWorkers + remote.length, conversations.length));
  const segments = splitSegments(conversations, segmentCount);
  // Past ~28,000 connections to one loopback target, spread sockets over 127.0.0.2, 127.0.0.3, …
  const loopback = /^(127\.|localhost$|\[::1\]$)/.test(new URL(targets[0]).hostname);
  const sourceAddresses =
    options.sourceAddresses ?? (loopback ? autoSourceAddresses(plan.users, targets.length) : []);
  const assignments: SegmentAssignment[] = segments.map((segment, workerIndex) => ({
    runId,
    target: options.target,
    plan,
    workerIndex,
    workerCount: segmentCount,
    conversations: segment,
    totalUsers: plan.users,
    sourceAddresses,
  }));
  if (typeof options.adapter === 'object' && segmentCount > 1) {
    throw new CapsimError(
      'E_BAD_OPTIONS',
      'an adapter object only works in-process: pass a module path to use workers',
      { exitCode: ExitCode.badInput },
    );
  }

  const startedAt = new Date();
  const scraper =
    options.scrapeMetrics === false ? null : new MetricsScraper(metricsUrlFor(targets[0]), Date.now());
  scraper?.start();
  const live = (snapshots: WorkerSnapshot[], elapsedMs: number) =>
    options.onLive?.(mergeSnapshots(snapshots, elapsedMs, plan.durationMs));
  const sample = conversations[0];
  const httpPhases: Promise<HttpPhaseResult>[] = plan.http.map((phase) =>
    new Promise<void>((resolve) => setTimeout(resolve, phase.startMs)).then(() =>
      runHttpPhase(phase, {
        baseUrl: httpBaseUrl(targets[0]),
        runId,
        tokenSecret: options.tokenSecret ?? 'capsim-dev-secret',
        sampleConversation: sample
          ? { conversationId: sample.conversationId, userId: sample.members[0] }
          : null,
        adapter,
      }),
    ),
  );

  let workers: WorkerResult[];
  let clocks: (ClockEstimate | null)[];
  const children: ChildProcess[] = [];
  try {
    if (segmentCount === 1 && remote.length === 0) {
      const startAtMs = performance.timeOrigin + performance.now() + 50;
      const latest: WorkerSnapshot[] = [];
      workers = [
        await runSegment(assignments[0], startAtMs, {
          adapter,
          signal: options.signal,
          // A snapshot encodes two histograms (a few ms, in the send loop): only when someone watches.
          onSecond:
            options.onLive === undefined
              ? undefined
              : (snapshot) => {
                  latest[0] = snapshot;
                  live(latest, performance.timeOrigin + performance.now() - startAtMs);
                },
        }),
      ];
      clocks = [null];
    } else {
      const localCount = segmentCount - remote.length;
      const channels: WorkerChannel[] = [...remote];
      const workerModule = resolveSiblingModule(import.meta.url, './distributed/worker-process');
      for (let i = 0; i < localCount; i += 1) {
        const child = forkModule(workerModule, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        children.push(child);
        channels.push(ipcChannel<CoordinatorMessage, WorkerMessage>(child));
      }
      const run = await coordinate(channels, assignments, adapterSpec, {
        onSnapshots: live,
        signal: options.signal,
      });
      workers = run.results;
      clocks = run.clocks
        .map((clock, i) => (i < remote.length ? clock : null))
        .map((c, i) => c ?? run.clocks[i]);
    }
  } finally {
    for (const child of children) if (child.exitCode === null) setTimeout(() => child.kill(), 2000).unref();
  }
  const http = await Promise.all(httpPhases);
  await scraper?.stop();

  return assembleResult({
    runId,
    scenarioName: scenario.name ?? 'unnamed',
    load: (scenario.load ?? {}) as Record<string, unknown>,
    plan,
    target: options.target,
    slice: plan.slice,
    step: options.step ?? null,
    startedAt,
    adapter: adapter.name,
    sourceAddresses,
    workers: workers.sort((a, b) => a.workerIndex - b.workerIndex),
    clocks,
    server: scraper && scraper.available ? { url: scraper.url, samples: scraper.samples } : null,
    http,
  });
}
