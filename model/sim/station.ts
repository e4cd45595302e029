/**
 * A service station: c identical servers, one FIFO queue with an optional capacity (arrivals that find
 * it full are dropped), optional per-job-class service times, optional queue timeout with retries
 * (exponential backoff + jitter), and failure injection (servers taken down and brought back).
 *
 * Semantics worth knowing:
 * - A timeout applies to waiting in the queue: a job not in service `timeoutMs` after arriving gives up.
 *   Timed-out and dropped jobs retry after backoff while attempts < retries (each retry is a new
 *   arrival), then fail and leave the system (counted in `failed`).
 * - Servers going down stop taking new jobs; a job already in service on them finishes (its server
 *   is lost at its departure). Utilization is relative to the nominal server count.
 */
import type { Distribution } from './distributions.js';
import { backoffDelayMs, type JobRouter, type RetryPolicy, type SimContext } from './context.js';
import type { SimComponent, Simulation } from './core/simulation.js';
import type { EntityPool } from './entity-pool.js';
import type { Random } from '../random.js';
import { StationStats, type StationReplicationStats } from './station-stats.js';

const DEPART = 0;
const TIMEOUT = 1;
const RETRY = 2;
const SERVERS_DOWN = 3;
const SERVERS_UP = 4;

export interface StationOptions {
  name: string;
  /** Position in the network's station list (the router's station id). */
  index: number;
  servers: number;
  /** Maximum jobs waiting (not counting those in service); Infinity for unbounded. */
  queueCapacity: number;
  service: Distribution;
  /** Service time per job class (source index); falls back to `service`. */
  serviceBySource?: (Distribution | undefined)[];
  timeoutMs?: number;
  retry?: RetryPolicy;
}

export class Station implements SimComponent {
  readonly name: string;
  readonly index: number;
  readonly nominalServers: number;
  readonly stats = new StationStats();
  readonly id: number;
  private servers: number;
  private busy = 0;
  private readonly capacity: number;
  private readonly service: Distribution;
  private readonly serviceBySource: (Distribution | undefined)[] | undefined;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy | undefined;
  private readonly random: Random;
  private readonly context: SimContext;
  // Direct references to the hot objects (one load instead of two on every event).
  private readonly sim: Simulation;
  private readonly pool: EntityPool;
  private readonly router: JobRouter;
  // FIFO ring; with timeouts, entries may be tombstones (stamp ≠ the job's current deadline).
  private ring: Int32Array;
  private ringStamp: Float64Array;
  private mask: number;
  private head = 0;
  private ringLength = 0;
  /** Jobs really waiting (ring entries minus tombstones). */
  private waiting = 0;

  constructor(context: SimContext, options: StationOptions) {
    this.context = context;
    this.sim = context.sim;
    this.pool = context.pool;
    this.router = context.router;
    this.name = options.name;
    this.index = options.index;
    this.nominalServers = options.servers;
    this.servers = options.servers;
    this.capacity = options.queueCapacity;
    this.service = options.service;
    this.serviceBySource = options.serviceBySource;
    this.timeoutMs = options.timeoutMs ?? Infinity;
    this.retry = options.retry;
    this.random = context.sim.random.fork(`station:${options.name}`);
    this.ring = new Int32Array(1024);
    this.ringStamp = new Float64Array(this.timeoutMs < Infinity ? 1024 : 0);
    this.mask = 1023;
    this.id = context.sim.register(this);
  }

  /** Jobs waiting plus in service (backlog). */
  get inStation(): number {
    return this.waiting + this.busy;
  }

  /** A job arrives now. */
  arrive(entity: number): void {
    const sim = this.sim;
    const now = sim.nowMs;
    const pool = this.pool;
    const stats = this.stats;
    stats.advance(now, this.waiting, this.busy, this.busy);
    stats.arrivals++;
    pool.arrivedAtMs[entity] = now;
    if (this.busy < this.servers) {
      this.startService(entity, now);
      return;
    }
    if (this.waiting >= this.capacity) {
      stats.drops++;
      this.retryOrFail(entity);
      return;
    }
    if (this.ringLength === this.ring.length) this.growRing();
    const slot = (this.head + this.ringLength) & this.mask;
    this.ring[slot] = entity;
    this.ringLength++;
    this.waiting++;
    pool.waitingAt[entity] = this.index;
    if (this.timeoutMs < Infinity) {
      const deadline = now + this.timeoutMs;
      pool.deadlineMs[entity] = deadline;
      this.ringStamp[slot] = deadline;
      sim.scheduleAt(deadline, this.id, TIMEOUT, entity);
    }
  }

