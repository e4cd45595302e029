/**
 * One replication of a resolved pipeline: builds stations, sources and sinks on a fresh Simulation,
 * routes jobs between them (probabilistic routing), runs warm-up then measurement, and returns the
 * statistics as plain JSON. Pure: everything random comes from createRandom(seed).fork(replication).
 */
import { createRandom } from '../random.js';
import { Simulation, type SimComponent } from './core/simulation.js';
import { LogHistogram } from './core/log-histogram.js';
import { EntityPool } from './entity-pool.js';
import { createDistribution, type Distribution } from './distributions.js';
import { Station } from './station.js';
import { BatchStation } from './batch-station.js';
import { BurstSource, ClosedSource, OpenSource, ReconnectSource, type JobSource } from './sources.js';
import { summarize, type LatencySummaryMs, type StationReplicationStats } from './station-stats.js';
import type { JobRouter, SimContext } from './context.js';
import type { ReplicationOptions, ResolvedPipeline, ResolvedRoute } from './resolved.js';

export interface SinkReplicationStats {
  name: string;
  count: number;
  perSecond: number;
  latency: LatencySummaryMs;
}

export interface SourceReplicationStats {
  name: string;
  created: number;
  completed: number;
  failed: number;
  completedPerSecond: number;
  /** Time of the last completed job (drain time of a finite backlog), ms since start. */
  lastCompletionMs: number;
}

export interface ReplicationResult {
  replication: number;
  simulatedMs: number;
  measuredMs: number;
  events: number;
  peakEntitiesInFlight: number;
  stations: StationReplicationStats[];
  sinks: SinkReplicationStats[];
  ack: (LatencySummaryMs & { count: number }) | null;
  sources: SourceReplicationStats[];
  backlog: { timesMs: number[]; stations: Record<string, number[]> };
}

const WARMUP = 0;
/** `client` value marking a fan-out copy. */
const COPY = -2;
/** Sink 1 receives reconnect jobs (sink 0 is `exit`). */
const RECONNECTED_SINK = 1;
const SAMPLE = 1;

type AnyStation = Station | BatchStation;

interface RouteTable {
  targets: Int32Array;
  cumulative: Float64Array;
}

class Network implements JobRouter, SimComponent {
  readonly sim: Simulation;
  readonly pool = new EntityPool(4096);
  readonly stations: AnyStation[] = [];
  readonly sources: JobSource[] = [];
  private readonly stationRoutes: RouteTable[] = [];
  private readonly sourceRoutes: RouteTable[] = [];
  private readonly ackAt: Uint8Array;
  /** Per station: targets that receive a copy of each departing job (-1 - sink for sinks). */
  private readonly fanOut: Int32Array[] = [];
  /** Reconnect jobs leave after their first station. */
  private readonly exitsAfterStation: Uint8Array;
  private readonly sinkNames: string[];
  private readonly sinkHistograms: LogHistogram[];
  private readonly ackHistogram = new LogHistogram();
  private readonly routeRandom;
  private readonly id: number;
  private measureStartMs = 0;
  readonly backlogTimes: number[] = [];
  readonly backlog: number[][];