  handle(kind: number, arg: number): void {
    switch (kind) {
      case DEPART:
        this.depart(arg);
        return;
      case TIMEOUT:
        this.timeout(arg);
        return;
      case RETRY:
        this.arrive(arg);
        return;
      case SERVERS_DOWN:
        this.stats.advance(this.sim.nowMs, this.waiting, this.busy, this.busy);
        this.servers = Math.max(0, this.servers - arg);
        return;
      case SERVERS_UP:
        this.stats.advance(this.sim.nowMs, this.waiting, this.busy, this.busy);
        this.servers = Math.min(this.nominalServers, this.servers + arg);
        while (this.busy < this.servers && this.waiting > 0) this.startNext(this.sim.nowMs);
        return;
    }
  }

  /** Takes `servers` servers down at `atMs` for `durationMs`. */
  scheduleFailure(atMs: number, durationMs: number, servers: number): void {
    const sim = this.sim;
    sim.scheduleAt(atMs, this.id, SERVERS_DOWN, servers, -1);
    sim.scheduleAt(atMs + durationMs, this.id, SERVERS_UP, servers, -1);
  }

  resetStats(nowMs: number): void {
    this.stats.advance(nowMs, this.waiting, this.busy, this.busy);
    this.stats.reset(nowMs, this.waiting);
  }

  snapshot(nowMs: number): StationReplicationStats {
    this.stats.advance(nowMs, this.waiting, this.busy, this.busy);
    return this.stats.snapshot(this.name, this.nominalServers, nowMs, false);
  }

  private startService(entity: number, now: number): void {
    const pool = this.pool;
    this.busy++;
    pool.waitingAt[entity] = -1;
    pool.attempts[entity] = 0;
    this.stats.wait.record(now - pool.arrivedAtMs[entity]);
    const byClass =
      this.serviceBySource === undefined ? undefined : this.serviceBySource[pool.source[entity]];
    const serviceMs = (byClass ?? this.service).sample(this.random);
    this.sim.schedule(serviceMs, this.id, DEPART, entity);
  }

  private depart(entity: number): void {
    const now = this.sim.nowMs;
    const stats = this.stats;
    stats.advance(now, this.waiting, this.busy, this.busy);
    this.busy--;
    stats.departures++;
    stats.sojourn.record(now - this.pool.arrivedAtMs[entity]);
    if (this.waiting > 0 && this.busy < this.servers) this.startNext(now);
    this.router.forward(entity, this.index);
  }

  /** Serves the first live job of the queue (skipping tombstones of timed-out jobs). */
  private startNext(now: number): void {
    const pool = this.pool;
    const checkStamps = this.timeoutMs < Infinity;
    while (this.ringLength > 0) {
      const slot = this.head;
      const entity = this.ring[slot];
      this.head = (this.head + 1) & this.mask;
      this.ringLength--;
      if (
        checkStamps &&
        (pool.waitingAt[entity] !== this.index || pool.deadlineMs[entity] !== this.ringStamp[slot])
      ) {
        continue;
      }
      this.waiting--;
      this.startService(entity, now);
      return;
    }
  }

  private timeout(entity: number): void {
    const pool = this.pool;
    const now = this.sim.nowMs;
    // Stale if the job already started service (or left and its row was reused elsewhere).
    if (pool.waitingAt[entity] !== this.index || pool.deadlineMs[entity] !== now) return;
    this.stats.advance(now, this.waiting, this.busy, this.busy);
    pool.waitingAt[entity] = -1;
    this.waiting--;
    this.stats.timeouts++;
    this.retryOrFail(entity);
  }

  private retryOrFail(entity: number): void {
    const pool = this.pool;
    const retry = this.retry;
    if (retry !== undefined && pool.attempts[entity] < retry.retries) {
      const delayMs = backoffDelayMs(retry, pool.attempts[entity], this.random);
      pool.attempts[entity]++;
      this.stats.retries++;
      this.sim.schedule(delayMs, this.id, RETRY, entity);
      return;
    }
    this.stats.failed++;
    this.router.fail(entity, this.index);
  }

  private growRing(): void {
    const size = this.ring.length * 2;
    const ring = new Int32Array(size);
    const stamps = new Float64Array(this.ringStamp.length > 0 ? size : 0);
    for (let offset = 0; offset < this.ringLength; offset++) {
      const slot = (this.head + offset) & this.mask;
      ring[offset] = this.ring[slot];
      if (stamps.length > 0) stamps[offset] = this.ringStamp[slot];
    }
    this.ring = ring;
    this.ringStamp = stamps;
    this.head = 0;
    this.mask = size - 1;
  }
}