  constructor(
    private readonly pipeline: ResolvedPipeline,
    private readonly options: ReplicationOptions,
  ) {
    this.sim = new Simulation(createRandom(options.seed).fork(`replication:${options.replication}`));
    this.routeRandom = this.sim.random.fork('routing');
    this.id = this.sim.register(this);
    const context: SimContext = { sim: this.sim, pool: this.pool, router: this };
    const stationIndex = new Map(pipeline.stations.map((station, index) => [station.name, index]));
    const declared = pipeline.sinks
      .map((sink) => sink.name)
      .filter((name) => name !== 'exit' && name !== 'reconnected');
    this.sinkNames = ['exit', 'reconnected', ...declared];
    this.sinkHistograms = this.sinkNames.map(() => new LogHistogram());
    const sourceNames = [
      ...pipeline.sources.map((source) => source.name),
      ...pipeline.failures
        .filter((failure) => failure.reconnect)
        .map((failure) => `reconnect-${failure.station}`),
    ];
    const table = (routes: ResolvedRoute[], where: string): RouteTable => {
      const targets = new Int32Array(routes.length);
      const cumulative = new Float64Array(routes.length);
      let total = 0;
      routes.forEach((route, index) => {
        const station = stationIndex.get(route.to);
        const sink = this.sinkNames.indexOf(route.to);
        if (station === undefined && sink < 0)
          throw new Error(`${where}: unknown station or sink "${route.to}"`);
        targets[index] = station ?? -1 - sink;
        total += route.probability;
        cumulative[index] = total;
      });
      for (let index = 0; index < cumulative.length; index++) cumulative[index] /= total;
      return { targets, cumulative };
    };
    this.ackAt = new Uint8Array(pipeline.stations.length);
    pipeline.stations.forEach((spec, index) => {
      this.stationRoutes.push(table(spec.routes, `station ${spec.name}`));
      const copies = (spec.fanOut ?? []).map((to) => ({ to, probability: 1 }));
      this.fanOut.push(table(copies, `station ${spec.name} fanOut`).targets);
      if (spec.ack === true) this.ackAt[index] = 1;
      if (spec.type === 'batch') {
        this.stations.push(
          new BatchStation(context, {
            name: spec.name,
            index,
            servers: spec.servers,
            maxBatch: spec.maxBatch,
            maxDelayMs: spec.maxDelayMs,
            baseMs: createDistribution(spec.baseMs),
            perItemMs: spec.perItemMs,
            bufferCapacity: spec.bufferCapacity ?? Infinity,
          }),
        );
        return;
      }
      let serviceBySource: (Distribution | undefined)[] | undefined;
      if (spec.serviceBySource !== undefined) {
        serviceBySource = sourceNames.map((name) => {
          const byName = spec.serviceBySource?.[name];
          return byName === undefined ? undefined : createDistribution(byName);
        });
      }
      this.stations.push(
        new Station(context, {
          name: spec.name,
          index,
          servers: spec.servers,
          queueCapacity: spec.queueCapacity ?? Infinity,
          service: createDistribution(spec.service),
          serviceBySource,
          timeoutMs: spec.timeoutMs,
          retry: spec.retry === undefined ? undefined : { ...spec.retry, jitter: spec.retry.jitter ?? 1 },
        }),
      );
    });
    this.exitsAfterStation = new Uint8Array(sourceNames.length);
    pipeline.sources.forEach((spec, index) => {
      this.sourceRoutes.push(table(spec.routes, `source ${spec.name}`));
      if (spec.type === 'open') {
        this.sources.push(new OpenSource(spec.name, index, context, spec.ratePerSecond, spec.profile));
      } else if (spec.type === 'closed') {
        const thinkTime = createDistribution(spec.thinkTime);
        this.sources.push(
          new ClosedSource(spec.name, index, context, spec.clients, thinkTime, spec.jobsPerClient),
        );
      } else {
        this.sources.push(new BurstSource(spec.name, index, context, spec.jobs, spec.atMs, spec.everyMs));
      }
    });
    for (const failure of pipeline.failures) {
      const station = stationIndex.get(failure.station);
      if (station === undefined) throw new Error(`failure: unknown station "${failure.station}"`);
      const target = this.stations[station];
      if (target instanceof Station)
        target.scheduleFailure(failure.atMs, failure.durationMs, failure.servers);
      if (failure.reconnect !== undefined) {
        const index = this.sources.length;
        this.sourceRoutes.push(table([{ to: failure.reconnect.to, probability: 1 }], 'reconnect'));
        this.exitsAfterStation[index] = 1;
        this.sources.push(
          new ReconnectSource(
            `reconnect-${failure.station}`,
            index,
            context,
            failure.reconnect.clients,
            failure.atMs,
            failure.reconnect.backoff,
          ),
        );
      }
    }
    this.backlog = this.stations.map(() => []);
  }

  forward(entity: number, from: number): void {
    const pool = this.pool;
    let table: RouteTable;
    if (from >= 0) {
      if (this.ackAt[from] === 1) this.ackHistogram.record(this.sim.nowMs - pool.createdAtMs[entity]);
      if (this.exitsAfterStation[pool.source[entity]] === 1) {
        this.toSink(entity, RECONNECTED_SINK);
        return;
      }
      const copies = this.fanOut[from];
      for (let index = 0; index < copies.length; index++) this.sendCopy(entity, copies[index]);
      table = this.stationRoutes[from];
    } else {
      table = this.sourceRoutes[-1 - from];
    }
    const targets = table.targets;
    let target = targets[0];
    if (targets.length > 1) {
      const u = this.routeRandom.next();
      const cumulative = table.cumulative;
      let index = 0;
      while (index < targets.length - 1 && u >= cumulative[index]) index++;
      target = targets[index];
    }
    if (target >= 0) this.stations[target].arrive(entity);
    else this.toSink(entity, -1 - target);
  }

  fail(entity: number): void {
    if (this.pool.client[entity] !== COPY) this.sources[this.pool.source[entity]].finished(entity, false);
    this.pool.release(entity);
  }

  /** A copy keeps the original's class and creation time; it never completes a client's job. */
  private sendCopy(entity: number, target: number): void {
    const pool = this.pool;
    const copy = pool.allocate(pool.createdAtMs[entity], pool.source[entity], COPY);
    if (target >= 0) this.stations[target].arrive(copy);
    else this.toSink(copy, -1 - target);
  }

  private toSink(entity: number, sink: number): void {
    this.sinkHistograms[sink].record(this.sim.nowMs - this.pool.createdAtMs[entity]);
    if (this.pool.client[entity] !== COPY) this.sources[this.pool.source[entity]].finished(entity, true);
    this.pool.release(entity);
  }

  handle(kind: number): void {
    const now = this.sim.nowMs;
    if (kind === WARMUP) {
      this.measureStartMs = now;
      for (const station of this.stations) station.resetStats(now);
      for (const source of this.sources) source.resetStats();
      for (const histogram of this.sinkHistograms) histogram.reset();
      this.ackHistogram.reset();
      return;
    }
    this.backlogTimes.push(now);
    this.stations.forEach((station, index) => this.backlog[index].push(station.inStation));
  }

  run(): ReplicationResult {
    const { durationMs, warmupMs, backlogSamples } = this.options;
    for (const source of this.sources) source.start();
    if (warmupMs > 0) this.sim.scheduleAt(warmupMs, this.id, WARMUP, 0, -1024);
    const samples = Math.max(1, backlogSamples);
    for (let point = 1; point <= samples; point++) {
      this.sim.scheduleAt((durationMs * point) / samples, this.id, SAMPLE, 0, 1023);
    }
    this.sim.run(durationMs);
    const measuredMs = durationMs - this.measureStartMs;
    const seconds = measuredMs / 1000;
    const backlog: Record<string, number[]> = {};
    this.stations.forEach((station, index) => (backlog[station.name] = this.backlog[index]));
    return {
      replication: this.options.replication,
      simulatedMs: durationMs,
      measuredMs,
      events: this.sim.eventsFired,
      peakEntitiesInFlight: this.pool.peakLive,
      stations: this.stations.map((station) => station.snapshot(durationMs)),
      sinks: this.sinkNames.map((name, index) => ({
        name,
        count: this.sinkHistograms[index].count,
        perSecond: seconds > 0 ? this.sinkHistograms[index].count / seconds : 0,
        latency: summarize(this.sinkHistograms[index]),
      })),
      ack:
        this.ackHistogram.count > 0
          ? { ...summarize(this.ackHistogram), count: this.ackHistogram.count }
          : null,
      sources: this.sources.map((source) => ({
        name: source.name,
        created: source.created,
        completed: source.completed,
        failed: source.failed,
        completedPerSecond: seconds > 0 ? source.completed / seconds : 0,
        lastCompletionMs: source.lastCompletionMs,
      })),
      backlog: { timesMs: this.backlogTimes, stations: backlog },
    };
  }
}

/** Runs one replication of `pipeline` (pure: same inputs, same result). */
export function runReplication(pipeline: ResolvedPipeline, options: ReplicationOptions): ReplicationResult {
  return new Network(pipeline, options).run();
}
